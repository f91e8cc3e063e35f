#!/usr/bin/env bash
# Builds UniAsset's Linux packages, a .deb and an .rpm, with Tauri's bundler (the Tauri CLI
# pinned in packaging/package.json): installs what is needed, builds the front end and the
# release binaries, then bundles the app, the `uniasset` command line, the icons and a
# desktop entry. `--no-deps` skips the installing (CI has done it already).
#
# tauri.conf.json stays at the workspace root (the app's configuration, which the shell's
# build embeds). The CLI wants it in the app crate's folder and resolves every path in it
# from there, so src-tauri/tauri.conf.json is a link to it and packaging/tauri.bundle.json
# restates the icon paths from src-tauri/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--no-deps" ]]; then
  scripts/deps.sh
  npm --prefix ui run build
fi
if [[ ! -x packaging/node_modules/.bin/tauri ]] \
  || [[ packaging/package-lock.json -nt packaging/node_modules/.package-lock.json ]]; then
  (cd packaging && npm ci --no-audit --no-fund)
fi

cargo build --release -p uniasset-desktop -p uniasset-cli

# Wherever cargo puts its output (CARGO_TARGET_DIR, .cargo/config): the bundler finds the
# app there, and the command line is added from there by absolute path.
target=$(cargo metadata --format-version 1 --no-deps | node -p 'JSON.parse(require("fs").readFileSync(0)).target_directory')
cli="$target/release/uniasset"
bundle_dir="$target/release/bundle"
rm -rf "$bundle_dir/deb" "$bundle_dir/rpm"
# A build's own Tauri configuration in TAURI_CONFIG (another version, another updater key:
# the update test's packages) is compiled into the app by cargo; the bundler reads only
# --config, so it is handed the same, and the package says what the app does.
own_config=()
if [[ -n "${TAURI_CONFIG:-}" ]]; then own_config=(--config "$TAURI_CONFIG"); fi
(
  cd src-tauri
  ../packaging/node_modules/.bin/tauri bundle --bundles deb,rpm \
    --config ../packaging/tauri.bundle.json \
    --config "{\"bundle\":{\"linux\":{\"deb\":{\"files\":{\"/usr/bin/uniasset\":\"$cli\"}},\"rpm\":{\"files\":{\"/usr/bin/uniasset\":\"$cli\"}}}}}" \
    "${own_config[@]}"
)

shopt -s nullglob
packages=("$bundle_dir"/deb/*.deb "$bundle_dir"/rpm/*.rpm)
((${#packages[@]} == 2)) || { echo "expected one .deb and one .rpm in $bundle_dir" >&2; exit 1; }
echo "Packages:"
ls -l "${packages[@]}"
