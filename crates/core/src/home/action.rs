//! Where Home sends the owner: each item's and step's one action.

use serde::Serialize;

/// Where an item's action or a checklist step leads in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Place {
    /// Settings → Integrations → Microsoft Entra ID.
    Entra,
    People,
    /// People, showing those who cannot sign in.
    PeopleCannotSignIn,
    /// People, showing Microsoft people without an Entra link.
    PeopleNotLinked,
    /// Assets → Leavers.
    Leavers,
    /// Assets → Register.
    Assets,
    /// Settings → General → Backups.
    Backups,
    /// Settings → General → Email alerts.
    EmailAlerts,
    /// Settings → Audit log.
    AuditLog,
}

/// An item's or a step's one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Action {
    pub label: String,
    pub place: Place,
}

impl Action {
    pub(super) fn new(label: &str, place: Place) -> Action {
        Action {
            label: label.to_owned(),
            place,
        }
    }
}
