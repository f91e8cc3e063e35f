#!/usr/bin/env python3
"""Measures UniAsset Desktop as a user runs it: time to first screen (spawn → the first
screen shown in the window, over WebDriver) and idle memory in the tray (started with
--minimized, as start-at-login does, or with the window closed). Memory is PSS, summed over
the app and its WebKit helper processes.

    cargo build --release -p uniasset-desktop
    xvfb-run -a scripts/with-keyring.sh tests/e2e/.venv/bin/python scripts/measure-app.py target/release/uniasset-desktop
"""

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree(pid: int) -> list[int]:
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid] + [p for c in children for p in tree(int(c))]


def memory(pid: int) -> str:
    pids = tree(pid)
    own = pss_kib(pid) / 1024
    total = sum(pss_kib(p) for p in pids) / 1024
    return f"app {own:.0f} MiB, with {len(pids) - 1} WebKit helper process(es) {total:.0f} MiB (PSS)"


def close_window(title: str) -> bool:
    """Presses the window's close button as a window manager would: WM_DELETE_WINDOW."""
    from Xlib import X, display, protocol

    d = display.Display()
    protocols, delete = d.intern_atom("WM_PROTOCOLS"), d.intern_atom("WM_DELETE_WINDOW")
    pending = [d.screen().root]
    while pending:
        window = pending.pop()
        if window.get_wm_name() == title:
            event = protocol.event.ClientMessage(window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
            window.send_event(event)
            d.flush()
            return True
        pending.extend(window.query_tree().children)
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(app: str) -> None:
    data = Path(tempfile.mkdtemp())
    try:
        # Tray only, as at login.
        proc = subprocess.Popen([app, "--data-dir", str(data), "--minimized"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(15)
        print(f"idle, started minimized (tray only), after 15 s: {memory(proc.pid)}")
        proc.terminate()
        proc.wait()

        port = free_port()
        driver_bin = shutil.which("tauri-driver") or str(Path.home() / ".cargo/bin/tauri-driver")
        tauri_driver = subprocess.Popen([driver_bin, "--port", str(port), "--native-port", str(free_port())],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability("tauri:options", {"application": str(Path(app).resolve()), "args": ["--data-dir", str(data)]})
        started = time.monotonic()
        driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options)
        while not [e for e in driver.find_elements(By.TAG_NAME, "h1") if e.is_displayed()]:
            time.sleep(0.02)
        print(f"time to first screen (spawn to the setup screen shown, WebDriver included): {time.monotonic() - started:.2f} s")
        app_pid = int(subprocess.run(["pgrep", "-n", "-x", Path(app).name[:15]], capture_output=True, text=True).stdout.split()[0])
        time.sleep(5)
        print(f"window open: {memory(app_pid)}")
        assert close_window("UniAsset"), "the UniAsset window was not found"
        time.sleep(15)
        alive = Path(f"/proc/{app_pid}").exists()
        print(f"after the close button: the app is {'still running in the tray' if alive else 'gone'}")
        print(f"idle after closing the window (tray only), 15 s later: {memory(app_pid)}")
        driver.quit()
        tauri_driver.terminate()
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/release/uniasset-desktop")
