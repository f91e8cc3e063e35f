use uniasset_core::access::Actor;
use uniasset_core::leavers::{self, EvidenceRow};
use uniasset_core::store::Store;

use crate::args::LeaversArgs;
use crate::output::{self, Done, Failure};

/// The deprovisioning evidence for the period: a table, JSON (one object per
/// deactivation), or the window's CSV export.
pub fn leavers(store: &Store, args: LeaversArgs) -> Result<Done, Failure> {
    let by = Actor::CommandLine;
    let since = args.since.as_deref().map(leavers::parse_date).transpose()?;
    let until = args.until.as_deref().map(leavers::parse_date).transpose()?;
    if args.csv {
        let mut csv = Vec::new();
        leavers::evidence_csv(store, &by, since, until, &mut csv)?;
        let csv = String::from_utf8(csv).expect("CSV written from text is text");
        // Printing adds the last line break back.
        let text = csv.strip_suffix('\n').unwrap_or(&csv).to_owned();
        return Ok(Done {
            json: serde_json::Value::Null,
            text,
        });
    }
    let evidence = leavers::evidence(store, &by, since, until)?;
    let text = if evidence.rows.is_empty() {
        "Nobody was deactivated in this period.".to_owned()
    } else {
        table(&evidence.rows)
    };
    Ok(Done::new(&evidence.rows, text))
}

/// Shows or sets the target time the evidence measures deactivations against.
pub fn target(store: &mut Store, hours: Option<u32>) -> Result<Done, Failure> {
    let hours = match hours {
        Some(hours) => leavers::set_target_hours(store, &Actor::CommandLine, hours)?,
        None => leavers::target_hours(store)?,
    };
    let text = format!("Target from detecting a leaver to deactivating them: {hours} hours.");
    Ok(Done::new(
        &serde_json::json!({ "target_hours": hours }),
        text,
    ))
}

fn table(rows: &[EvidenceRow]) -> String {
    let list = |tags: &[String]| {
        if tags.is_empty() {
            "-".to_owned()
        } else {
            tags.join(", ")
        }
    };
    let rows: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            [
                r.email.clone(),
                r.reason.to_string(),
                r.detected_at.clone().unwrap_or_else(|| "-".into()),
                r.deactivated_at.clone(),
                r.deactivated_by.clone(),
                r.delay_seconds
                    .map(leavers::delay_words)
                    .unwrap_or_else(|| "-".into()),
                match r.target_met {
                    Some(true) => "met".into(),
                    Some(false) => "missed".into(),
                    None => "-".into(),
                },
                list(&r.assets_outstanding),
                list(&r.assets_returned),
            ]
        })
        .collect();
    output::table(
        [
            "PERSON",
            "REASON",
            "DETECTED",
            "DEACTIVATED",
            "BY",
            "DELAY",
            "TARGET",
            "OUTSTANDING",
            "RETURNED",
        ],
        &rows,
    )
}
