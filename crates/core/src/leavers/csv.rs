//! The evidence as a CSV file for an auditor's spreadsheet: one row per deactivation, every
//! cell safe to open (R-D9), and the audit trail's verdict on every row.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;

use super::evidence::{evidence, EvidenceAsset, EvidenceRow};
use super::{delay_words, LeaversError};
use crate::access::Actor;
use crate::assets::HoldingOutcome;
use crate::spreadsheet::safe_cell;
use crate::store::Store;

/// The CSV columns, one row per deactivation. Columns added later come last, so a
/// spreadsheet built on the earlier ones keeps working.
pub const CSV_HEADER: [&str; 26] = [
    "person",
    "email",
    "reason",
    "detected_at",
    "deactivated_at",
    "deactivated_by",
    "delay",
    "assets_held",
    "returned",
    "lost",
    "outstanding",
    "object_id",
    "trigger",
    "applied_by",
    "applied_at",
    "sessions",
    "sessions_ended_at",
    "disabled_in_entra_at",
    "target_hours",
    "target_met",
    "received_by",
    "lost_by",
    "asset_notes",
    "audit_trail",
    "written_off",
    "written_off_by",
];

/// The evidence for the period as CSV. Returns how many deactivations were written.
pub fn evidence_csv(
    store: &Store,
    by: &Actor,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    out: impl Write,
) -> Result<u32, LeaversError> {
    let evidence = evidence(store, by, since, until)?;
    let mut csv = csv::Writer::from_writer(out);
    let write = |e: csv::Error| LeaversError::Write(e.into());
    csv.write_record(CSV_HEADER).map_err(write)?;
    for row in &evidence.rows {
        let cells = cells(row, &evidence.audit_trail);
        csv.write_record(cells.iter().map(|c| safe_cell(c).into_owned()))
            .map_err(write)?;
    }
    csv.flush().map_err(LeaversError::Write)?;
    Ok(evidence.rows.len() as u32)
}

fn cells(row: &EvidenceRow, audit_trail: &str) -> [String; 26] {
    let each = |pick: &dyn Fn(&EvidenceAsset) -> Option<String>| {
        row.assets
            .iter()
            .filter_map(|a| pick(a).map(|text| format!("{}: {text}", a.tag)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let ended = |outcome: HoldingOutcome| {
        row.assets
            .iter()
            .filter(|a| a.outcome == Some(outcome))
            .map(|a| format!("{} {}", a.tag, a.returned_at.as_deref().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let held: Vec<String> = row
        .assets
        .iter()
        .map(|a| match &a.serial {
            Some(serial) => format!("{} ({}, serial {serial})", a.tag, a.name),
            None => format!("{} ({})", a.tag, a.name),
        })
        .collect();
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    [
        row.name.clone(),
        row.email.clone(),
        row.reason.as_str().to_owned(),
        text(&row.detected_at),
        row.deactivated_at.clone(),
        row.deactivated_by.clone(),
        row.delay_seconds.map(delay_words).unwrap_or_default(),
        held.join("; "),
        ended(HoldingOutcome::Returned),
        ended(HoldingOutcome::Lost),
        row.assets_outstanding.join("; "),
        text(&row.object_id),
        row.trigger.as_str().to_owned(),
        text(&row.applied_by),
        text(&row.applied_at),
        row.sessions
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        text(&row.sessions_ended_at),
        text(&row.disabled_in_entra_at),
        row.target_hours.to_string(),
        match row.target_met {
            Some(true) => "yes".to_owned(),
            Some(false) => "no".to_owned(),
            None => String::new(),
        },
        each(&|a| a.received_by.clone()),
        each(&|a| a.lost_by.clone()),
        each(&|a| a.note.clone()),
        audit_trail.to_owned(),
        ended(HoldingOutcome::WrittenOff),
        each(&|a| {
            a.written_off_by
                .as_ref()
                .map(|by| match a.write_off_reason {
                    Some(reason) => format!("{by} ({})", reason.label()),
                    None => by.clone(),
                })
        }),
    ]
}

/// `evidence_csv` into the file at `path`, written beside it and then renamed, so a failed
/// export never leaves half a file under the chosen name; readable by its owner only.
pub fn evidence_csv_file(
    store: &Store,
    by: &Actor,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    path: &Path,
) -> Result<u32, LeaversError> {
    by.require_admin("see the deprovisioning evidence")?;
    crate::data_dir::export_file(
        path,
        |out| evidence_csv(store, by, since, until, out),
        |source| LeaversError::WriteFile {
            path: path.to_owned(),
            source,
        },
    )
}
