"""In-app updates (issue 28) as an owner gets them. Two packages are built with a throwaway
signing key made by the Tauri CLI's signer: this version, and a newer one whose version is
overridden in the build's Tauri configuration. The older is installed with apt; the feed
(latest.json) and the newer .deb are served over HTTPS on 127.0.0.1 by a test certificate
authority the app is told to trust (SSL_CERT_FILE), at the address UNIASSET_UPDATE_FEED gives.
Through the installed app's window (WebDriver, under Xvfb), Settings → General → Updates, and
its tray menu (read over D-Bus from a real StatusNotifierItem watcher):

1. nothing listening at the feed's address: "Could not check for updates", nothing else;
2. a feed whose signature is another key's: the release is offered with its notes, Install is
   refused with the message, and nothing is installed;
3. the feed signed with the key the app was built with: the app downloads, verifies and
   installs the newer package; `uniasset-desktop --version` prints it, the organization's
   data is intact, and Restart now starts the new program.

Needs root (dpkg), and builds two release packages (the desktop crate twice) from the front
end already built (`npm --prefix ui run build`, as `make test` does first):

    xvfb-run -a -s "-screen 0 1280x800x24" tests/e2e/.venv/bin/pytest tests/package/test_update.py -q -rA

It leaves target/release with the newer test build; `make package` builds the real one again."""

import http.server
import json
import os
import shutil
import sqlite3
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from e2e_harness import ARTIFACTS, REPO, WAIT_SECONDS, App, free_port, open_window, tauri_driver, wait_until
from installed import APP, CLI, PACKAGE, VERSION as OLD, apt_get, installed, run

TAURI = REPO / "packaging" / "node_modules" / ".bin" / "tauri"
_major, _minor, _patch = (int(n) for n in OLD.split("."))
NEW = f"{_major}.{_minor}.{_patch + 1}"
NOTES = "Faster nightly sync.\nThe Users page remembers its filter."


def sh(*args, cwd=None, env=None, log=None):
    out = open(log, "ab") if log else subprocess.PIPE
    try:
        done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, stdout=out,
                              stderr=out if log else subprocess.PIPE, text=True)
    finally:
        if log:
            out.close()
    assert done.returncode == 0, f"{args[0]} failed" + (f"; see {log}" if log else f": {done.stderr}{done.stdout}")
    return done


def key_pair(folder: Path, name: str) -> tuple[Path, str]:
    """A throwaway minisign key pair from the project's own Tauri CLI; the private key's path
    and the public key as tauri.conf.json holds it."""
    key = folder / f"{name}.key"
    sh(TAURI, "signer", "generate", "--ci", "--password", "", "--write-keys", key)
    return key, (folder / f"{name}.key.pub").read_text().strip()


def sign(key: Path, package: Path, version: str) -> Path:
    """Writes the package's .sig beside it, as the release's bundler does."""
    Path(f"{package}.sig").unlink(missing_ok=True)
    sh(TAURI, "signer", "sign", "--private-key-path", key, "--password", "", "--app-version", version, package)
    return package


def build(version: str, pubkey: str, into: Path, log: Path) -> Path:
    """scripts/package.sh with this version and the test's public key in the app's Tauri
    configuration (compiled into the app, and handed to the bundler)."""
    config = {"version": version, "plugins": {"updater": {"pubkey": pubkey}}}
    env = dict(os.environ, TAURI_CONFIG=json.dumps(config))
    sh(REPO / "scripts" / "package.sh", "--no-deps", cwd=REPO, env=env, log=log)
    target = Path(env.get("CARGO_TARGET_DIR", REPO / "target"))
    debs = list((target / "release" / "bundle" / "deb").glob("*.deb"))
    assert len(debs) == 1, debs
    into.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(debs[0], into / debs[0].name))


