#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so the
# tests use the real Secret Service keychain without touching the developer's own.
set -euo pipefail
exec dbus-run-session -- bash -c '
  echo -n "uniasset-tests" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec "$@"' bash "$@"
