#!/usr/bin/env python3
"""Measures UniAsset Desktop as a user runs it: time to first screen (spawn → the first
screen shown in the window, over WebDriver) and idle memory in the tray (started with
--minimized, as start-at-login does, and after the window's close button). Memory is PSS,
summed over the app and its WebKit helper processes. Give a second binary (e.g. one built
from an earlier commit) to measure both in the same run, side by side.

    cargo build --release -p uniasset-desktop
    xvfb-run -a scripts/with-keyring.sh tests/e2e/.venv/bin/python scripts/measure-app.py \
        target/release/uniasset-desktop [/tmp/before/uniasset-desktop]

The memory figures come from plain launches (no WebDriver: automation keeps a reference to
the first webview); only the time to first screen goes through tauri-driver.
"""

import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
from ports import free_port  # noqa: E402

# The ceiling of every wait on a condition (a window, the driver, processes ending): far above
# any figure, so that a busy machine gives slow figures, not errors. The pauses before a
# memory reading are settling times for that figure only; nothing is decided by them.
WAIT_SECONDS = 90


def wait_until(predicate, what: str, timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def smaps_kib(pid: int, fields: tuple[str, ...]) -> int:
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0
    return sum(int(line.split()[1]) for line in lines if line.split(":")[0] in fields)


def pss_kib(pid: int) -> int:
    return smaps_kib(pid, ("Pss",))


def private_kib(pid: int) -> int:
    """What only this process holds (USS): unlike PSS, it does not depend on whatever else
    runs on the machine and shares WebKit's or GTK's libraries."""
    return smaps_kib(pid, ("Private_Clean", "Private_Dirty"))


def tree(pid: int) -> list[int]:
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid] + [p for c in children for p in tree(int(c))]


def webkit_processes(pid: int) -> list[str]:
    """The WebKit helper processes `pid` has started that still run (not zombies)."""
    names = []
    for p in tree(pid)[1:]:
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        name, state = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()[0]
        if name.startswith("WebKit") and state != "Z":
            names.append(name)
    return names


def memory(pid: int) -> str:
    pids = tree(pid)
    own = pss_kib(pid) / 1024
    total = sum(pss_kib(p) for p in pids) / 1024
    helpers = [Path(f"/proc/{p}/comm").read_text().strip() for p in pids[1:] if Path(f"/proc/{p}/comm").exists()]
    webkit = sorted(h for h in helpers if h.startswith("WebKit"))
    private = sum(private_kib(p) for p in pids) / 1024
    return (f"app {own:.0f} MiB, app + {len(helpers)} helper process(es) {total:.0f} MiB (PSS), "
            f"{private:.0f} MiB private; WebKit processes: {', '.join(webkit) or 'none'}")


def window_shown(title: str) -> bool:
    from Xlib import X, display

    d = display.Display()
    try:
        pending = [d.screen().root]
        while pending:
            window = pending.pop()
            if window.get_wm_name() == title and window.get_attributes().map_state == X.IsViewable:
                return True
            pending.extend(window.query_tree().children)
        return False
    finally:
        d.close()


def close_window(title: str) -> bool:
    """Presses the window's close button as a window manager would: WM_DELETE_WINDOW."""
    from Xlib import X, display, protocol

    d = display.Display()
    protocols, delete = d.intern_atom("WM_PROTOCOLS"), d.intern_atom("WM_DELETE_WINDOW")
    pending = [d.screen().root]
    while pending:
        window = pending.pop()
        # Only the shown one: GTK's hidden leader and menu windows carry the name too.
        if window.get_wm_name() == title and window.get_attributes().map_state == X.IsViewable:
            event = protocol.event.ClientMessage(window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
            window.send_event(event)
            # A round trip: a busy X server can drop a request whose connection closes
            # right after it was written.
            d.sync()
            d.close()
            return True
        pending.extend(window.query_tree().children)
    d.close()
    return False


def tray_memory(app: str) -> None:
    data = Path(tempfile.mkdtemp())
    try:
        # Tray only, as at login.
        proc = subprocess.Popen([app, "--data-dir", str(data), "--minimized"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(15)
        print(f"  started minimized (tray only), after 15 s: {memory(proc.pid)}")
        proc.terminate()
        proc.wait()

        # As a person starts it: the window opens; then its close button.
        proc = subprocess.Popen([app, "--data-dir", str(data)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: window_shown("UniAsset"), "the UniAsset window to appear")
        time.sleep(5)
        print(f"  window open, 5 s after it appeared: {memory(proc.pid)}")
        assert close_window("UniAsset"), "the UniAsset window was not found"
        closed = time.monotonic()
        # Measured once the window's WebKit processes have ended (or the app has).
        wait_until(lambda: proc.poll() is not None or not webkit_processes(proc.pid),
                   "the closed window's WebKit processes to end")
        ended = time.monotonic() - closed
        alive = proc.poll() is None
        print(f"  after the close button: the app is {'still running in the tray' if alive else 'gone'}")
        if alive:
            print(f"  window closed (tray only), once its WebKit processes ended ({ended:.1f} s): {memory(proc.pid)}")
        proc.terminate()
        proc.wait()
    finally:
        shutil.rmtree(data, ignore_errors=True)


def first_screen(app: str) -> None:
    data = Path(tempfile.mkdtemp())
    port = free_port()
    driver_bin = shutil.which("tauri-driver") or str(Path.home() / ".cargo/bin/tauri-driver")
    tauri_driver = subprocess.Popen([driver_bin, "--port", str(port), "--native-port", str(free_port())],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def answers():
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=5)
                return True
            except OSError:
                return False
        wait_until(answers, "tauri-driver to answer")
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability("tauri:options", {"application": str(Path(app).resolve()), "args": ["--data-dir", str(data)]})
        started = time.monotonic()
        driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options)
        while not [e for e in driver.find_elements(By.TAG_NAME, "h1") if e.is_displayed()]:
            if time.monotonic() - started > WAIT_SECONDS:
                raise TimeoutError(f"no first screen within {WAIT_SECONDS} s")
            time.sleep(0.02)
        print(f"  time to first screen (spawn to the setup screen shown, WebDriver included): "
              f"{time.monotonic() - started:.2f} s")
        app_pid = int(subprocess.run(["pgrep", "-n", "-x", Path(app).name[:15]], capture_output=True,
                                     text=True).stdout.split()[0])
        driver.quit()
        # Closing its window leaves the app in the tray; end it, or the next binary measured
        # would only reach this one (one instance at a time).
        subprocess.run(["kill", str(app_pid)], stderr=subprocess.DEVNULL)
    finally:
        tauri_driver.terminate()
        tauri_driver.wait()
        shutil.rmtree(data, ignore_errors=True)


def main(apps: list[str]) -> None:
    for app in apps:
        print(f"{app}:")
        tray_memory(app)
        first_screen(app)


if __name__ == "__main__":
    main(sys.argv[1:] or ["target/release/uniasset-desktop"])
