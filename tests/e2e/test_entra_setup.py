"""Connecting without copying secrets (issue 13), through the real window and the real CLI
against the simulator's device code sign-in: "Set it up for me" connects with a secret kept
in the keychain with its expiry; an account without the role gets the plain message and the
guided steps; 20 days before expiry "Renew secret" swaps the secret, the next Sync Now works
and the old secret gets no token; and no secret or token is in SQLite, the logs or what the
window receives."""

import datetime
import json
import re
import subprocess
from pathlib import Path

from selenium.webdriver.common.by import By

import flows
from conftest import CLI, cli
from flows import open_entra, run_sign_in, sign_in

ANN = "ann@northwind.example"
GRACE = "grace@contoso.onmicrosoft.com"  # Global Administrator
CARL = "carl@contoso.onmicrosoft.com"  # no directory role
ADMIN_ROLES = {GRACE: ["Global Administrator"]}
JWT_START = "eyJ"  # every JWT (the simulator's tokens, like Entra's) starts with base64 of '{"'


def tenant_with_admins(start_tenant):
    return start_tenant([(ANN, True, False), (GRACE, True, False), (CARL, True, False)], roles=ADMIN_ROLES)


def keychain_secret(data_dir: Path, env: dict) -> str:
    """The client secret as the OS keychain holds it (Secret Service, via secret-tool)."""
    import sqlite3
    with sqlite3.connect(data_dir / "uniasset.db") as db:
        (keychain_id,) = db.execute("SELECT keychain_id FROM installation").fetchone()
    return subprocess.run(
        ["secret-tool", "lookup", "service", "app.uniasset.desktop", "username", f"entra-client-secret/{keychain_id}"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout


def stored_bytes(data_dir: Path, env: dict) -> bytes:
    """Everything UniAsset wrote to disk: the database with its journal, and the logs."""
    files = [data_dir / "uniasset.db", data_dir / "uniasset.db-wal"]
    files += (Path(env["XDG_DATA_HOME"]) / "app.uniasset.desktop").rglob("*.log")
    return b"".join(f.read_bytes() for f in files if f.exists())


def ipc(app, command: str, args=None):
    """What the window receives from a command, as JSON text (a refusal included)."""
    return app.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1] || {})"
        ".then(r => done(JSON.stringify(r)), e => done(JSON.stringify(e)));",
        command, args,
    )


def test_set_it_up_for_me_then_renew_before_expiry(launch, data_dir, session_env, start_tenant):
    tenant = tenant_with_admins(start_tenant)
    flows.organization(data_dir, session_env)
    flows.add_user(data_dir, ANN, "Ann", entra_id=tenant.accounts[ANN], env=session_env)
    app = launch()
    sign_in(app)
    open_entra(app)
    app.click("button", "Set it up for me")
    run_sign_in(app, tenant, GRACE, custom_cloud=True)
    app.by_text("*", "UniAsset registered its app")
    app.shot("set-up-for-me-connected")

    ((client_id, tenant_id, expires, set_up_by),) = app.query(
        "SELECT client_id, tenant_id, secret_expires_on, set_up_by FROM entra_connection")
    assert client_id != tenant.info["client_id"], "UniAsset registered an app of its own"
    assert tenant_id == tenant.info["tenant_id"]
    assert set_up_by == GRACE
    today = datetime.date.today()
    expiry = datetime.date.fromisoformat(expires)
    assert 360 <= (expiry - today).days <= 366, expires
    first = keychain_secret(data_dir, session_env)
    assert len(first) >= 32
    assert tenant.token_status(client_id, first)[0] == 200
    app.by_text("*", "Made by UniAsset")
    app.cli("entra", "test")

    # 20 days before the secret expires (the session has long ended): the page offers Renew
    # secret and names the date.
    app.set_clock(f"{expiry - datetime.timedelta(days=20)}T10:00:00Z")
    app.driver.refresh()
    sign_in(app)
    open_entra(app)
    app.by_text("*", f"The client secret expires on {expiry}, in 20 days.")
    app.shot("renewal-due")
    app.click("button", "Renew secret")
    run_sign_in(app, tenant, GRACE, custom_cloud=False)
    app.by_text("*", "Secret renewed.")
    app.shot("secret-renewed")

    second = keychain_secret(data_dir, session_env)
    assert second and second != first
    status, body = tenant.token_status(client_id, first)
    assert status == 401 and "AADSTS7000215" in body, (status, body)
    assert tenant.token_status(client_id, second)[0] == 200
    (renewed_until,) = app.query("SELECT secret_expires_on FROM entra_connection")[0]
    assert datetime.date.fromisoformat(renewed_until) > expiry

    app.click("button", "Sync Now")
    app.wait_until(lambda: app.query("SELECT result FROM sync_runs") == [("succeeded",)], what="a succeeded run")

    # No secret or token anywhere but the keychain.
    replies = [ipc(app, name) for name in ("entra_overview", "app_status", "entra_setup_finish", "entra_renew_finish")]
    replies.append(ipc(app, "entra_check", {"input": {"tenant": "x", "client_id": "y", "cloud": "global",
                                                      "login_url": None, "graph_url": None,
                                                      "secret_expires_on": None}, "secret": "z"}))
    stored = stored_bytes(data_dir, session_env)
    for secret in (first, second):
        assert secret.encode() not in stored
        assert all(secret not in reply for reply in replies)
    assert JWT_START.encode() not in stored, "no access token in SQLite or the logs"
    assert all(JWT_START not in reply for reply in replies), replies