class Feed:
    """An HTTPS server on 127.0.0.1 serving what `files` holds, path by path."""

    def __init__(self, port: int, certificate: Path, key: Path):
        self.files: dict[str, bytes] = {}
        self.asked: list[str] = []
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                feed.asked.append(self.path)
                body = feed.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def offer(self, package: Path, port: int):
        """The package, and the feed the release workflow would publish for it (its
        signature read from the .sig beside it)."""
        notes = package.parent / "notes.md"
        notes.write_text(NOTES)
        latest = sh(sys.executable, REPO / "scripts" / "release-feed.py", "--version", NEW, "--notes-file", notes,
                    "--base-url", f"https://127.0.0.1:{port}", package.parent).stdout
        assert json.loads(latest)["platforms"]["linux-x86_64-deb"]["url"] == f"https://127.0.0.1:{port}/{package.name}"
        self.files["/latest.json"] = latest.encode()
        self.files[f"/{package.name}"] = package.read_bytes()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def certificate_authority(folder: Path) -> tuple[Path, Path, Path]:
    """A test CA, and a certificate it signed for 127.0.0.1: the CA's file, the server's
    certificate and key."""
    def openssl(*args):
        sh("openssl", *args, cwd=folder)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=UniAsset update test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1")
    (folder / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


def installed_version() -> str:
    return run("dpkg-query", "-W", "-f=${Version}", PACKAGE)


def updates_card(app: App):
    app.press(By.XPATH, "//nav[@aria-label='Main']//button[contains(., 'Settings')]")
    return app.wait_for(By.XPATH, "//section[@aria-labelledby='general-updates-title']")


def programs() -> dict[int, str]:
    """Every running uniasset-desktop: its pid and its program file, which ends in
    " (deleted)" once a newer package has replaced the file it started from."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            exe = os.readlink(proc / "exe")
        except OSError:
            continue
        if exe.startswith(str(APP)):
            found[int(proc.name)] = exe
    return found


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """The signing keys and the two packages, built once for the module."""
    assert not installed(), f"{PACKAGE} is already installed here; this test installs and removes it itself"
    folder = tmp_path_factory.mktemp("update")
    log = ARTIFACTS / "test_update" / "build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    key, pubkey = key_pair(folder, "uniasset-test")
    wrong_key, _ = key_pair(folder, "someone-else")
    new = build(NEW, pubkey, folder / "new", log)
    old = build(OLD, pubkey, folder / "old", log)
    return {"folder": folder, "key": key, "wrong_key": wrong_key, "old": old, "new": new}


def tray_says(tray, label: str):
    wait_until(lambda: label in [i["label"] for i in tray.menu()], f"the tray to say {label!r}")


def test_the_installed_app_finds_verifies_and_installs_the_newer_package(packages, tray, session_env):
    shots = ARTIFACTS / "test_update"
    for old_shot in shots.glob("*.png"):
        old_shot.unlink()
    ca, certificate, server_key = certificate_authority(packages["folder"])
    port = free_port()
    env = dict(session_env, UNIASSET_UPDATE_FEED=f"https://127.0.0.1:{port}/latest.json", SSL_CERT_FILE=str(ca))

    apt_get("install", str(packages["old"]))
    feed = None
    driver = None
    try:
        assert run(APP, "--version") == f"UniAsset Desktop {OLD}\n"
        log = shots / "driver.log"
        with tauri_driver(env, log) as url:
            driver = open_window(url, APP, [], log)
            data_dir = Path(env["XDG_DATA_HOME"]) / "app.uniasset.desktop"
            app = App(driver, data_dir, shots, env)
            app.click("button", "Explore with a demo organization")
            app.wait_for(By.XPATH, "//nav[@aria-label='Main']")
            card = updates_card(app)
            assert f"This is UniAsset {OLD}." in App.text(card)
            assert f"https://127.0.0.1:{port}/latest.json is used" in App.text(card)

            # 1. Nothing answers at the feed's address: the quiet message, and nothing else.
            app.click("button", "Check for updates")
            assert "Could not check for updates." in app.alert_text("Could not check for updates")
            assert not card.find_elements(By.XPATH, ".//button[starts-with(normalize-space(.), 'Install')]")
            app.shot("no-feed", show=card)
            people_before = app.query("SELECT count(*) FROM users")
            org_before = app.query("SELECT name FROM organization")

            # 2. A feed signed with another key: offered, refused at install, nothing installed.
            feed = Feed(port, certificate, server_key)
            feed.offer(sign(packages["wrong_key"], packages["new"], NEW), port)
            app.click("button", "Check for updates")
            app.by_text("h3", f"UniAsset {NEW} is available")
            # The tray says so too, and takes the owner to the release from anywhere.
            tray_says(tray, f"Update available: UniAsset {NEW}…")
            app.press(By.XPATH, "//nav[@aria-label='Main']//button[contains(., 'Home')]")
            tray.click(f"Update available: UniAsset {NEW}…")
            app.wait_until(lambda: driver.execute_script(
                "return document.activeElement.contains(document.getElementById('general-updates-title'))"),
                what="the Updates card to be shown and focused")
            card = app.wait_for(By.XPATH, "//section[@aria-labelledby='general-updates-title']")
            notes = app.wait_for(By.XPATH, "//*[@aria-label='Release notes']")
            assert App.text(notes) == NOTES
            app.click("button", f"Install UniAsset {NEW}")
            refusal = app.alert_text("signature does not match")
            assert "it was refused and nothing was installed" in refusal, refusal
            app.shot("signature-refused", show=card)
            assert installed_version() == OLD
            assert run(APP, "--version") == f"UniAsset Desktop {OLD}\n"
            assert f"/{packages['new'].name}" in feed.asked, "the package was downloaded before it was refused"
            waiting = data_dir / "updates"
            assert not waiting.exists() or not any(waiting.iterdir()), "a refused package was kept"

            # 3. The feed signed with the key the app was built with: installed.
            feed.offer(sign(packages["key"], packages["new"], NEW), port)
            app.click("button", "Check for updates")
            app.click("button", f"Install UniAsset {NEW}")
            app.by_text("p", f"UniAsset {NEW} is installed. Restart UniAsset to start using it.", timeout=3 * WAIT_SECONDS)
            app.shot("installed", show=card)
            tray_says(tray, f"Restart to use UniAsset {NEW}…")
            assert installed_version() == NEW
            assert run(APP, "--version") == f"UniAsset Desktop {NEW}\n"
            # The organization is as it was, and the audit log says who installed what.
            assert app.query("SELECT count(*) FROM users") == people_before
            assert app.query("SELECT name FROM organization") == org_before
            assert app.query("SELECT detail FROM audit_entries WHERE action = 'updates.installed'") == [
                (f"UniAsset {NEW} installed (was {OLD})",)]
            assert "Northwind Traders (demo)" in run(CLI, "org", "show", env=env)

            # Restart now: this program ends and the installed one starts in its place.
            assert list(programs().values()) == [f"{APP} (deleted)"], programs()
            restart = app.wait_for(By.XPATH, "//button[normalize-space(.)='Restart now']")
            try:
                restart.click()
            except WebDriverException:
                pass  # the app ended while WebDriver waited for the click's answer: what we asked
            wait_until(lambda: list(programs().values()) == [str(APP)], "the new version alone to run")
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception:
                pass
        subprocess.run(["pkill", "-f", str(APP)])
        if feed is not None:
            feed.close()
        apt_get("remove", PACKAGE)
    assert not installed()
