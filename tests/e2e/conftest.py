"""End-to-end harness: the real app binary in a real WebKitGTK window, driven over
WebDriver (tauri-driver in front of WebKitWebDriver). Each test gets a fresh data directory;
screenshots of every step go to tests/e2e/artifacts/<test>/ (CI keeps that folder)."""

import os
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "target" / "debug" / "uniasset-desktop"
CLI = REPO / "target" / "debug" / "uniasset"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WAIT_SECONDS = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def tauri_driver():
    port, native_port = free_port(), free_port()
    driver_bin = shutil.which("tauri-driver") or str(Path.home() / ".cargo" / "bin" / "tauri-driver")
    proc = subprocess.Popen(
        [driver_bin, "--port", str(port), "--native-port", str(native_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/status", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("tauri-driver did not start")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


class App:
    """The running app, seen as a user sees it, plus its data directory."""

    def __init__(self, driver, data_dir: Path, shots: Path):
        self.driver = driver
        self.data_dir = data_dir
        self.shots = shots
        self.step = 0

    def shot(self, name: str) -> Path:
        self.step += 1
        path = self.shots / f"{self.step:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def wait_for(self, by, selector, timeout=WAIT_SECONDS):
        try:
            return WebDriverWait(self.driver, timeout).until(
                lambda d: next((e for e in d.find_elements(by, selector) if e.is_displayed()), None)
            )
        except TimeoutException:
            self.shot("timeout")
            raise

    def by_text(self, tag: str, text: str):
        return self.wait_for(By.XPATH, f"//{tag}[contains(normalize-space(.), '{text}')]")

    def fill(self, element_id: str, value: str):
        field = self.wait_for(By.ID, element_id)
        field.clear()
        field.send_keys(value)

    def click(self, tag: str, text: str):
        self.by_text(tag, text).click()

    @staticmethod
    def text(element) -> str:
        # WebKitWebDriver's visible-text algorithm drops cells of CSS grid rows; innerText
        # is what the user reads.
        return element.get_attribute("innerText").strip()

    def alert_text(self) -> str:
        alert = WebDriverWait(self.driver, WAIT_SECONDS).until(
            lambda d: next((a for a in d.find_elements(By.CSS_SELECTOR, "[role=alert]") if a.text.strip()), None)
        )
        return alert.text.strip()

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.data_dir / "uniasset.db")


def cli(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """The real `uniasset` binary, for preparing data the way an administrator would."""
    done = subprocess.run(
        [str(CLI), "--data-dir", str(data_dir), *args], input=stdin, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def launch(tauri_driver, data_dir, request):
    """Starts the app on `data_dir` (prepare the directory first if the test needs to)."""
    shots = ARTIFACTS / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    drivers = []

    def start() -> App:
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability(
            "tauri:options", {"application": str(APP), "args": ["--data-dir", str(data_dir)]}
        )
        driver = webdriver.Remote(command_executor=tauri_driver, options=options)
        drivers.append(driver)
        return App(driver, data_dir, shots)

    yield start
    for driver in drivers:
        driver.quit()
