//! IPC commands: each a few lines that call one core function and pass its error on.
//!
//! The IPC surface is written once, here in Rust. Each area's file declares its commands in
//! one `commands!` table (name, the arguments the window sends, what it gets back) next to
//! the functions that do the work; `events!` (in `crate::events`) declares what the shell
//! emits. From these tables come the handler, and (written by `cargo test -p
//! uniasset-desktop`, see `typescript.rs`) the TypeScript client ui/src/bindings/commands.ts,
//! the command list build.rs turns into permissions (names.rs) and the window's capability.
//!
//! To add a command: write `async fn name<R: Runtime>(app: AppHandle<R>, args...) -> Reply<T>`
//! in an area's file (most begin with `app.signed_in()`, `crate::state::AppStateExt`) and its
//! line in that file's `commands!` table; run `cargo test -p uniasset-desktop` (it regenerates
//! the three files and fails once, so they get committed); call `backend.name(...)` from the
//! UI. A new area is one more name in `areas!`.

use std::path::Path;

use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;
use uniasset_core::ErrorReport;

use crate::error::ShellError;

pub type Reply<T> = Result<T, ErrorReport>;

/// Opens a folder of ours in the system's file manager; one not written yet is made first,
/// so it still opens. `folder` is what the window calls it ("logs folder").
fn open_folder<R: Runtime>(app: &AppHandle<R>, folder: &'static str, path: &Path) -> Reply<()> {
    let shown = || path.display().to_string();
    std::fs::create_dir_all(path).map_err(|error| ShellError::FolderNotMade {
        folder,
        path: shown(),
        error,
    })?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|error| ShellError::FolderNotOpened {
            folder,
            path: shown(),
            error,
        })?;
    Ok(())
}

/// Declares an area's commands, one line each: `name(arg: Type, ...) -> Returned;`.
///
/// Each line becomes the Tauri command `name`, which calls the area's function of the same
/// name with the app handle first and then the arguments, so the compiler holds that
/// function to the line. The argument names here are the ones Tauri reads (camelCased in
/// JSON) and the generated TypeScript sends; the function's own parameter names don't matter.
macro_rules! commands {
    ($( $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty; )*) => {
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        pub use ipc::handler;

        mod ipc {
            use super::*;

            $(
                #[tauri::command]
                async fn $name<R: tauri::Runtime>(
                    app: tauri::AppHandle<R>,
                    $($arg: $ty),*
                ) -> crate::commands::Reply<$ret> {
                    super::$name(app, $($arg),*).await
                }
            )*

            pub fn handler<R: tauri::Runtime>(
            ) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
                tauri::generate_handler![$($name),*]
            }
        }

        #[cfg(test)]
        pub fn signatures() -> Vec<crate::commands::typescript::Command> {
            use crate::commands::typescript::{Command, Ts};
            vec![$(Command {
                name: stringify!($name),
                args: vec![$((stringify!($arg), Ts::of::<$ty>())),*],
                returns: Ts::of::<$ret>(),
            }),*]
        }
    };
}

/// Lists the areas once: each is a module with its own `commands!` table.
macro_rules! areas {
    ($($area:ident),*) => {
        $(pub mod $area;)*

        /// Every command the window may call: each area answers its own.
        pub fn handler<R: tauri::Runtime>(
        ) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            type Handler<R> = Box<dyn Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync>;
            let areas: Vec<(&[&str], Handler<R>)> =
                vec![$(($area::COMMANDS, Box::new($area::handler()))),*];
            move |invoke| {
                let command = invoke.message.command();
                match areas.iter().find(|(names, _)| names.contains(&command)) {
                    Some((_, handler)) => handler(invoke),
                    None => false,
                }
            }
        }

        /// Every command, area by area, in table order.
        #[cfg(test)]
        pub fn signatures() -> Vec<typescript::Command> {
            [$($area::signatures()),*].into_iter().flatten().collect()
        }
    };
}

areas!(
    session,
    home,
    users,
    entra,
    entra_people,
    entra_setup,
    backups,
    general,
    organization,
    audit_log,
    assets,
    leavers,
    alerts,
    updates
);

#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod typescript;
