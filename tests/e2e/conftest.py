"""End-to-end harness: the real app binary in a real WebKitGTK window, driven over
WebDriver (tauri-driver in front of WebKitWebDriver).

Each test gets a fresh data directory, its own D-Bus session with an unlocked
gnome-keyring (the real Secret Service keychain), its own tauri-driver, its own Graph
simulator on a loopback port (the real `graph-sim` binary), and a clock file the app's
scheduler reads (the app is built with the `test-clock` feature). Screenshots of every step
go to tests/e2e/artifacts/<test>/, which CI keeps."""

import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from jeepney import DBusAddress, MessageType, new_method_call
from jeepney.io.blocking import open_dbus_connection
from selenium import webdriver
from selenium.common.exceptions import (ElementClickInterceptedException, ElementNotInteractableException,
                                        StaleElementReferenceException,
                                        TimeoutException)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.support.ui import WebDriverWait

from ports import free_port

REPO = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug"
APP = TARGET / "uniasset-desktop"
CLI = TARGET / "uniasset"
GRAPH_SIM = TARGET / "graph-sim"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Every wait in these tests is on a condition (a screen, a row, a process, a log line); this
# is only the ceiling, after which the wait fails saying what it waited for. It is generous:
# on a busy machine (other programs keeping every core busy) starting WebKit or a sync can
# take many times as long as on an idle one, and a passing test never waits it out. Set
# UNIASSET_E2E_WAIT_SCALE (say 2) on a machine slower still. No fixed pause decides a result.
WAIT_SECONDS = 90 * float(os.environ.get("UNIASSET_E2E_WAIT_SCALE", "1"))


def wait_until(predicate, what: str, timeout: float = WAIT_SECONDS, interval: float = 0.2):
    """Polls `predicate` until it is true (returns its value), or fails after `timeout`
    seconds naming `what` it waited for."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def session_env(tmp_path):
    """A private D-Bus session with a fresh, unlocked gnome-keyring, and a private home and
    XDG folders (keyrings, autostart entries, caches), as environment variables."""
    xdg = {name: str(tmp_path / name.lower()) for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    for folder in xdg.values():
        Path(folder).mkdir()
    # Start-at-login entries go to $HOME/.config/autostart whatever XDG_CONFIG_HOME says.
    xdg["XDG_CONFIG_HOME"] = str(Path(xdg["HOME"]) / ".config")
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    address = bus.stdout.readline().strip()
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address, NO_AT_BRIDGE="1", **xdg)
    env.pop("DBUS_SESSION_BUS_PID", None)
    subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
        input="e2e-keyring", env=env, capture_output=True, text=True, check=True, timeout=WAIT_SECONDS,
    )
    env["UNIASSET_TEST_CLOCK_FILE"] = str(tmp_path / "clock")
    env["UNIASSET_TEST_TICK_MS"] = "300"
    yield env
    stop(bus)


class Tenant:
    """A Graph simulator process with accounts of fixed ids."""

    def __init__(self, info: dict, accounts: dict, proc: subprocess.Popen):
        self.info = info
        self.accounts = accounts  # upn -> object id
        self.proc = proc

    def disable(self, upn: str):
        """What an administrator does in Entra when someone leaves: disables the account,
        while the simulator runs (a command on its stdin, answered "ok")."""
        self._command(f"disable {self.accounts[upn]}")

    def enable(self, upn: str):
        """Enables the account again (someone back, or disabled by mistake)."""
        self._command(f"enable {self.accounts[upn]}")

    def set_manager(self, upn: str, manager_upn: str):
        """Makes one account the other's manager in Entra (GET /users/{id}/manager)."""
        self._command(f"manager {self.accounts[upn]} {self.accounts[manager_upn]}")

    def status(self, upn: str) -> dict:
        """The account as Entra has it now: {"enabled": bool, "sessions_revoked_at": str | None}."""
        return json.loads(self._ask(f"status {self.accounts[upn]}"))

    def _command(self, line: str):
        answer = self._ask(line)
        assert answer == "ok", answer

    def _ask(self, line: str) -> str:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    @property
    def secret(self) -> str:
        return self.info["client_secret"]

    def sign_in_with_code(self, code: str, upn: str) -> str:
        """What an administrator does in the browser: enter the code on the verification page
        and sign in as `upn`. Returns the page's text."""
        form = urllib.parse.urlencode({"code": code, "user": upn}).encode()
        try:
            with urllib.request.urlopen(f"{self.info['base_url']}/devicelogin", form, timeout=WAIT_SECONDS) as reply:
                return reply.read().decode()
        except urllib.error.HTTPError as e:
            return e.read().decode()

    def token_status(self, client_id: str, secret: str) -> tuple[int, str]:
        """The token endpoint's answer to a client-credentials request: (status, body)."""
        form = urllib.parse.urlencode({
            "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
            "scope": f"{self.info['base_url']}/.default",
        }).encode()
        url = f"{self.info['base_url']}/{self.info['tenant_id']}/oauth2/v2.0/token"
        try:
            with urllib.request.urlopen(url, form, timeout=WAIT_SECONDS) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


