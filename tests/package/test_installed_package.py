"""Smoke test of the built .deb as a user gets it: installed with apt, the installed
`uniasset` and `uniasset-desktop` answer --version, the installed app runs the demo
organization to a successful Sync Now (WebDriver, under Xvfb), and removing the package
leaves the user's data where it was.

Needs root (or sudo) and a machine without the package installed:

    scripts/package.sh
    xvfb-run -a -s "-screen 0 1280x800x24" tests/e2e/.venv/bin/pytest tests/package -q -rA

The package is target/release/bundle/deb/*.deb (CARGO_TARGET_DIR is honoured) or
UNIASSET_DEB."""

import shutil
import sqlite3
from pathlib import Path

from selenium.webdriver.common.by import By

from e2e_harness import ARTIFACTS, App, open_window, tauri_driver
from installed import APP, CLI, DESKTOP_ENTRY, PACKAGE, VERSION, apt_get, deb, installed, run


def check_contents():
    files = set(run("dpkg", "-L", PACKAGE).split())
    for path in (APP, CLI, DESKTOP_ENTRY):
        assert str(path) in files, f"{path} is not in the package"
    assert any(f.startswith("/usr/share/icons/hicolor/") for f in files), "no icon in the package"
    entry = DESKTOP_ENTRY.read_text()
    for line in ("Name=UniAsset", "Exec=uniasset-desktop", "Icon=uniasset-desktop"):
        assert line in entry.splitlines(), f"{line!r} missing from the desktop entry:\n{entry}"
    # Every library the binaries link is on the machine after apt resolved the Depends.
    for binary in (APP, CLI):
        assert "not found" not in run("ldd", binary), run("ldd", binary)


def demo_sync_now(env: dict, shots: Path) -> Path:
    """The installed app, as a first-time user starts it: no arguments, so its data goes to
    the platform's app data folder under the session's private home."""
    log = shots / "driver.log"
    with tauri_driver(env, log) as url:
        driver = open_window(url, APP, [], log)
        try:
            data_dir = Path(env["XDG_DATA_HOME"]) / "app.uniasset.desktop"
            app = App(driver, data_dir, shots, env)
            app.click("button", "Explore with a demo organization")
            app.wait_for(By.XPATH, "//nav[@aria-label='Main']")
            app.press(By.XPATH, "//nav[@aria-label='Main']//button[contains(., 'Settings')]")
            app.press(By.XPATH, "//button[@role='tab'][contains(., 'Integrations')]")
            app.press(By.XPATH, "//button[contains(., 'Microsoft Entra ID')]")
            app.press(By.XPATH, "//button[contains(., 'Sync Now')]")
            app.wait_until(lambda: app.query("SELECT result FROM sync_runs") == [("succeeded",)],
                           what="the demo's Sync Now to succeed")
            app.by_text("*", "Deleted from Entra")
            app.shot("installed-demo-sync-now")
            return data_dir
        finally:
            driver.quit()


def test_the_installed_package(session_env):
    package = deb()
    assert not installed(), f"{PACKAGE} is already installed here; this test installs and removes it itself"
    shots = ARTIFACTS / "test_the_installed_package"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)

    apt_get("install", str(package))
    try:
        check_contents()
        assert run(CLI, "--version") == f"uniasset {VERSION}\n"
        assert run(APP, "--version") == f"UniAsset Desktop {VERSION}\n"
        data_dir = demo_sync_now(session_env, shots)
        # The installed command line finds the same data without being told where.
        assert "Northwind Traders (demo)" in run(CLI, "org", "show", env=session_env)
    finally:
        apt_get("remove", PACKAGE)

    assert not installed() and not APP.exists() and not CLI.exists()
    # Removing the program never takes the organization with it.
    database = data_dir / "uniasset.db"
    assert database.is_file(), f"{data_dir} did not survive removing the package"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        assert db.execute("SELECT result FROM sync_runs").fetchall() == [("succeeded",)]
