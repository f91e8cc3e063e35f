"""Backups (issue 14) through the real window: Back up now in Settings → General; then, as on a
new computer (an empty data folder, a keychain without the client secret), the first-run
screen's "Restore from a backup" brings back the same people, assets, history and audit trail,
and the Entra page asks for the client secret with automatic runs off."""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from selenium.webdriver.common.by import By

import flows
from conftest import cli
from flows import open_entra, open_settings_tab, sign_in

ANN, BOB = "ann@northwind.example", "bob@northwind.example"
TABLES = {
    "users": "SELECT id, email, display_name, role, status, entra_object_id FROM users ORDER BY id",
    "assets": "SELECT * FROM assets ORDER BY id",
    "sync_runs": "SELECT id, trigger, result, deactivated FROM sync_runs ORDER BY id",
    "sync_run_lines": "SELECT run_id, email, outcome FROM sync_run_lines ORDER BY run_id, email",
}


def rows(db: Path, sql: str):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def audit(db: Path):
    return rows(db, "SELECT id, at, actor_label, action, subject_user_id, asset_id, detail FROM audit_entries ORDER BY id")


def forget_client_secret(data_dir: Path, env: dict):
    """What another computer's keychain is like: no Entra client secret for this organization."""
    (keychain_id,) = rows(data_dir / "uniasset.db", "SELECT keychain_id FROM installation")[0]
    subprocess.run(["secret-tool", "clear", "service", "app.uniasset.desktop",
                    "username", f"entra-client-secret/{keychain_id}"], env=env, check=True)


def test_back_up_now_then_restore_at_first_run_elsewhere(launch, data_dir, session_env, start_tenant, tmp_path):
    tenant = start_tenant([(ANN, True, False), (BOB, False, False)])
    flows.organization(data_dir, session_env)
    for email in (ANN, BOB):
        flows.add_user(data_dir, email, email.split("@")[0].title(), entra_id=tenant.accounts[email], env=session_env)
    flows.connect(data_dir, tenant, session_env)
    cli(data_dir, "assets", "add", "--tag", "LT-7", "--name", "ThinkPad T14", "--assign", BOB, env=session_env)
    cli(data_dir, "entra", "auto-deprovision", "on", env=session_env)
    cli(data_dir, "entra", "sync", env=session_env)

    app = launch()
    sign_in(app)
    open_settings_tab(app, "General")
    # The copy holds the trail up to the backup; "backup.created" is recorded after it.
    audit_before = audit(data_dir / "uniasset.db")
    app.press(By.ID, "backup-now")
    last = app.wait_for(By.ID, "backup-last-good")
    # The default folder: in Documents, or the home folder when there is none (as here).
    folder = Path(session_env["HOME"]) / "UniAsset Backups"
    app.wait_until(lambda: list(folder.glob("UniAsset-backup-*.uabackup")), what="a copy in the backup folder")
    (copy,) = folder.glob("UniAsset-backup-*.uabackup")
    app.by_text("*", f"Backed up: {copy.name}")
    assert "KB" in app.text(last), app.text(last)
    app.shot("backed-up", show=app.wait_for(By.XPATH, "//section[.//h2[@id='backups-title']]"))
    assert not list(folder.glob(".*.partial")), "no half copy is left"
    before = {name: rows(data_dir / "uniasset.db", sql) for name, sql in TABLES.items()}
    app.driver.quit()

    # Another computer: an empty data folder, a keychain without the client secret.
    forget_client_secret(data_dir, session_env)
    old = tmp_path / "old-computer"
    shutil.move(str(data_dir), old)
    data_dir.mkdir()
    app = launch()
    app.click("button", "Restore from a backup")
    app.press(By.ID, "restore-choose")
    app.choose_file("Restore from a backup", copy)
    app.wait_until(lambda: copy.name in app.driver.page_source, what="the chosen file")
    app.click("button", "Continue")
    app.by_text("*", "This backup holds:")
    app.shot("restore-confirm")
    app.press(By.ID, "restore-confirm")
    app.by_text("*", "Northwind Traders is restored")
    app.by_text("*", "The Microsoft Entra ID client secret is not kept in backups.")
    app.shot("restored")
    app.click("button", "Continue")
    sign_in(app)

    after = {name: rows(data_dir / "uniasset.db", sql) for name, sql in TABLES.items()}
    assert after == before, "the same people, assets and history"
    audit_after = audit(data_dir / "uniasset.db")
    assert audit_after[:len(audit_before)] == audit_before, "the same audit trail"
    assert any(a[3] == "backup.restored" for a in audit_after[len(audit_before):])
    assert (data_dir / "documents").is_dir() or not (old / "documents").exists()
    assert rows(data_dir / "uniasset.db", "SELECT auto_deprovision FROM deprovision_settings") == [(0,)]

    open_entra(app)
    app.by_text("*", "Secret needed")
    app.shot("entra-asks-for-the-secret")
