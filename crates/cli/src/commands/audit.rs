use uniasset_core::access::Actor;
use uniasset_core::audit::{self, AuditEntry, AuditQuery, MAX_PAGE_SIZE};
use uniasset_core::store::Store;

use crate::args::{AuditArgs, AuditCommand};
use crate::output::{self, Done, Failure};

/// Every matching entry, newest first: a table, JSON, or the window's CSV export.
pub fn run(store: &Store, args: AuditArgs) -> Result<Done, Failure> {
    let by = Actor::CommandLine;
    if let Some(AuditCommand::Verify) = args.command {
        let head = audit::verify(store, &by)??;
        let text = format!(
            "The audit trail is intact: {} entries, head hash {}.",
            head.entries, head.head
        );
        return Ok(Done::new(&head, text));
    }
    let mut query = AuditQuery {
        person: args.user,
        action: args.action,
        since: args.since,
        until: args.until,
        limit: Some(MAX_PAGE_SIZE),
        ..AuditQuery::default()
    };
    if args.csv {
        let mut csv = Vec::new();
        audit::export_csv(store, &by, &query, &mut csv)?;
        let csv = String::from_utf8(csv).expect("CSV written from text is text");
        // Printing adds the last line break back.
        let text = csv.strip_suffix('\n').unwrap_or(&csv).to_owned();
        return Ok(Done {
            json: serde_json::Value::Null,
            text,
        });
    }
    let mut entries = Vec::new();
    loop {
        let page = audit::page(store, &by, &query)?;
        entries.extend(page.entries);
        match page.next {
            Some(next) => query.before = Some(next),
            None => break,
        }
    }
    let text = if entries.is_empty() {
        "No audit entries match.".to_owned()
    } else {
        table(&entries)
    };
    Ok(Done::new(&entries, text))
}

fn table(entries: &[AuditEntry]) -> String {
    let rows: Vec<[String; 5]> = entries
        .iter()
        .map(|e| {
            [
                e.at.clone(),
                e.actor.clone(),
                e.action.clone(),
                e.subject.clone().unwrap_or_default(),
                e.detail.clone(),
            ]
        })
        .collect();
    output::table(["TIME", "ACTOR", "ACTION", "SUBJECT", "DETAILS"], &rows)
}
