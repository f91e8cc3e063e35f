"""The installed package, as the package tests see it: its name and files, apt and dpkg, and
the installed programs run."""

import os
import subprocess
import tomllib
from pathlib import Path

from e2e_harness import REPO, WAIT_SECONDS

PACKAGE = "uni-asset"  # Tauri's bundler names the .deb's package after productName, kebab-cased
APP = Path("/usr/bin/uniasset-desktop")
CLI = Path("/usr/bin/uniasset")
DESKTOP_ENTRY = Path("/usr/share/applications/UniAsset.desktop")
VERSION = tomllib.loads((REPO / "Cargo.toml").read_text())["workspace"]["package"]["version"]


def deb() -> Path:
    if os.environ.get("UNIASSET_DEB"):
        return Path(os.environ["UNIASSET_DEB"]).resolve()
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    debs = list((target / "release" / "bundle" / "deb").glob("*.deb"))
    assert len(debs) == 1, f"expected one .deb from scripts/package.sh, found {debs}"
    return debs[0]


def installed() -> bool:
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], capture_output=True, text=True)
    return status.stdout.endswith("installed") and "not-installed" not in status.stdout


def apt_get(*args: str):
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "-y", "-q", *args], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
                   check=True)


def run(*args, env=None) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, timeout=WAIT_SECONDS)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout
