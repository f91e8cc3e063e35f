#!/usr/bin/env python3
"""Writes UniAsset's update feed, latest.json, for the packages in a folder and their
signatures (each package's `.sig` beside it, as the Tauri CLI's signer or bundler writes
them). The release workflow publishes it beside the packages; the update test serves it on
127.0.0.1. Usage:

    scripts/release-feed.py --version 0.2.0 --notes-file notes.md \\
        --base-url https://github.com/OWNER/REPO/releases/download/v0.2.0 FOLDER > latest.json

The updater plugin looks up "<os>-<arch>-<installer>" first, then "<os>-<arch>": a .deb
install must find a .deb (its `-deb` entry), never an .rpm or an installer for another
system, so each package gets its own entry and the bare ones name the usual choice."""

import argparse
import datetime
import json
import sys
import urllib.parse
from pathlib import Path

# Which platform entries each kind of package answers, by how its file name ends.
ENTRIES = [
    (".deb", ["linux-x86_64-deb"]),
    (".rpm", ["linux-x86_64-rpm"]),
    ("-setup.exe", ["windows-x86_64-nsis", "windows-x86_64"]),
    (".msi", ["windows-x86_64-msi"]),
    # One universal app for both Mac architectures.
    (".app.tar.gz", ["darwin-x86_64-app", "darwin-aarch64-app", "darwin-x86_64", "darwin-aarch64"]),
]


def feed(version: str, notes: str, base_url: str, folder: Path) -> dict:
    platforms = {}
    for package in sorted(folder.iterdir()):
        for ending, keys in ENTRIES:
            if not package.name.endswith(ending):
                continue
            signature = Path(f"{package}.sig")
            if not signature.is_file():
                sys.exit(f"{package.name} has no signature ({signature.name}); refusing to publish it")
            entry = {
                "signature": signature.read_text().strip(),
                "url": f"{base_url.rstrip('/')}/{urllib.parse.quote(package.name)}",
            }
            for key in keys:
                if key in platforms:
                    sys.exit(f"two packages for {key}: {platforms[key]['url']} and {entry['url']}")
                platforms[key] = entry
    if not platforms:
        sys.exit(f"no packages in {folder}")
    return {
        "version": version,
        "notes": notes,
        "pub_date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "platforms": platforms,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", required=True)
    parser.add_argument("--notes-file", type=Path, required=True)
    parser.add_argument("--base-url", required=True, help="where the packages are downloaded from")
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    json.dump(feed(args.version.removeprefix("v"), args.notes_file.read_text().strip(), args.base_url, args.folder),
              sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
