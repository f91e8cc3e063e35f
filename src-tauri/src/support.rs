//! Support: where the app's logs are, and the panic hook that leaves a crash report there.
//! The core writes the texts (redacted, `uniasset_core::diagnostics`); the shell only knows
//! Tauri's log folder and installs the hook.

use std::panic::PanicHookInfo;
use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};
use uniasset_core::diagnostics::{self, Context, Redactor};
use uniasset_core::{data_dir, ErrorReport};

use crate::error::ShellError;

pub const PROGRAM: &str = "UniAsset Desktop";
/// The app's version (build.rs), as the package, the updater and `--version` give it.
pub const VERSION: &str = env!("UNIASSET_APP_VERSION");

/// Where tauri-plugin-log writes (its `LogDir` target) and crash reports go.
pub fn log_dir<R: Runtime>(app: &AppHandle<R>) -> Result<PathBuf, ErrorReport> {
    Ok(app.path().app_log_dir().map_err(ShellError::NoLogFolder)?)
}

pub fn context(data_dir: PathBuf, log_dir: PathBuf) -> Context {
    Context {
        program: PROGRAM,
        version: VERSION,
        data_dir,
        log_dir,
    }
}

/// From now on a panic anywhere in the app (a caught one in a sync included) writes a
/// redacted crash report to the log folder. Replaces Rust's default hook, which would print
/// the panic's unredacted message where a desktop session may keep it (the journal).
pub fn install_crash_reports<R: Runtime>(app: &AppHandle<R>, data_dir: Option<PathBuf>) {
    match log_dir(app) {
        Ok(log_dir) => std::panic::set_hook(crash_hook(log_dir, data_dir)),
        Err(e) => log::warn!("{}; a crash will leave no report.", e.message),
    }
}

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static>;

fn crash_hook(log_dir: PathBuf, explicit_data_dir: Option<PathBuf>) -> Hook {
    Box::new(move |info| {
        // The redactor reads the secrets now, so it knows those set after start-up too.
        let data_dir = data_dir::resolve(explicit_data_dir.clone()).unwrap_or_default();
        let redactor = Redactor::load(&data_dir);
        let text = diagnostics::crash_report(info, &context(data_dir, log_dir.clone()), &redactor);
        match diagnostics::write_crash_report(&log_dir, &text) {
            Ok(path) => eprintln!(
                "{PROGRAM} hit an internal error; the crash report is {}",
                path.display()
            ),
            Err(e) => eprintln!(
                "{text}\n(This crash report could not be written to {}: {e})",
                log_dir.display()
            ),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uniasset_core::access::Actor;
    use uniasset_core::organization::{self, NewOrganization, Plan};
    use uniasset_core::password::Password;
    use uniasset_core::store::Store;

    #[test]
    fn a_panic_in_any_thread_leaves_a_redacted_report_in_the_log_folder() {
        let data = tempfile::tempdir().unwrap();
        let mut store = Store::open(data.path()).unwrap();
        organization::create(
            &mut store,
            &NewOrganization {
                name: "Northwind".into(),
                plan: Plan::Team,
                owner_email: "olivia@northwind.example".into(),
                owner_name: "Olivia".into(),
                owner_password: Some(Password::new("granite willow comet 9")),
            },
            &Actor::FirstRunSetup,
        )
        .unwrap();
        let hash: String = rusqlite_hash(&store);
        let logs = tempfile::tempdir().unwrap();

        let previous = std::panic::take_hook();
        std::panic::set_hook(crash_hook(
            logs.path().to_owned(),
            Some(data.path().to_owned()),
        ));
        let token = "eyJ0eXAiOiJKV1QifQ.eyJ0aWQiOiJ4In0.c2ln";
        let thrown = hash.clone();
        let panicked = std::thread::spawn(move || panic!("store said {thrown} and {token}")).join();
        std::panic::set_hook(previous);
        assert!(panicked.is_err());

        let reports = diagnostics::crash_reports(logs.path());
        assert_eq!(reports.len(), 1, "{reports:?}");
        let text = std::fs::read_to_string(&reports[0]).unwrap();
        assert!(
            text.starts_with(&format!("{PROGRAM} {VERSION}\n")),
            "{text}"
        );
        assert!(
            text.contains("Message: store said [redacted password hash] and [redacted token]"),
            "{text}"
        );
        assert!(!text.contains(&hash) && !text.contains(token), "{text}");
    }

    /// The Owner's Argon2 hash as the SQLite file holds it.
    fn rusqlite_hash(store: &Store) -> String {
        let conn = rusqlite::Connection::open(store.path()).unwrap();
        conn.query_row("SELECT password_hash FROM users", [], |r| r.get(0))
            .unwrap()
    }
}
