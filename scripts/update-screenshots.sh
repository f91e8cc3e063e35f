#!/usr/bin/env bash
# Copies the README's screenshots from the last end-to-end run's artifacts.
set -euo pipefail
cd "$(dirname "$0")/.."
a=tests/e2e/artifacts
mkdir -p docs/screenshots
cp "$a/test_first_run_setup_then_sign_in_shows_users/01-first-run-setup.png" docs/screenshots/first-run-setup.png
cp "$a/test_first_run_setup_then_sign_in_shows_users/02-sign-in.png" docs/screenshots/sign-in.png
cp "$a/test_first_run_setup_then_sign_in_shows_users/03-settings-users.png" docs/screenshots/settings-users.png
cp "$a/test_users_filter_by_status_with_counts/01-users-filtered-deactivated.png" docs/screenshots/users-deactivated-filter.png
cp "$a/test_a_deactivated_user_cannot_sign_in/01-deactivated-sign-in-refused.png" docs/screenshots/deactivated-sign-in-refused.png
