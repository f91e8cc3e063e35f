//! The Tauri shell: window, tray and IPC commands. It only translates; every rule lives in
//! `uniasset-core`.

mod args;
mod commands;
mod state;
mod tray;

use tauri::{Manager, WindowEvent};

pub fn run() {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("uniasset-desktop: {message}");
            std::process::exit(2);
        }
    };
    tauri::Builder::default()
        .setup(move |app| {
            app.manage(state::AppState::new(args.data_dir));
            tray::install(app.handle())?;
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps UniAsset in the tray, so the nightly sync keeps running.
            if let WindowEvent::CloseRequested { api, .. } = event {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::setup_organization,
            commands::sign_in,
            commands::sign_out,
            commands::list_users,
            commands::list_assets,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("UniAsset could not start its window");
}
