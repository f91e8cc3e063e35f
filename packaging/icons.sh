#!/usr/bin/env bash
# Regenerates the app's icon set in src-tauri/icons from packaging/app-icon.png with Tauri's
# `tauri icon`, keeping the desktop sizes: PNGs for Linux's hicolor theme, the Windows .ico
# and the macOS .icns. Its Android, iOS and Windows Store images are not used, nor its
# 128x128@2x.png, which the .deb would install under a size folder no theme looks in.
set -euo pipefail
cd "$(dirname "$0")"
[[ -x node_modules/.bin/tauri ]] || npm ci --no-audit --no-fund
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
icon() { log=$(node_modules/.bin/tauri icon app-icon.png -o "$out" "$@" 2>&1) || { echo "$log" >&2; exit 1; }; }
icon
icon --png 256
for icon in 32x32.png 64x64.png 128x128.png 256x256.png icon.png icon.ico icon.icns; do
  cp "$out/$icon" ../src-tauri/icons/
done