@pytest.fixture
def start_tenant(tmp_path):
    procs = []

    def start(accounts, latency_ms=0, guests=(), roles=None, grants=()) -> Tenant:
        """accounts: list of (upn, enabled, deleted) members; guests: UPNs of enabled guest
        accounts; latency_ms delays every Graph reply; roles: upn -> directory roles (such as
        "Global Administrator"); grants: application permissions the app was already granted
        (such as "User.EnableDisableAccount.All"). Device codes are polled every second."""
        roles = roles or {}
        seed = [{"id": str(uuid.uuid4()), "upn": upn, "enabled": enabled, "deleted": deleted,
                 "roles": roles.get(upn, [])}
                for upn, enabled, deleted in accounts]
        seed += [{"id": str(uuid.uuid4()), "upn": upn, "guest": True} for upn in guests]
        seed_file = tmp_path / f"seed-{len(procs)}.json"
        seed_file.write_text(json.dumps(seed))
        args = [str(GRAPH_SIM), "--seed", str(seed_file), "--latency-ms", str(latency_ms),
                "--device-code-interval", "1", *(f"--grant={g}" for g in grants)]
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        info = json.loads(proc.stdout.readline())
        return Tenant(info, {a["upn"]: a["id"] for a in seed}, proc)

    yield start
    for proc in procs:
        stop(proc)


