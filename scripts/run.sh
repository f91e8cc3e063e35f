#!/usr/bin/env bash
# Installs what the app needs, builds the front end and starts UniAsset Desktop.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
npm --prefix ui run build
exec cargo run -p uniasset-desktop -- "$@"
