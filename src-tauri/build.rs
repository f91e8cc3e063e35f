// The command list the `commands!` tables generate (a build script cannot see them);
// `cargo test -p uniasset-desktop` rewrites it when they change.
include!("src/commands/names.rs");

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
