#!/usr/bin/env bash
# Copies the README's screenshots from the last end-to-end run's artifacts.
set -euo pipefail
cd "$(dirname "$0")/.."
a=tests/e2e/artifacts
d=docs/screenshots
mkdir -p "$d"
cp "$a/test_first_run_setup_signs_the_owner_in_to_home_then_users/01-first-run-setup.png" "$d/first-run-setup.png"
cp "$a/test_first_run_setup_signs_the_owner_in_to_home_then_users/02-home-after-setup.png" "$d/home.png"
cp "$a/test_first_run_setup_signs_the_owner_in_to_home_then_users/03-settings-users.png" "$d/settings-users.png"
cp "$a/test_home_leads_to_the_people_who_cannot_sign_in/02-people-cannot-sign-in.png" "$d/people-cannot-sign-in.png"
p=$a/test_the_first_hour_until_the_list_is_done
cp "$p"/*-first-hour-preview.png "$d/first-hour-preview.png"
cp "$p"/*-first-hour-done.png "$d/first-hour-done.png"
cp "$a/test_users_filter_by_status_with_counts/01-users-filtered-deactivated.png" "$d/users-deactivated-filter.png"
cp "$a/test_a_deactivated_user_cannot_sign_in/01-deactivated-sign-in-refused.png" "$d/deactivated-sign-in-refused.png"
cp "$a/test_connect_entra_wrong_secret_then_right_secret/01-entra-wrong-secret.png" "$d/entra-wrong-secret.png"
cp "$a/test_connect_entra_wrong_secret_then_right_secret/02-entra-connected.png" "$d/entra-connected.png"
cp "$a/test_auto_deprovision_on_save_reload_still_on/01-auto-deprovision-saved.png" "$d/auto-deprovision-saved.png"
cp "$a/test_sync_now_deactivates_disabled_and_deleted_users_only/02-sync-now-result.png" "$d/sync-now-result.png"
cp "$a/test_reactivate_shows_the_warning_then_reactivate_anyway/01-reactivate-warning.png" "$d/reactivate-warning.png"
cp "$a/test_a_held_run_is_applied_after_rechecking/01-held-run.png" "$d/held-run.png"
cp "$a/test_toggle_off_and_save_stops_automatic_runs/01-auto-deprovision-off.png" "$d/auto-deprovision-off.png"
cp "$a/test_a_member_cannot_reach_the_integrations_tab/01-member-settings.png" "$d/member-settings.png"
cp "$a/test_the_demo_shows_sync_now_working/01-demo-sync-now.png" "$d/demo-sync-now.png"
cp "$a/test_a_protected_user_is_reported_not_deactivated/01-protected-user.png" "$d/protected-user.png"
cp "$a/test_a_protected_user_is_reported_not_deactivated/02-protected-user-skipped.png" "$d/protected-user-skipped.png"
p=$a/test_add_a_user_set_their_password_and_they_sign_in
cp "$p/01-add-user.png" "$d/add-user.png"
cp "$p/02-set-password.png" "$d/set-password.png"
cp "$p/03-own-password-changed.png" "$d/own-password-changed.png"
p=$a/test_import_a_csv_with_bad_rows_then_a_good_one
cp "$p/01-import-bad-rows.png" "$d/import-bad-rows.png"
cp "$p/02-import-preview.png" "$d/import-preview.png"
cp "$a/test_change_a_role_and_an_admin_cannot_edit_the_owner/01-edit-user.png" "$d/edit-user.png"
p=$a/test_rename_and_move_to_enterprise_makes_the_entra_toggle_available
cp "$p/01-plan-change-confirmation.png" "$d/plan-change-confirmation.png"
cp "$p/02-organization-renamed-and-enterprise.png" "$d/organization-renamed-and-enterprise.png"
p=$a/test_read_filter_and_export_the_audit_log
cp "$p/01-audit-log.png" "$d/audit-log.png"
cp "$p/02-audit-log-filtered.png" "$d/audit-log-filtered.png"
p=$a/test_add_people_from_entra
cp "$p/01-add-people-from-entra.png" "$d/add-people-from-entra.png"
cp "$p/02-people-added.png" "$d/people-added.png"
p=$a/test_an_asset_held_by_a_leaver_is_recovered_and_the_evidence_shows_it
cp "$p/01-add-asset.png" "$d/add-asset.png"
cp "$p/02-leavers.png" "$d/leavers.png"
cp "$p/03-evidence.png" "$d/evidence.png"
cp "$p/04-evidence-print-view.png" "$d/evidence-print-view.png"
cp "$a/test_copy_diagnostics_has_the_version_and_no_secret/01-diagnostics-copied.png" "$d/diagnostics-copied.png"
cp "$a/test_tray_sync_now_with_nobody_signed_in_opens_the_window_saying_why/01-sign-in-asked-by-tray.png" "$d/sign-in-asked-by-tray.png"
cp "$a"/test_frequent_checks_catch_a_leaver_within_minutes/*-frequent-check-deactivated.png "$d/frequent-checks.png"
# The update test (tests/package/test_update.py, run by `make test` after the packages).
cp "$a/test_update/02-signature-refused.png" "$d/update-signature-refused.png"
cp "$a/test_update/03-installed.png" "$d/update-installed.png"
