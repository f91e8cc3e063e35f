//! Desktop notifications: when a run deactivated someone, failed or was held, in the
//! core's words. They follow the runner's announcements; a frequent check that found nothing
//! new (a quiet record) is not a run and says nothing.

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use uniasset_core::{sync, text};

use crate::sync_runner::SyncRunner;

pub fn follow_results<R: Runtime>(app: AppHandle<R>) {
    let runner = app.state::<SyncRunner>();
    let app = app.clone();
    runner.on_finished(move |outcome| {
        let text = match outcome {
            Ok(run) if run.quiet() => None,
            Ok(run) => sync::notification(&run),
            Err(e) => Some(format!("The Entra ID sync did not run: {}", e.message)),
        };
        if let Some(text) = text {
            notify(&app, &text);
        }
    });
}

fn notify<R: Runtime>(app: &AppHandle<R>, body: &str) {
    // Names in the text may be rows stored before control characters were refused (R-X3).
    let body = text::replace_controls(body).into_owned();
    // A desktop without a notification service is not an error worth surfacing.
    if let Err(e) = app
        .notification()
        .builder()
        .title("UniAsset")
        .body(body)
        .show()
    {
        log::info!("no desktop notification shown: {e}");
    }
}
