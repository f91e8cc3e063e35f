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

fn table(rows: &[EvidenceRow]) -> String {
    let list = |tags: &[String]| {
        if tags.is_empty() {
            "-".to_owned()
        } else {
            tags.join(", ")
        }
    };
    let rows: Vec<[String; 8]> = rows
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
            "OUTSTANDING",
            "RETURNED",
        ],
        &rows,
    )
}