class App:
    """The running app, seen as a user sees it, plus its data directory."""

    def __init__(self, driver, data_dir: Path, shots: Path, env: dict):
        self.driver = driver
        self.data_dir = data_dir
        self.shots = shots
        self.env = env

    def shot(self, name: str, show=None) -> Path:
        """Saves a screenshot; `show` is an element to scroll into view first."""
        if show is not None:
            # Twice: a page still settling (focus moving to its heading) can scroll back once.
            # (These pauses only steady the picture; no result depends on them.)
            for _ in range(2):
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", show)
                time.sleep(0.4)
        existing = len(list(self.shots.glob("*.png")))
        path = self.shots / f"{existing + 1:02d}-{name}.png"
        # The app draws without GL (src-tauri/src/drawing.rs), and WebKit then answers a
        # WebDriver screenshot only at the page's next paint, which a still page never makes:
        # an invisible change keeps paints coming until the screenshot is taken.
        self.driver.execute_script(
            "window.__uaRepaint = setInterval(() => document.documentElement.style.outline ="
            " document.documentElement.style.outline ? '' : '1px solid transparent', 50)")
        self.driver.save_screenshot(str(path))
        self.driver.execute_script(
            "clearInterval(window.__uaRepaint); document.documentElement.style.outline = ''")
        return path

    def wait_for(self, by, selector, timeout=WAIT_SECONDS):
        try:
            # An element replaced while it is looked at (a page re-rendering) is looked for again.
            return WebDriverWait(self.driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
                lambda d: next((e for e in d.find_elements(by, selector) if e.is_displayed()), None),
                f"timed out after {timeout:.0f} s waiting for {selector} to show",
            )
        except TimeoutException:
            self.shot("timeout")
            raise

    def wait_until(self, predicate, timeout=WAIT_SECONDS, what="condition"):
        try:
            return wait_until(predicate, what, timeout)
        except AssertionError:
            self.shot("timeout")
            raise

    def by_text(self, tag: str, text: str, timeout=WAIT_SECONDS):
        return self.wait_for(By.XPATH, f"//{tag}[contains(normalize-space(.), \"{text}\")]", timeout)

    def fill(self, element_id: str, value: str):
        field = self.wait_for(By.ID, element_id)
        field.clear()
        field.send_keys(value)

    def press(self, by, selector, timeout=WAIT_SECONDS):
        """Clicks the first visible match once nothing covers it: a dialog that is still
        closing, or a page that re-renders or moves the element, makes WebDriver refuse the
        click."""
        def clicked(d):
            element = next((e for e in d.find_elements(by, selector) if e.is_displayed()), None)
            if element is None:
                return False
            # As a person scrolls to it: WebKitWebDriver does not always bring an element
            # inside a scrolling panel into view, and then calls it not interactable.
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
            element.click()
            return True

        try:
            WebDriverWait(self.driver, timeout, ignored_exceptions=[
                StaleElementReferenceException, ElementClickInterceptedException,
                ElementNotInteractableException]).until(
                clicked, f"timed out after {timeout:.0f} s trying to click {selector}")
        except TimeoutException:
            self.shot("timeout")
            raise

    def click(self, tag: str, text: str):
        self.press(By.XPATH, f"//{tag}[contains(normalize-space(.), \"{text}\")]")

    @staticmethod
    def text(element) -> str:
        # WebKitWebDriver's visible-text algorithm drops cells of CSS grid rows; innerText
        # is what the user reads.
        return element.get_attribute("innerText").strip()

    def alert_text(self, containing: str = "") -> str:
        def find(d):
            for a in d.find_elements(By.CSS_SELECTOR, "[role=alert]"):
                text = a.get_attribute("innerText").strip()
                if text and containing in text:
                    return text
            return None
        try:
            # An alert replaced while it is read (a busy page re-rendering) is read again.
            return WebDriverWait(self.driver, WAIT_SECONDS, ignored_exceptions=[StaleElementReferenceException]).until(
                find, f"timed out after {WAIT_SECONDS:.0f} s waiting for an alert saying {containing!r}")
        except TimeoutException:
            self.shot("timeout")
            raise

    def choose_file(self, title: str, path: Path, save=False):
        """Answers the native GTK file chooser titled `title` as a person would: focus it,
        type the path into its location field (an open dialog's Ctrl+L) or over the
        suggested name (a save dialog's), press Enter."""
        def xdotool(*args):
            return subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True,
                                  timeout=WAIT_SECONDS, check=True).stdout
        window = xdotool("search", "--sync", "--onlyvisible", "--name", title).split()[-1]
        xdotool("windowfocus", "--sync", window)
        time.sleep(0.3)
        xdotool("key", "--clearmodifiers", "ctrl+a" if save else "ctrl+l")
        xdotool("type", "--delay", "10", str(path))
        time.sleep(0.3)
        xdotool("key", "Return")

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.data_dir / "uniasset.db")

    def query(self, sql: str, *params):
        with self.db() as db:
            return db.execute(sql, params).fetchall()

    def cli(self, *args: str, stdin: str = "", check=True) -> subprocess.CompletedProcess:
        return cli(self.data_dir, *args, stdin=stdin, env=self.env, check=check)

    def set_clock(self, rfc3339: str):
        set_clock(self.env, rfc3339)

    def wait_for_tick(self, rfc3339: str):
        """Waits until the scheduler has finished a tick that saw the clock at `rfc3339` or
        later: whatever it was to start then, it has started (and a run, finished)."""
        wait_for_tick(self.env, rfc3339)

    def log(self) -> str:
        """The app's log so far (Tauri's app log folder on Linux)."""
        path = Path(self.env["XDG_DATA_HOME"]) / "app.uniasset.desktop" / "logs" / "UniAsset.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def switch_to_new_window(self, old_handles=(), timeout=WAIT_SECONDS):
        """After the window was closed (destroyed) and opened again, WebDriver drives the new
        one: its handle is a new one."""
        fresh = wait_until(lambda: [h for h in self.driver.window_handles if h not in old_handles],
                           f"a new window (handles before: {sorted(old_handles)})", timeout)
        self.driver.switch_to.window(fresh[0])
        return fresh[0]


