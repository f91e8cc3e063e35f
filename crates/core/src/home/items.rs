//! Home's items: one per part of the job, each saying whether it is fine, needs the owner,
//! or is off, in words an owner reads without the Entra admin center open.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::action::{Action, Place};
use super::error::HomeError;
use crate::access::Actor;
use crate::alerts;
use crate::audit;
use crate::backup;
use crate::directory::{self, UserCounts};
use crate::entra::{self, EntraSettings};
use crate::leavers;
use crate::schedule;
use crate::store::Store;
use crate::sync::{self, RunResult, Trigger};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Topic {
    Entra,
    AutoDeprovision,
    LastRun,
    FrequentChecks,
    Leavers,
    People,
    CannotSignIn,
    NotLinked,
    Backups,
    EmailAlerts,
    AuditTrail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Health {
    Good,
    /// The owner has something to do.
    Attention,
    /// Not in use; nothing is wrong, but the job is not being done by it.
    Off,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Item {
    pub topic: Topic,
    pub health: Health,
    pub title: String,
    pub summary: String,
    /// The moment the summary is about (RFC 3339, UTC), and what it is ("Next run").
    pub at: Option<String>,
    pub at_label: Option<String>,
    pub action: Option<Action>,
}

impl Item {
    fn new(topic: Topic, health: Health, title: &str, summary: impl Into<String>) -> Item {
        Item {
            topic,
            health,
            title: title.to_owned(),
            summary: summary.into(),
            at: None,
            at_label: None,
            action: None,
        }
    }

    fn at(mut self, label: &str, at: Option<String>) -> Item {
        self.at_label = at.is_some().then(|| label.to_owned());
        self.at = at;
        self
    }

    fn action(mut self, label: &str, place: Place) -> Item {
        self.action = Some(Action::new(label, place));
        self
    }
}

pub(super) fn items(store: &Store, by: &Actor, now: DateTime<Utc>) -> Result<Vec<Item>, HomeError> {
    let settings = entra::settings(store)?;
    let mut items = vec![
        entra_item(&settings),
        auto_deprovision_item(store, by, &settings, now)?,
    ];
    items.extend(last_run_item(store)?);
    items.push(frequent_checks_item(store, now)?);
    items.push(leavers_item(store)?);
    items.extend(people_items(store)?);
    items.push(backups_item(store)?);
    items.push(email_alerts_item(store)?);
    // A trail changed outside UniAsset comes before everything: nothing else is to be trusted.
    if let Some(item) = audit_trail_item(store)? {
        items.insert(0, item);
    }
    // Most important first; otherwise the order above, which follows the job.
    items.sort_by_key(|i| i.health != Health::Attention);
    Ok(items)
}

fn entra_item(settings: &EntraSettings) -> Item {
    let title = "Microsoft Entra ID";
    let Some(connection) = &settings.connection else {
        return Item::new(
            Topic::Entra,
            Health::Off,
            title,
            "Not connected. UniAsset learns who has left your company from Microsoft Entra ID (your Microsoft 365 sign-ins) once it is connected.",
        )
        .action("Connect", Place::Entra);
    };
    if settings.secret_needed {
        return Item::new(
            Topic::Entra,
            Health::Attention,
            title,
            format!("Connected to {}, but this computer does not hold the connection's password (client secret), so nothing is checked until you connect again.", connection.tenant),
        )
        .action("Connect again", Place::Entra);
    }
    if let Some(warning) = &settings.secret_warning {
        return Item::new(Topic::Entra, Health::Attention, title, warning.clone())
            .action("Renew", Place::Entra);
    }
    Item::new(
        Topic::Entra,
        Health::Good,
        title,
        format!("Connected to {}.", connection.tenant),
    )
    .at("Connected", Some(connection.connected_at.clone()))
}

fn auto_deprovision_item(
    store: &Store,
    by: &Actor,
    settings: &EntraSettings,
    now: DateTime<Utc>,
) -> Result<Item, HomeError> {
    let title = "Auto-deprovisioning";
    if let Err(why) = sync::authorize(store, by, Trigger::Manual) {
        return Ok(Item::new(
            Topic::AutoDeprovision,
            Health::Off,
            title,
            format!("Off. {why}"),
        ));
    }
    if !settings.auto_deprovision {
        return Ok(Item::new(
            Topic::AutoDeprovision,
            Health::Attention,
            title,
            "Off. People disabled or deleted in Entra keep their UniAsset access until it is on.",
        )
        .action("Turn on", Place::Entra));
    }
    let next =
        schedule::next_run(store, now)?.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
    Ok(Item::new(
        Topic::AutoDeprovision,
        Health::Good,
        title,
        "On. Every night at 03:00 UTC, people disabled or deleted in Entra are deactivated here; nobody is ever deleted.",
    )
    .at("Next run", next))
}

fn last_run_item(store: &Store) -> Result<Option<Item>, HomeError> {
    let Some(run) = sync::runs(store, 1)?.into_iter().next() else {
        return Ok(None);
    };
    let title = "Last check";
    let at = run.ended_at.clone().or(Some(run.started_at.clone()));
    let item = match run.result {
        RunResult::Running => Item::new(Topic::LastRun, Health::Good, title, run.headline),
        RunResult::Succeeded => Item::new(Topic::LastRun, Health::Good, title, run.headline),
        RunResult::HeldForReview => Item::new(
            Topic::LastRun,
            Health::Attention,
            title,
            format!("{} Nobody was deactivated: so many at once may be a mistake in Entra, so UniAsset waits for you to look.", run.headline),
        )
        .action("Review", Place::Entra),
        RunResult::Failed | RunResult::CompletedWithErrors => Item::new(
            Topic::LastRun,
            Health::Attention,
            title,
            match &run.error {
                Some(error) => format!("{} {error}", run.headline),
                None => run.headline,
            },
        )
        .action("See what happened", Place::Entra),
    };
    Ok(Some(item.at("Ended", at)))
}

fn frequent_checks_item(store: &Store, now: DateTime<Utc>) -> Result<Item, HomeError> {
    let checks = schedule::frequent_checks(store, now)?;
    let title = "Frequent checks";
    let Some(minutes) = checks.every_minutes else {
        // Offered only once they can be turned on (they need auto-deprovisioning on).
        return Ok(match checks.turn_on_refused {
            Some(why) => Item::new(Topic::FrequentChecks, Health::Off, title, why),
            None => Item::new(
                Topic::FrequentChecks,
                Health::Off,
                title,
                "Off: only the nightly run checks.",
            )
            .action("Set up", Place::Entra),
        });
    };
    if let Some(why) = checks.paused.or(checks.inactive_reason) {
        return Ok(
            Item::new(Topic::FrequentChecks, Health::Attention, title, why)
                .action("Open", Place::Entra),
        );
    }
    Ok(Item::new(
        Topic::FrequentChecks,
        Health::Good,
        title,
        format!("Every {minutes} minutes while UniAsset is running."),
    )
    .at("Next check", checks.next_check_at))
}

fn leavers_item(store: &Store) -> Result<Item, HomeError> {
    let title = "Assets to recover";
    Ok(match leavers::count(store)? {
        0 => Item::new(
            Topic::Leavers,
            Health::Good,
            title,
            "Nobody who left still holds an asset.",
        ),
        n => {
            let holding = format!(
                "{} who left still {} assets.",
                people(n),
                if n == 1 { "holds" } else { "hold" }
            );
            let detail = match leavers::overdue_count(store)? {
                0 => holding,
                1 => format!("{holding} 1 asset is overdue."),
                late => format!("{holding} {late} assets are overdue."),
            };
            Item::new(Topic::Leavers, Health::Attention, title, detail)
                .action("Recover assets", Place::Leavers)
        }
    })
}

fn people(n: u32) -> String {
    match n {
        1 => "1 person".to_owned(),
        n => format!("{n} people"),
    }
}

/// "1 person signs in", "3 people sign in".
fn sign_in(n: u32) -> String {
    let verb = if n == 1 { "signs in" } else { "sign in" };
    format!("{} {verb}", people(n))
}

fn people_items(store: &Store) -> Result<Vec<Item>, HomeError> {
    let UserCounts {
        active,
        deactivated,
        cannot_sign_in,
        not_linked,
        ..
    } = directory::counts(store)?;
    let mut items = vec![Item::new(
        Topic::People,
        Health::Good,
        "People",
        format!("{active} active, {deactivated} deactivated."),
    )
    .action("Open People", Place::People)];
    if cannot_sign_in > 0 {
        items.push(
            Item::new(
                Topic::CannotSignIn,
                Health::Attention,
                "Cannot sign in",
                format!(
                    "{} with a password but {} none yet.",
                    sign_in(cannot_sign_in),
                    if cannot_sign_in == 1 { "has" } else { "have" }
                ),
            )
            .action("Show them", Place::PeopleCannotSignIn),
        );
    }
    if not_linked > 0 {
        let summary = format!(
            "{} with Microsoft but {} not linked to an Entra account, so the nightly check cannot see if they leave.",
            sign_in(not_linked),
            if not_linked == 1 { "is" } else { "are" }
        );
        items.push(
            Item::new(
                Topic::NotLinked,
                Health::Attention,
                "Not linked to Entra",
                summary,
            )
            .action("Show them", Place::PeopleNotLinked),
        );
    }
    Ok(items)
}

fn backups_item(store: &Store) -> Result<Item, HomeError> {
    let status = backup::status(store)?;
    let title = "Backups";
    let last = status.last_good.as_ref().map(|f| f.created_at.clone());
    // A failure is cleared by the next good copy, so one still recorded is the latest word.
    let item = if let Some(error) = status.last_error {
        Item::new(
            Topic::Backups,
            Health::Attention,
            title,
            format!("The last backup failed: {error}"),
        )
        .action("Open Backups", Place::Backups)
    } else if last.is_none() {
        Item::new(
            Topic::Backups,
            Health::Attention,
            title,
            "No backup yet. The first automatic one is made after the next nightly run; make one now to be safe.",
        )
        .action("Back up now", Place::Backups)
    } else if status.overdue {
        Item::new(
            Topic::Backups,
            Health::Attention,
            title,
            format!(
                "No good backup for more than {} days: check the backup folder.",
                backup::WARNING_DAYS
            ),
        )
        .action("Open Backups", Place::Backups)
    } else if status.automatic {
        Item::new(
            Topic::Backups,
            Health::Good,
            title,
            "A copy is made every day after the nightly run.",
        )
    } else {
        Item::new(
            Topic::Backups,
            Health::Attention,
            title,
            "Automatic backups are off: back up by hand, or turn them on.",
        )
        .action("Open Backups", Place::Backups)
    };
    Ok(item.at("Last good backup", last))
}

/// Only when the daily check found the trail changed outside UniAsset (R-X5).
fn audit_trail_item(store: &Store) -> Result<Option<Item>, HomeError> {
    let Some(verdict) = audit::verdict(store)? else {
        return Ok(None);
    };
    let Some(broken) = verdict.broken else {
        return Ok(None);
    };
    let summary = format!("The audit trail was changed outside UniAsset, which never rewrites it: {broken} Keep this database as it is for your auditor, and find out who had the file.");
    let item = Item::new(Topic::AuditTrail, Health::Attention, "Audit trail", summary)
        .action("Open the audit log", Place::AuditLog)
        .at("Checked", Some(verdict.checked_at));
    Ok(Some(item))
}

fn email_alerts_item(store: &Store) -> Result<Item, HomeError> {
    let settings = alerts::settings(store)?;
    let title = "Email alerts";
    if !settings.enabled {
        return Ok(Item::new(
            Topic::EmailAlerts,
            Health::Off,
            title,
            "Off. Nobody is emailed when people are deactivated or a run fails.",
        )
        .action("Set up", Place::EmailAlerts));
    }
    if let Some(error) = settings.last_send.as_ref().and_then(|s| s.error.clone()) {
        return Ok(Item::new(
            Topic::EmailAlerts,
            Health::Attention,
            title,
            format!("The last email could not be sent: {error}"),
        )
        .action("Open Email alerts", Place::EmailAlerts));
    }
    if settings.tested_at.is_none() {
        return Ok(Item::new(
            Topic::EmailAlerts,
            Health::Attention,
            title,
            "Saved, not tested: send a test email to be sure alerts arrive.",
        )
        .action("Send a test", Place::EmailAlerts));
    }
    Ok(Item::new(
        Topic::EmailAlerts,
        Health::Good,
        title,
        format!("On, to {}.", settings.recipients.join(", ")),
    )
    .at("Tested", settings.tested_at))
}
