// The commands the window may call, written once: build.rs generates a permission for
// each, capabilities/main-window.json grants each, and commands::tests checks that the
// handler answers every one and the capability grants exactly these.
pub const COMMANDS: &[&str] = &[
    "app_status",
    "setup_organization",
    "setup_demo",
    "sign_in",
    "sign_out",
    "list_users",
    "user_details",
    "deactivate_user",
    "reactivate_user",
    "set_user_protected",
    "entra_overview",
    "entra_test",
    "entra_connect",
    "entra_disconnect",
    "entra_save",
    "sync_now",
    "run_details",
    "apply_held",
    "dismiss_held",
    "match_accounts",
    "list_assets",
    "autostart_enabled",
    "set_autostart",
    "set_idle_timeout",
];
