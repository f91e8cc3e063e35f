//! A run's result in words, once, for the tray, the desktop notification and the command
//! line.

use super::{LineOutcome, RunRecord, RunResult, Trigger};

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl RunRecord {
    /// Fills in `headline` for the record as it stands.
    pub(crate) fn worded(mut self) -> RunRecord {
        self.headline = headline(&self);
        self
    }
}

fn held_count(run: &RunRecord) -> u32 {
    run.lines
        .iter()
        .filter(|l| l.outcome == LineOutcome::Held)
        .count() as u32
}

/// People a run added or linked from Entra, if any: ", 2 added, 1 linked".
fn from_entra(run: &RunRecord) -> String {
    let c = run.counts;
    let mut text = String::new();
    if c.added > 0 {
        text.push_str(&format!(", {} added", c.added));
    }
    if c.linked > 0 {
        text.push_str(&format!(", {} linked", c.linked));
    }
    text
}

/// "Dana Driver was deactivated — 2 assets to recover", or "" for someone who held none.
fn recover_sentence(name: &str, assets: u32) -> String {
    if assets == 0 {
        return String::new();
    }
    format!(
        "{name} was deactivated — {} to recover",
        plural(assets, "asset", "assets")
    )
}

/// A deactivated person's run line: which assets they still hold, named by tag.
pub(crate) fn to_recover(name: &str, tags: &[String]) -> String {
    match recover_sentence(name, tags.len() as u32) {
        s if s.is_empty() => s,
        s => format!("{s}: {}.", tags.join(", ")),
    }
}

/// The people a run deactivated who still hold assets, a sentence each (the first three,
/// then how many more), for the notification.
fn recoveries(run: &RunRecord) -> String {
    const NAMED: usize = 3;
    let holders: Vec<_> = run
        .lines
        .iter()
        .filter(|l| l.outcome == LineOutcome::Deactivated && l.assets_to_recover > 0)
        .collect();
    let mut text: String = holders
        .iter()
        .take(NAMED)
        .map(|l| {
            let name = l.display_name.as_deref().unwrap_or(&l.email);
            format!(" {}.", recover_sentence(name, l.assets_to_recover))
        })
        .collect();
    if holders.len() > NAMED {
        let rest = &holders[NAMED..];
        let assets = rest.iter().map(|l| l.assets_to_recover).sum();
        let who = if rest.len() == 1 {
            "person holds"
        } else {
            "people hold"
        };
        text.push_str(&format!(
            " {} more {who} {} to recover.",
            rest.len(),
            plural(assets, "asset", "assets")
        ));
    }
    text
}

/// One short line: "2 deactivated, 1 error", "0 deactivated, 3 added",
/// "failed: nobody was deactivated".
pub fn headline(run: &RunRecord) -> String {
    if run.trigger == Trigger::Person {
        return person_headline(run);
    }
    let c = run.counts;
    match run.result {
        RunResult::Running => "running".to_owned(),
        RunResult::Failed => "failed: nobody was deactivated".to_owned(),
        RunResult::HeldForReview => {
            format!("held for review: nobody was deactivated{}", from_entra(run))
        }
        RunResult::Succeeded | RunResult::CompletedWithErrors => {
            let mut parts = vec![format!("{} deactivated", c.deactivated)];
            if c.skipped > 0 {
                parts.push(format!("{} skipped", c.skipped));
            }
            if c.errors > 0 {
                parts.push(plural(c.errors, "error", "errors"));
            }
            parts.join(", ") + &from_entra(run)
        }
    }
}

/// "Check now" on one person: what became of them, in a sentence.
fn person_headline(run: &RunRecord) -> String {
    match (run.result, run.lines.first()) {
        (RunResult::Running, _) => "being checked".to_owned(),
        (RunResult::Failed, _) => "the check failed: nothing was changed".to_owned(),
        (_, None) => "enabled in Microsoft Entra ID: nothing to change".to_owned(),
        (_, Some(line)) => match (line.outcome, line.reason) {
            (LineOutcome::Deactivated, Some(reason)) => {
                format!("deactivated ({})", crate::directory::reason_words(reason))
            }
            _ => line.detail.clone(),
        },
    }
}