def set_clock(env: dict, rfc3339: str):
    """Moves the app's clock (the `test-clock` build reads this file): written whole and
    renamed into place, so the app never reads a half-written time."""
    path = Path(env["UNIASSET_TEST_CLOCK_FILE"])
    partial = path.with_name(path.name + ".partial")
    partial.write_text(rfc3339)
    partial.replace(path)


def _rfc3339(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))


def wait_for_tick(env: dict, rfc3339: str):
    """Waits until the app's scheduler has finished a tick that saw the clock at `rfc3339` or
    later (the `test-clock` build writes each finished tick's time next to the clock file)."""
    at = _rfc3339(rfc3339)
    ticked = Path(env["UNIASSET_TEST_CLOCK_FILE"] + ".ticked")

    def seen():
        try:
            return _rfc3339(ticked.read_text()) >= at
        except (OSError, ValueError):
            return False
    wait_until(seen, f"the scheduler to finish a tick at {rfc3339}")


def close_window(pid: int, title: str = "UniAsset"):
    """Presses the close button of process `pid`'s window as a window manager would
    (WM_DELETE_WINDOW). By pid: the previous test's app may still be on the display."""
    from Xlib import X, display, protocol

    d = display.Display()
    try:
        protocols, delete = d.intern_atom("WM_PROTOCOLS"), d.intern_atom("WM_DELETE_WINDOW")
        wm_pid = d.intern_atom("_NET_WM_PID")
        pending = [d.screen().root]
        while pending:
            window = pending.pop()
            owner = window.get_full_property(wm_pid, X.AnyPropertyType)
            # Only the shown one: GTK's hidden leader and menu windows carry the name too.
            if (window.get_wm_name() == title and owner and owner.value[0] == pid
                    and window.get_attributes().map_state == X.IsViewable):
                window.send_event(protocol.event.ClientMessage(
                    window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])))
                # A round trip, not just a flush: closing the connection right after writing
                # the request lets a busy X server see the hang-up first and drop the request
                # unread, and the close button would never have been pressed.
                d.sync()
                return
            pending.extend(window.query_tree().children)
    finally:
        d.close()
    raise AssertionError(f"no window titled {title!r} of process {pid} to close")


