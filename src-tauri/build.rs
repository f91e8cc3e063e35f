// The command list the `commands!` tables generate (a build script cannot see them);
// `cargo test -p uniasset-desktop` rewrites it when they change.
include!("src/commands/names.rs");

fn main() {
    // The app's version is its Tauri configuration's: the Cargo version, unless a build
    // overrides it in TAURI_CONFIG (the update test's second package does). `--version`,
    // General and the crash reports then say what the package and the updater say.
    println!("cargo:rerun-if-env-changed=TAURI_CONFIG");
    let overridden = std::env::var("TAURI_CONFIG")
        .ok()
        .and_then(|c| serde_json::from_str::<serde_json::Value>(&c).ok())
        .and_then(|c| c.get("version")?.as_str().map(str::to_owned));
    let version = overridden.unwrap_or_else(|| std::env::var("CARGO_PKG_VERSION").unwrap());
    println!("cargo:rustc-env=UNIASSET_APP_VERSION={version}");
    // tauri.conf.json sits at the workspace root (the design card); the app's own commands
    // get generated permissions so capabilities can grant them one by one.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