/// What a desktop notification says, when the run is worth one: someone deactivated (and
/// the assets to get back from them) or added, a failure, or a hold.
pub fn notification(run: &RunRecord) -> Option<String> {
    let c = run.counts;
    let n = c.deactivated;
    let mut done = Vec::new();
    if n > 0 {
        done.push(format!("deactivated {}", plural(n, "user", "users")));
    }
    if c.added > 0 {
        done.push(format!(
            "added {} from Microsoft Entra ID",
            plural(c.added, "new user", "new users")
        ));
    }
    if c.linked > 0 {
        done.push(format!(
            "linked {} to their new Entra account",
            plural(c.linked, "user", "users")
        ));
    }
    match run.result {
        RunResult::Failed => Some(format!(
            "The Entra ID sync failed: {}",
            run.error.as_deref().unwrap_or("see the run history.")
        )),
        RunResult::HeldForReview => Some(format!(
            "The Entra ID sync was held for review: it would deactivate {}. Nobody was deactivated; open Settings → Integrations → Microsoft Entra ID to apply or dismiss.",
            plural(held_count(run), "user", "users")
        )),
        _ if !done.is_empty() => {
            let last = done.pop().unwrap_or_default();
            let text = if done.is_empty() {
                last
            } else {
                format!("{} and {last}", done.join(", "))
            };
            Some(format!("The Entra ID sync {text}.{}", recoveries(run)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{RunCounts, Trigger};

    fn run(result: RunResult, counts: RunCounts) -> RunRecord {
        let mut run = RunRecord::started(
            Some(1),
            Trigger::Manual,
            false,
            "2026-11-27T03:00:00.000Z".into(),
            &crate::access::Actor::EntraSync,
        );
        run.result = result;
        run.counts = counts;
        run
    }

    #[test]
    fn results_read_the_same_everywhere() {
        let quiet = run(RunResult::Succeeded, RunCounts::default());
        assert_eq!(headline(&quiet), "0 deactivated");
        assert_eq!(
            notification(&quiet),
            None,
            "nothing happened: no notification"
        );

        let busy = run(
            RunResult::CompletedWithErrors,
            RunCounts {
                deactivated: 1,
                skipped: 1,
                errors: 2,
                ..RunCounts::default()
            },
        );
        assert_eq!(headline(&busy), "1 deactivated, 1 skipped, 2 errors");
        assert_eq!(
            notification(&busy).unwrap(),
            "The Entra ID sync deactivated 1 user."
        );

        let adding = run(
            RunResult::Succeeded,
            RunCounts {
                added: 2,
                linked: 1,
                ..RunCounts::default()
            },
        );
        assert_eq!(headline(&adding), "0 deactivated, 2 added, 1 linked");
        assert_eq!(
            notification(&adding).unwrap(),
            "The Entra ID sync added 2 new users from Microsoft Entra ID and linked 1 user to their new Entra account."
        );
        let both = run(
            RunResult::Succeeded,
            RunCounts {
                deactivated: 1,
                added: 1,
                ..RunCounts::default()
            },
        );
        assert_eq!(
            notification(&both).unwrap(),
            "The Entra ID sync deactivated 1 user and added 1 new user from Microsoft Entra ID."
        );

        let mut leavers = run(
            RunResult::Succeeded,
            RunCounts {
                deactivated: 6,
                ..RunCounts::default()
            },
        );
        let holder = |name: &str, assets: u32| crate::sync::RunLine {
            user_id: Some(1),
            email: format!("{}@northwind.example", name.to_lowercase()),
            entra_object_id: None,
            outcome: LineOutcome::Deactivated,
            reason: None,
            detail: String::new(),
            display_name: Some(name.into()),
            detected_at: None,
            assets_to_recover: assets,
            sessions: None,
            sessions_at: None,
        };
        leavers.lines = vec![
            holder("Dana Driver", 2),
            holder("Nobody", 0),
            holder("Eve", 1),
            holder("Finn", 1),
            holder("Gus", 3),
            holder("Hal", 1),
        ];
        assert_eq!(
            notification(&leavers).unwrap(),
            "The Entra ID sync deactivated 6 users. Dana Driver was deactivated — 2 assets to recover. \
             Eve was deactivated — 1 asset to recover. Finn was deactivated — 1 asset to recover. \
             2 more people hold 4 assets to recover."
        );
        assert_eq!(
            to_recover("Dana Driver", &["LAP-1".into(), "PHN-2".into()]),
            "Dana Driver was deactivated — 2 assets to recover: LAP-1, PHN-2."
        );
        assert_eq!(to_recover("Nobody", &[]), "");

        let mut failed = run(RunResult::Failed, RunCounts::default());
        failed.error = Some("Microsoft Graph is unavailable.".into());
        assert_eq!(headline(&failed), "failed: nobody was deactivated");
        assert!(notification(&failed)
            .unwrap()
            .ends_with("Microsoft Graph is unavailable."));
    }
}
