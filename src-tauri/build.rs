const COMMANDS: &[&str] = &[
    "app_status",
    "setup_organization",
    "setup_demo",
    "sign_in",
    "sign_out",
    "list_users",
    "user_details",
    "deactivate_user",
    "reactivate_user",
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
];

fn main() {
    // tauri.conf.json sits at the workspace root (the design card); the app's own commands
    // get generated permissions so capabilities can grant them one by one.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
