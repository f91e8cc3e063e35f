"""A document attached to an asset opens in the system's application under its own name
(issue 28: Windows and macOS choose the application by the name's extension, and a stored
file is named by its SHA-256). A stand-in for the desktop's `xdg-open`, first on PATH,
records what the app hands it."""

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import wait_until
from test_accessibility import menu_item, nav, tab


@pytest.fixture
def opened_paths(session_env, tmp_path) -> Path:
    """Where the stand-in `xdg-open` writes each path it is asked to open, one a line. Asked
    for before `launch`, so the app starts with it on PATH."""
    folder = tmp_path / "bin"
    folder.mkdir()
    record = tmp_path / "opened.txt"
    opener = folder / "xdg-open"
    opener.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{record}"\n')
    opener.chmod(0o755)
    session_env["PATH"] = f"{folder}:{session_env['PATH']}"
    return record


def test_a_document_opens_under_its_own_name(opened_paths, launch):
    app = launch()
    app.click("button", "Explore with a demo organization")
    app.wait_for(By.XPATH, "//nav[@aria-label='Main']")
    [(tag, file_name, sha256)] = app.query(
        "SELECT a.tag, d.file_name, d.sha256 FROM documents d JOIN assets a ON a.id = d.asset_id"
        " ORDER BY a.tag LIMIT 1")
    nav(app, "Assets")
    tab(app, "Register")
    menu_item(app, tag, "Details")
    app.press(By.XPATH, f"//button[@aria-label='Open {file_name}']")
    wait_until(lambda: opened_paths.exists() and opened_paths.read_text().strip(), "the document to be opened")
    opened = Path(opened_paths.read_text().splitlines()[0])
    assert opened.name == file_name, opened
    stored = app.data_dir / "documents" / sha256
    assert opened.read_bytes() == stored.read_bytes()
    assert opened.is_relative_to(app.data_dir / "opened"), opened
    app.shot("document-opened")
