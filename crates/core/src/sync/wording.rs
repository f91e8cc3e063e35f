//! A run's result in words, once, for the tray, the desktop notification and the command
//! line.

use super::{LineOutcome, RunRecord, RunResult};

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn held_count(run: &RunRecord) -> u32 {
    run.lines
        .iter()
        .filter(|l| l.outcome == LineOutcome::Held)
        .count() as u32
}

/// One short line: "2 deactivated, 1 error", "failed: nobody was deactivated".
pub fn headline(run: &RunRecord) -> String {
    let c = run.counts;
    match run.result {
        RunResult::Running => "running".to_owned(),
        RunResult::Failed => "failed: nobody was deactivated".to_owned(),
        RunResult::HeldForReview => "held for review: nobody was deactivated".to_owned(),
        RunResult::Succeeded | RunResult::CompletedWithErrors => {
            let mut parts = vec![format!("{} deactivated", c.deactivated)];
            if c.skipped > 0 {
                parts.push(format!("{} skipped", c.skipped));
            }
            if c.errors > 0 {
                parts.push(plural(c.errors, "error", "errors"));
            }
            parts.join(", ")
        }
    }
}

/// What a desktop notification says, when the run is worth one: someone deactivated, a
/// failure, or a hold.
pub fn notification(run: &RunRecord) -> Option<String> {
    let n = run.counts.deactivated;
    match run.result {
        RunResult::Failed => Some(format!(
            "The Entra ID sync failed: {}",
            run.error.as_deref().unwrap_or("see the run history.")
        )),
        RunResult::HeldForReview => Some(format!(
            "The Entra ID sync was held for review: it would deactivate {}. Nobody was deactivated; open Settings → Integrations → Microsoft Entra ID to apply or dismiss.",
            plural(held_count(run), "user", "users")
        )),
        _ if n > 0 => Some(format!(
            "The Entra ID sync deactivated {}.",
            plural(n, "user", "users")
        )),
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

        let mut failed = run(RunResult::Failed, RunCounts::default());
        failed.error = Some("Microsoft Graph is unavailable.".into());
        assert_eq!(headline(&failed), "failed: nobody was deactivated");
        assert!(notification(&failed)
            .unwrap()
            .ends_with("Microsoft Graph is unavailable."));
    }
}
