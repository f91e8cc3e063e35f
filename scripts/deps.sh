#!/usr/bin/env bash
# Installs what building, running and testing UniAsset needs on Debian or Ubuntu:
# system packages (WebKitGTK, GTK, appindicator, Xvfb, WebKitWebDriver, D-Bus,
# gnome-keyring), the front end's npm packages, and — with `--test` — tauri-driver and the
# end-to-end tests' Python packages. Skips whatever is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential pkg-config curl file libssl-dev
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  dbus dbus-x11 gnome-keyring libsecret-tools libsecret-1-dev libdbus-1-dev
)
# stress-ng: to run the tests beside CPU hogs, as on a busy machine (`stress-ng --cpu 2 &`);
# openssl: the update test's certificate authority for its HTTPS feed on 127.0.0.1.
test_packages=(mold xvfb xauth webkit2gtk-driver imagemagick x11-utils xdotool python3-venv haskell-status-notifier-item-utils
  stress-ng openssl)
[[ "${1:-}" == "--test" ]] && packages+=("${test_packages[@]}")
command -v node >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "Rust is needed: install it from https://rustup.rs" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || { echo "Node.js 20 or newer is needed (found $(node --version))." >&2; exit 1; }

if [[ ! -d ui/node_modules ]] || [[ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]]; then
  (cd ui && npm ci --no-audit --no-fund)
fi

if [[ "${1:-}" == "--test" ]]; then
  # The tests compile through clippy-driver (scripts/test.sh) and check formatting.
  command -v clippy-driver >/dev/null && command -v rustfmt >/dev/null \
    || rustup component add clippy rustfmt
  if ! command -v tauri-driver >/dev/null && [[ ! -x "$HOME/.cargo/bin/tauri-driver" ]]; then
    cargo install tauri-driver --version "^2" --locked
  fi
  if [[ ! -x tests/e2e/.venv/bin/pytest ]] || [[ tests/e2e/requirements.txt -nt tests/e2e/.venv/bin/pytest ]]; then
    python3 -m venv tests/e2e/.venv
    tests/e2e/.venv/bin/pip install -q -r tests/e2e/requirements.txt
    touch tests/e2e/.venv/bin/pytest
  fi
fi
