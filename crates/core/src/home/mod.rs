//! Home, the first screen after sign-in (issue 23): the state of the job at a glance, each
//! item with its one action, and for a new organization the getting-started checklist. The
//! core decides what is shown and what needs attention; the window and `uniasset status`
//! only show it. Times are sent as RFC 3339 UTC for the window to write in the owner's
//! locale.

mod action;
mod checklist;
mod error;
mod items;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::access::Actor;
use crate::organization;
use crate::store::Store;

pub use action::{Action, Place};
pub use checklist::{put_away_checklist, Checklist, Step, StepKind};
pub use error::HomeError;
pub use items::{Health, Item, Topic};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Home {
    pub organization: String,
    /// The signed-in person manages the organization (Owner or Admin). Members see no items:
    /// the job is their Owners' and Admins'.
    pub manages: bool,
    /// The state of the job, most important first.
    pub items: Vec<Item>,
    /// Getting started, until the owner puts it away once every step is done.
    pub checklist: Option<Checklist>,
}

/// Home as `by` sees it at `now`.
pub fn home(store: &Store, by: &Actor, now: DateTime<Utc>) -> Result<Home, HomeError> {
    let organization = organization::get(store)?;
    if by
        .require_admin("see the state of the organization")
        .is_err()
    {
        return Ok(Home {
            organization: organization.name,
            manages: false,
            items: Vec::new(),
            checklist: None,
        });
    }
    Ok(Home {
        organization: organization.name,
        manages: true,
        items: items::items(store, by, now)?,
        checklist: checklist::checklist(store, by)?,
    })
}
