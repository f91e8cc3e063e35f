use uniasset_core::access::Actor;
use uniasset_core::clock;
use uniasset_core::home::{self, Health, Home, Place};
use uniasset_core::store::Store;

use crate::output::{Done, Failure};

/// Home, for people and scripts.
pub fn run(store: &Store) -> Result<Done, Failure> {
    let home = home::home(store, &Actor::CommandLine, clock::now())?;
    let text = text(&home);
    Ok(Done::new(&home, text))
}

fn text(home: &Home) -> String {
    let mut lines = vec![home.organization.clone(), String::new()];
    for item in &home.items {
        let mark = match item.health {
            Health::Good => "ok  ",
            Health::Attention => "!!  ",
            Health::Off => "off ",
        };
        let mut line = format!("{mark} {}: {}", item.title, item.summary);
        if let (Some(label), Some(at)) = (&item.at_label, &item.at) {
            // RFC 3339 in UTC, as the other commands print times.
            line.push_str(&format!(" {label}: {at}."));
        }
        if let Some(action) = item
            .action
            .as_ref()
            .filter(|_| item.health == Health::Attention)
        {
            line.push_str(&format!(" → {} in {}.", action.label, where_(action.place)));
        }
        lines.push(line);
    }
    if let Some(checklist) = &home.checklist {
        let total = checklist.steps.len();
        lines.push(String::new());
        lines.push(format!(
            "Getting started: {} of {total} done.",
            total - checklist.remaining as usize
        ));
        for step in &checklist.steps {
            let mark = if step.done { "[x]" } else { "[ ]" };
            let mut line = format!("  {mark} {}", step.title);
            if !step.done {
                line.push_str(&format!(" ({})", where_(step.action.place)));
                if let Some(why) = &step.blocked {
                    line.push_str(&format!(": {why}"));
                }
            }
            lines.push(line);
        }
    }
    lines.join("\n")
}

/// The window's place, as the command line names it.
fn where_(place: Place) -> &'static str {
    match place {
        Place::Entra => "Settings → Integrations → Microsoft Entra ID",
        Place::People | Place::PeopleCannotSignIn | Place::PeopleNotLinked => "People",
        Place::Leavers => "Assets → Leavers",
        Place::Assets => "Assets → Register",
        Place::Backups => "Settings → General → Backups",
        Place::EmailAlerts => "Settings → General → Email alerts",
        Place::AuditLog => "Settings → Audit log (or `uniasset audit verify`)",
    }
}
