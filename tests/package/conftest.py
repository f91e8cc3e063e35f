"""The installed-package smoke test borrows the end-to-end harness (tests/e2e/conftest.py):
its private D-Bus session with an unlocked gnome-keyring and private home and XDG folders
(`session_env`), and its App helpers. Loaded under its own name, since this folder's
conftest is `conftest` too."""

import importlib.util
import sys
from pathlib import Path

_e2e = Path(__file__).resolve().parents[1] / "e2e"
# The harness imports its neighbours (ports.py) as the e2e tests' own folder allows.
sys.path.insert(0, str(_e2e))
_spec = importlib.util.spec_from_file_location("e2e_harness", _e2e / "conftest.py")
harness = importlib.util.module_from_spec(_spec)
sys.modules["e2e_harness"] = harness
_spec.loader.exec_module(harness)

session_env = harness.session_env
tray = harness.tray
