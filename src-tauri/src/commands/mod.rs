//! IPC commands: each a few lines that call one core function and pass its error on.

pub mod entra;
pub mod general;
#[cfg(test)]
mod names;
pub mod session;
pub mod users;

#[cfg(test)]
mod tests;

use tauri::ipc::Invoke;
use tauri::Runtime;
use uniasset_core::ErrorReport;

pub type Reply<T> = Result<T, ErrorReport>;

/// Every command the window may call (each also granted in capabilities/main-window.json).
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        session::app_status,
        session::setup_organization,
        session::setup_demo,
        session::sign_in,
        session::sign_out,
        users::list_users,
        users::user_details,
        users::deactivate_user,
        users::reactivate_user,
        users::set_user_protected,
        entra::entra_overview,
        entra::entra_test,
        entra::entra_connect,
        entra::entra_disconnect,
        entra::entra_save,
        entra::sync_now,
        entra::run_details,
        entra::apply_held,
        entra::dismiss_held,
        entra::match_accounts,
        general::list_assets,
        general::autostart_enabled,
        general::set_autostart,
        general::set_idle_timeout,
    ]
}