def test_an_account_without_the_role_gets_the_plain_message_and_the_guided_steps(
        launch, data_dir, session_env, start_tenant):
    tenant = tenant_with_admins(start_tenant)
    flows.organization(data_dir, session_env)
    app = launch()
    sign_in(app)
    open_entra(app)
    app.click("button", "Set it up for me")
    run_sign_in(app, tenant, CARL, custom_cloud=True)
    said = app.alert_text("may not register UniAsset")
    assert said.startswith(f"{CARL} signed in, but may not register UniAsset"), said
    assert "Global Administrator" in said, said
    app.by_text("*", "Register UniAsset in the Microsoft Entra admin center")
    app.wait_for(By.ID, "entra-tenant")
    app.shot("admin-role-needed")
    assert app.query("SELECT count(*) FROM entra_connection") == [(0,)]


def test_cli_entra_setup_and_renew_secret(data_dir, session_env, start_tenant):
    tenant = tenant_with_admins(start_tenant)
    flows.organization(data_dir, session_env)
    base = tenant.info["base_url"]

    def signed_in_by(account, *args):
        proc = subprocess.Popen([str(CLI), "--data-dir", str(data_dir), *args], env=session_env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        said = []
        for line in proc.stderr:
            said.append(line)
            if line.startswith("Code: "):
                assert "signed in" in tenant.sign_in_with_code(line.split()[1], account).lower()
                break
        out, err = proc.communicate(timeout=60)
        return proc.returncode, out, "".join(said) + err

    code, out, err = signed_in_by(GRACE, "entra", "setup", "--login-url", base, "--graph-url", base)
    assert code == 0, (out, err)
    assert f"{base}/devicelogin" in err, err
    assert out.startswith("Set up: UniAsset registered its app"), out
    first = keychain_secret(data_dir, session_env)

    code, out, err = signed_in_by(CARL, "entra", "renew-secret")
    assert code == 1, (out, err)
    assert "may not add a client secret" in err, err
    assert keychain_secret(data_dir, session_env) == first, "nothing changed"

    code, out, err = signed_in_by(GRACE, "--json", "entra", "renew-secret")
    assert code == 0, (out, err)
    renewal = json.loads(out)
    assert renewal["old_secret"].startswith("The old secret was removed"), renewal
    assert keychain_secret(data_dir, session_env) != first
    cli(data_dir, "entra", "test", env=session_env)