def cli(data_dir: Path, *args: str, stdin: str = "", env=None, check=True) -> subprocess.CompletedProcess:
    """The real `uniasset` binary, for preparing data the way an administrator would
    (`check=False` to look at a refusal)."""
    done = subprocess.run(
        [str(CLI), "--data-dir", str(data_dir), *args], input=stdin, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0 or not check, done.stderr + done.stdout
    return done


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@contextlib.contextmanager
def tauri_driver(env: dict, log: Path):
    """tauri-driver on a free port, with `env` (the session's D-Bus, keyring and display);
    yields its URL once it answers, and stops it afterwards. Its output, and that of the
    WebKitWebDriver and app it starts, goes to `log`: an app that ends before its own log
    opens leaves its last words there."""
    port, native_port = free_port(), free_port()
    driver_bin = shutil.which("tauri-driver") or str(Path.home() / ".cargo" / "bin" / "tauri-driver")  # the real home
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [driver_bin, "--port", str(port), "--native-port", str(native_port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"

        def answers():
            assert proc.poll() is None, f"tauri-driver ended (exit code {proc.returncode})"
            # WebKitWebDriver, which tauri-driver starts, ends at once when it cannot listen;
            # tauri-driver would then never answer.
            assert b"FATAL" not in log.read_bytes(), log.read_text(errors="replace")[:2000]
            try:
                urllib.request.urlopen(f"{url}/status", timeout=5)
                return True
            except OSError:
                return False
        wait_until(answers, "tauri-driver to answer")
        yield url
    finally:
        stop(proc)


def app_running(data_dir: Path) -> bool:
    """Whether an app started on `data_dir` still runs."""
    wanted = f"--data-dir\0{data_dir}\0".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if cmdline.split(b"\0")[0].endswith(b"uniasset-desktop") and wanted in cmdline:
            return True
    return False


def open_window(url: str, application: Path, args: list[str], log: Path) -> webdriver.Remote:
    """Starts `application` with `args` through tauri-driver at `url`; its window, driven.
    `log` is the driver's output, quoted when the window never comes."""
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    options.set_capability("tauri:options", {"application": str(application), "args": args})
    # A request that never gets an answer (the app gone before WebKitWebDriver reached it)
    # fails the test instead of hanging the suite; longer than any script may wait.
    config = ClientConfig(remote_server_addr=url, timeout=int(3 * WAIT_SECONDS))
    try:
        driver = webdriver.Remote(command_executor=url, options=options, client_config=config)
    except Exception as error:
        tail = log.read_text(errors="replace")[-4000:] if log.exists() else ""
        raise AssertionError(f"the app's window did not open: {error}\n--- {log} ---\n{tail}") from error
    # Scripts that wait for the app (an IPC call's answer) get the same ceiling as any wait.
    driver.set_script_timeout(WAIT_SECONDS)
    return driver


@pytest.fixture
def launch(session_env, data_dir, request):
    """Starts tauri-driver and the app on `data_dir` (prepare the directory first if the
    test needs to). Calling it again starts the app again (a restart)."""
    shots = ARTIFACTS / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    stack = contextlib.ExitStack()
    log = shots / "driver.log"
    url = stack.enter_context(tauri_driver(session_env, log))
    drivers = []

    def start() -> App:
        restart = bool(drivers)
        for d in drivers:
            d.quit()
        drivers.clear()
        if restart:
            # On a busy machine the quit app can take a while to end; a new one started
            # meanwhile would hand over to it (one instance at a time) and end at once.
            wait_until(lambda: not app_running(data_dir), "the previous app to end")
        driver = open_window(url, APP, ["--data-dir", str(data_dir)], log)
        drivers.append(driver)
        return App(driver, data_dir, shots, session_env)

    yield start
    for driver in drivers:
        driver.quit()
    stack.close()


class Tray:
    """The app's tray item as a desktop panel sees it: a StatusNotifierItem registered with a
    real watcher on the test's session bus, its menu read and clicked over
    com.canonical.dbusmenu."""

    WATCHER = DBusAddress("/StatusNotifierWatcher", bus_name="org.kde.StatusNotifierWatcher",
                          interface="org.freedesktop.DBus.Properties")

    def __init__(self, bus_address: str):
        self.bus = open_dbus_connection(bus=bus_address)

    def close(self):
        self.bus.close()

    def _call(self, address: DBusAddress, method: str, signature=None, body=(), interface=None):
        msg = new_method_call(address if interface is None else address.with_interface(interface),
                              method, signature, body)
        # The app answers on its main thread, which a busy machine can keep busy for a while.
        reply = self.bus.send_and_get_reply(msg, timeout=WAIT_SECONDS)
        if reply.header.message_type == MessageType.error:
            raise RuntimeError(f"D-Bus {method} failed: {reply.body}")
        return reply.body

    def _prop(self, address: DBusAddress, interface: str, name: str):
        (_signature, value), = self._call(address, "Get", "ss", (interface, name),
                                          interface="org.freedesktop.DBus.Properties")
        return value

    def registered(self) -> list[str]:
        return self._prop(self.WATCHER, "org.kde.StatusNotifierWatcher", "RegisteredStatusNotifierItems")

    def item(self, timeout=WAIT_SECONDS) -> DBusAddress:
        """The one registered item, once the app has registered it. The watcher lists it by
        bus name; libayatana-appindicator serves it under /org/ayatana/NotificationItem/<id>."""
        items = wait_until(self.registered, "a tray item registered with the StatusNotifierWatcher", timeout)
        assert len(items) == 1, items
        bus_name = items[0].split("/")[0]
        base = "/org/ayatana/NotificationItem"
        (xml,) = self._call(DBusAddress(base, bus_name=bus_name), "Introspect",
                            interface="org.freedesktop.DBus.Introspectable")
        nodes = re.findall(r'<node name="([^"]+)"', xml)
        assert nodes, f"no notification item under {base} on {bus_name}"
        return DBusAddress(f"{base}/{nodes[0]}", bus_name=bus_name)

    def item_property(self, name: str):
        return self._prop(self.item(), "org.kde.StatusNotifierItem", name)

    def pid(self) -> int:
        """The process that owns the tray item: the app."""
        dbus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
        (pid,) = self._call(dbus, "GetConnectionUnixProcessID", "s", (self.item().bus_name,))
        return pid

    def _menu(self) -> DBusAddress:
        path = self.item_property("Menu")
        return DBusAddress(path, bus_name=self.item().bus_name, interface="com.canonical.dbusmenu")

    def menu(self) -> list[dict]:
        """The menu's items in order: id, label, enabled, type, from GetLayout."""
        _revision, (_root, _props, children) = self._call(
            self._menu(), "GetLayout", "iias", (0, -1, ["label", "enabled", "type", "visible"]))
        items = []
        for _signature, (item_id, props, _children) in children:
            values = {k: v for k, (_sig, v) in props.items()}
            items.append({"id": item_id, "label": values.get("label", ""), "enabled": values.get("enabled", True),
                          "type": values.get("type", "standard")})
        return items

    def label_starting(self, prefix: str) -> str:
        return next(i["label"] for i in self.menu() if i["label"].startswith(prefix))

    def click(self, label: str):
        """Clicks the menu item labelled `label` (ignoring GTK's mnemonic underscores)."""
        items = [i for i in self.menu() if i["label"].replace("_", "") == label]
        assert items, f"no tray menu item {label!r} in {[i['label'] for i in self.menu()]}"
        self._call(self._menu(), "Event", "isvu", (items[0]["id"], "clicked", ("i", 0), 0))


@pytest.fixture
def tray(session_env):
    """A real StatusNotifierItem host (Debian's status-notifier-watcher) on the test's session
    bus, started before the app so the app registers its tray item with it. List it before
    `launch` in a test's arguments."""
    watcher = subprocess.Popen(["status-notifier-watcher"], env=session_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tray = Tray(session_env["DBUS_SESSION_BUS_ADDRESS"])
    dbus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")

    def started():
        assert watcher.poll() is None, "status-notifier-watcher ended"
        return tray._call(dbus, "NameHasOwner", "s", ("org.kde.StatusNotifierWatcher",))[0]
    wait_until(started, "status-notifier-watcher to start", interval=0.1)
    yield tray
    tray.close()
    stop(watcher)
