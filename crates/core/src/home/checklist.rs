//! Getting started: the steps that set a new organization up for the job, each done when
//! the organization's state says so (never ticked by hand), and put away once all are.

use serde::Serialize;

use super::action::{Action, Place};
use super::error::HomeError;
use crate::access::Actor;
use crate::entra;
use crate::store::Store;
use crate::sync::{self, Trigger};
use crate::timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StepKind {
    AddPeople,
    ConnectEntra,
    TurnOnAutoDeprovisioning,
    RecordAssets,
    EmailAlerts,
    Backups,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Step {
    pub kind: StepKind,
    pub title: String,
    pub hint: String,
    pub done: bool,
    /// Why the step cannot be done yet, when it cannot.
    pub blocked: Option<String>,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Checklist {
    pub steps: Vec<Step>,
    pub remaining: u32,
}

/// The state the steps are read from.
struct Facts {
    people: u32,
    connected: bool,
    auto_deprovision: bool,
    assets_held: u32,
    alerts_tested: bool,
    backed_up: bool,
    put_away: bool,
}

fn facts(store: &Store) -> Result<Facts, HomeError> {
    let settings = entra::settings(store)?;
    let (people, assets_held, alerts_tested, backed_up, put_away) = store.conn().query_row(
        "SELECT (SELECT count(*) FROM users),
                (SELECT count(*) FROM assets WHERE assigned_to IS NOT NULL),
                (SELECT enabled = 1 AND tested_at IS NOT NULL FROM email_alerts),
                (SELECT last_good_at IS NOT NULL FROM backup_settings),
                (SELECT checklist_put_away_at IS NOT NULL FROM organization)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    Ok(Facts {
        people,
        connected: settings.connection.is_some() && !settings.secret_needed,
        auto_deprovision: settings.auto_deprovision,
        assets_held,
        alerts_tested,
        backed_up,
        put_away,
    })
}

fn step(kind: StepKind, done: bool, title: &str, hint: &str, action: Action) -> Step {
    Step {
        kind,
        title: title.to_owned(),
        hint: hint.to_owned(),
        done,
        blocked: None,
        action,
    }
}

fn steps(store: &Store, by: &Actor, f: &Facts) -> Vec<Step> {
    let mut turn_on = step(
        StepKind::TurnOnAutoDeprovisioning,
        f.auto_deprovision,
        "Turn on auto-deprovisioning",
        "Every night UniAsset deactivates the people Entra has disabled or deleted. It never deletes anyone.",
        Action::new("Turn on", Place::Entra),
    );
    if !f.auto_deprovision {
        turn_on.blocked = if !f.connected {
            Some("Connect Microsoft Entra ID first.".to_owned())
        } else {
            sync::authorize(store, by, Trigger::Manual)
                .err()
                .map(|e| e.to_string())
        };
    }
    vec![
        // The Owner who created the organization is its first person.
        step(
            StepKind::AddPeople,
            f.people > 1,
            "Add your people",
            "By hand, from a CSV file, or straight from Entra ID.",
            Action::new("Add people", Place::People),
        ),
        step(
            StepKind::ConnectEntra,
            f.connected,
            "Connect Microsoft Entra ID",
            "Entra ID is where your Microsoft 365 sign-ins live; UniAsset asks it who has left.",
            Action::new("Connect", Place::Entra),
        ),
        turn_on,
        step(
            StepKind::RecordAssets,
            f.assets_held > 0,
            "Record your assets and who holds them",
            "Laptops, phones, keys: when someone leaves, Home lists what to get back.",
            Action::new("Add an asset", Place::Assets),
        ),
        step(
            StepKind::EmailAlerts,
            f.alerts_tested,
            "Set up email alerts",
            "Hear about deactivations and failed runs by email; done once a test email arrives.",
            Action::new("Set up", Place::EmailAlerts),
        ),
        step(
            StepKind::Backups,
            f.backed_up,
            "Check backups",
            "A copy of everything is made every day; make the first one now and see where it goes.",
            Action::new("Open Backups", Place::Backups),
        ),
    ]
}

/// The checklist, until it is put away.
pub(super) fn checklist(store: &Store, by: &Actor) -> Result<Option<Checklist>, HomeError> {
    let facts = facts(store)?;
    if facts.put_away {
        return Ok(None);
    }
    let steps = steps(store, by, &facts);
    let remaining = steps.iter().filter(|s| !s.done).count() as u32;
    Ok(Some(Checklist { steps, remaining }))
}

/// "Put away" the getting-started list (Owner or Admin), once every step is done.
pub fn put_away_checklist(store: &mut Store, by: &Actor) -> Result<(), HomeError> {
    by.require_admin("put away the getting-started list")?;
    let facts = facts(store)?;
    let remaining = steps(store, by, &facts).iter().filter(|s| !s.done).count() as u32;
    if remaining > 0 {
        return Err(HomeError::ChecklistNotDone(remaining));
    }
    store.conn().execute(
        "UPDATE organization SET checklist_put_away_at = coalesce(checklist_put_away_at, ?1)",
        [timestamp::now()],
    )?;
    Ok(())
}
