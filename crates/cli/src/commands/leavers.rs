//! `uniasset leavers`: what people who left still hold, the most urgent first.

use serde::Serialize;
use uniasset_core::access::Actor;
use uniasset_core::alerts;
use uniasset_core::assets::ReturnState;
use uniasset_core::leavers;
use uniasset_core::store::Store;

use crate::output::{self, Done, Failure};

/// One asset a leaver holds, as `--json` prints it.
#[derive(Serialize)]
struct HeldAsset {
    tag: String,
    name: String,
    holder: String,
    due: Option<String>,
    state: Option<ReturnState>,
    overdue: bool,
    reminders_sent: u32,
}

pub fn run(store: &Store, overdue_only: bool) -> Result<Done, Failure> {
    let mut held = Vec::new();
    for leaver in leavers::leavers(store, &Actor::CommandLine)? {
        for a in leaver.assets {
            let overdue = a.return_state == Some(ReturnState::Overdue);
            if overdue_only && !overdue {
                continue;
            }
            held.push(HeldAsset {
                reminders_sent: alerts::reminders_sent(store, a.id)?,
                overdue,
                tag: a.tag,
                name: a.name,
                holder: leaver.user.email.clone(),
                due: a.return_due,
                state: a.return_state,
            });
        }
    }
    let text = if held.is_empty() && overdue_only {
        "No leaver's asset is overdue.".to_owned()
    } else if held.is_empty() {
        "Nobody who left still holds an asset.".to_owned()
    } else {
        let rows: Vec<[String; 4]> = held
            .iter()
            .map(|a| {
                [
                    a.tag.clone(),
                    a.holder.clone(),
                    a.due.clone().unwrap_or_else(|| "-".into()),
                    a.state.map_or("-", ReturnState::as_str).replace('_', " "),
                ]
            })
            .collect();
        output::table(["TAG", "HOLDER", "DUE", "STATE"], &rows)
    };
    Ok(Done::new(&held, text))
}
