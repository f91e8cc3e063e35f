"""Support (R-X1): Settings → General shows the version; Copy diagnostics puts a report
with the version, the data directory and the last runs on the real clipboard and shows it,
with no secret in it (the client secret in the real keychain, the Owner's password hash in
the real database, a token the log once held); the log rotates at its size cap."""

import os
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

import flows
from conftest import cli
from flows import open_settings_tab, sign_in

VERSION = "0.1.0"
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJjb250b3NvIn0.c2lnbmF0dXJl"


def log_dir(env) -> Path:
    """Where the app logs (Tauri's app log folder on Linux)."""
    return Path(env["XDG_DATA_HOME"]) / "app.uniasset.desktop" / "logs"


def paste(app) -> str:
    """What the clipboard holds, pasted with Ctrl+V into a text area of the page's own, as
    a person would paste it into a message."""
    area = app.driver.execute_script(
        "const t = document.createElement('textarea'); t.id = 'paste-here';"
        "document.body.append(t); t.focus(); return t;"
    )
    ActionChains(app.driver).key_down(Keys.CONTROL).send_keys("v").key_up(Keys.CONTROL).perform()
    app.wait_until(lambda: area.get_attribute("value"), what="the pasted clipboard")
    text = area.get_attribute("value")
    app.driver.execute_script("arguments[0].remove()", area)
    return text


def test_copy_diagnostics_has_the_version_and_no_secret(launch, data_dir, session_env, start_tenant):
    flows.organization(data_dir, env=session_env)
    tenant = start_tenant([("ann@contoso.example", True, False)])
    flows.connect(data_dir, tenant, session_env)
    cli(data_dir, "entra", "sync", env=session_env)
    # A log that once held the secret and a token (an old build, a pasted line).
    logs = log_dir(session_env)
    logs.mkdir(parents=True)
    (logs / "UniAsset.log").write_text(
        f"[2025-03-01][03:00:01][uniasset][WARN] tried the secret {tenant.secret}\n"
        f"[2025-03-01][03:00:02][reqwest][DEBUG] Authorization: Bearer {TOKEN}\n"
    )

    app = launch()
    sign_in(app)
    open_settings_tab(app, "General")
    about = app.wait_for(By.XPATH, "//section[@aria-labelledby='general-about-title']")
    app.wait_until(lambda: f"Version {VERSION}" in app.text(about), what="the version")
    app.click("button", "Copy diagnostics")
    app.by_text("*[@role='status']", "Copied.")
    shown = app.wait_for(By.ID, "general-diagnostics").get_attribute("value")
    app.shot("diagnostics-copied", show=about)

    (hash_,) = app.query("SELECT password_hash FROM users WHERE email = ?", flows.OWNER_EMAIL)[0]
    copied = paste(app)
    # A text field keeps the lines; compare line by line.
    assert copied.splitlines() == shown.splitlines(), (copied, shown)
    assert shown.startswith(f"UniAsset Desktop {VERSION}\n"), shown
    assert f"Data directory: {data_dir}" in shown, shown
    assert "Sync runs, newest first (the last 20 at most): 1\n  #1 " in shown, shown
    assert " cli succeeded by command line: 0 deactivated" in shown, shown
    assert "tried the secret [redacted client secret]" in shown, shown
    assert "Authorization: Bearer [redacted token]" in shown, shown
    for secret in (tenant.secret, hash_, hash_.rsplit("$", 1)[1], TOKEN):
        assert secret not in shown and secret not in copied


def test_the_log_rotates_at_its_size_cap(launch, data_dir, session_env):
    flows.organization(data_dir, env=session_env)
    logs = log_dir(session_env)
    logs.mkdir(parents=True)
    # Five rotated files already, and a current one over the 1 MB cap.
    for day in range(1, 6):
        (logs / f"UniAsset_2025-01-0{day}_00-00-00.log").write_text(f"day {day}\n")
    (logs / "UniAsset.log").write_text("the full log\n" + "x" * 1_000_000 + "\n")

    app = launch()
    app.wait_for(By.ID, "signin-email")
    app.wait_until(lambda: (logs / "UniAsset.log").exists() and (logs / "UniAsset.log").stat().st_size < 1_000_000,
                   what="the full log rotated")
    files = sorted(p.name for p in logs.glob("*.log"))
    # The current file and four before it: the oldest two went, the full one was kept.
    assert len(files) == 5, files
    assert "UniAsset_2025-01-01_00-00-00.log" not in files and "UniAsset_2025-01-02_00-00-00.log" not in files
    newest = max((p for p in logs.glob("UniAsset_*.log")), key=os.path.getmtime)
    assert newest.read_text().startswith("the full log\n")
