//! The Tauri shell: window, tray, scheduler and IPC commands. It only translates; every
//! rule lives in `uniasset-core`.

mod args;
mod clock;
mod commands;
mod demo;
mod drawing;
mod email;
mod error;
mod events;
mod notifications;
mod scheduler;
mod single_instance;
mod state;
mod support;
mod sync_runner;
mod tray;
mod updater;
mod window;

use tauri::{Manager, RunEvent, WindowEvent};
use tauri_plugin_autostart::MacosLauncher;

pub fn run() {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("uniasset-desktop: {message}");
            std::process::exit(2);
        }
    };
    if args.version {
        println!("{}", args::version());
        return;
    }
    clock::install();
    drawing::start_gtk_without_gl();
    // Desktop panels show the tray item's Title (and use it as its tooltip, the item having
    // none with libayatana-appindicator): "UniAsset", not the binary's name.
    #[cfg(target_os = "linux")]
    glib::set_application_name("UniAsset");
    let built = tauri::Builder::default()
        // First, so a second launch only focuses this one (R-T5).
        .plugin(single_instance::plugin())
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log::LevelFilter::Info)
                // At most five files of 1 MB: the current one and the four before it.
                .max_file_size(1_000_000)
                .rotation_strategy(tauri_plugin_log::RotationStrategy::KeepSome(4))
                .targets([
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Stdout),
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::LogDir {
                        file_name: None,
                    }),
                ])
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        // Native file pickers: Import CSV and Export CSV.
        .plugin(tauri_plugin_dialog::init())
        // Opens an asset's documents with the system's application (from Rust, not the window).
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            MacosLauncher::LaunchAgent,
            Some(vec![args::MINIMIZED]),
        ))
        // Reads the update feed and verifies packages; driven from Rust only (updater.rs).
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(move |app| {
            support::install_crash_reports(app.handle(), args.data_dir.clone());
            app.manage(state::AppState::new(args.data_dir.clone()));
            app.manage(updater::installation(app.handle()));
            app.manage(sync_runner::SyncRunner::new(args.data_dir));
            app.manage(window::SignInNotice::default());
            app.manage(window::PageRequest::default());
            tray::install(app.handle())?;
            notifications::follow_results(app.handle().clone());
            email::follow_results(app.handle().clone());
            if !args.minimized {
                window::show_main_window(app.handle());
            }
            demo::resume(app.handle().clone());
            scheduler::spawn(app.handle().clone());
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::Destroyed = event {
                window::destroyed(window.app_handle());
            }
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!("../tauri.conf.json"));
    let app = match built {
        Ok(app) => app,
        Err(error) if single_instance::handover_failed(&error) => {
            single_instance::start_again(&error)
        }
        Err(error) => {
            eprintln!("UniAsset could not start: {error}");
            std::process::exit(1);
        }
    };
    app.run(|_app, event| match event {
        // Closing the window (which destroys it) keeps UniAsset in the tray, so the
        // nightly sync keeps running; only Quit (an exit with a code) ends it.
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        // macOS: a click on the Dock icon, or opening UniAsset from Finder, while only the
        // tray is left brings the window back (no second instance is started there).
        #[cfg(target_os = "macos")]
        RunEvent::Reopen {
            has_visible_windows: false,
            ..
        } => window::show_main_window(_app),
        _ => {}
    });
}
