//! The events the shell emits to the window, declared once: `name: "wire-name" => Payload;`.
//! Each becomes `events::name(app, &payload)` for the commands, the window module and the
//! sync runner, and `onName(handler)` in the TypeScript client (see `commands/typescript.rs`);
//! the doc comment goes with both. A module of its own, below all of them.

use uniasset_core::schedule::FrequentChecks;
use uniasset_core::sync::RunRecord;

macro_rules! events {
    ($( $(#[doc = $doc:literal])* $name:ident : $wire:literal => $payload:ty; )*) => {
        $(
            $(#[doc = $doc])*
            pub fn $name<R: tauri::Runtime>(
                app: &tauri::AppHandle<R>,
                payload: &$payload,
            ) -> tauri::Result<()> {
                tauri::Emitter::emit(app, $wire, payload)
            }
        )*

        #[cfg(test)]
        pub fn signatures() -> Vec<crate::commands::typescript::Event> {
            use crate::commands::typescript::{Event, Ts};
            vec![$(Event {
                name: stringify!($name),
                wire: $wire,
                doc: concat!($($doc, "\n"),*),
                payload: Ts::of::<$payload>(),
            }),*]
        }
    };
}

events! {
    /// A sync run has ended, whoever started it (the window, the tray or the schedule);
    /// the payload is its record.
    sync_finished: "sync-finished" => RunRecord;
    /// A frequent check found nothing new: no run, only "Last checked" moved. The
    /// payload is the checks' state, so the window has nothing to ask.
    frequent_check: "frequent-check" => FrequentChecks;
    /// The tray opened the window to sign in; `take_sign_in_notice` says why.
    sign_in_needed: "sign-in-needed" => ();
    /// The tray asked for a screen (Renew client secret…); `take_page_request` says which.
    page_requested: "page-requested" => ();
}
