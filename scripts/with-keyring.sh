#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked gnome-keyring, so
# the tests use the real Secret Service keychain without touching the developer's own.
set -euo pipefail
keyrings=$(mktemp -d)
trap 'rm -rf "$keyrings"' EXIT
# gnome-keyring keeps its keyrings under $XDG_DATA_HOME/keyrings: a fresh folder means a
# fresh login keyring, created unlocked with the password below.
XDG_DATA_HOME="$keyrings" dbus-run-session -- bash -c '
  echo -n "uniasset-tests" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec "$@"' bash "$@"
