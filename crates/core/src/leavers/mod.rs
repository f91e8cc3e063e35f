//! Leavers (R-A2, R-A3): deactivated people who still hold assets, and the deprovisioning
//! evidence an auditor asks for — every deactivation in a period, what started it, when the
//! change was first seen, when and by whom access ended, whether within the target time,
//! and what became of each asset they held at that moment.

mod csv;
mod deactivations;
mod evidence;
mod list;
mod target;

use chrono::NaiveDate;
use std::path::PathBuf;

pub use self::csv::{evidence_csv, evidence_csv_file, CSV_HEADER};
pub use deactivations::DeactivationTrigger;
pub use evidence::{evidence, Evidence, EvidenceAsset, EvidenceRow};
pub use list::{count, leavers, overdue_count, Leaver};
pub use target::{set_target_hours, target_hours, TARGET_HOURS};

use crate::access::AccessError;
use crate::directory::DirectoryError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum LeaversError {
    #[error("\"{}\" is not a date: use YYYY-MM-DD.", crate::text::excerpt(.0))]
    InvalidDate(String),
    #[error("The start date {since} is after the end date {until}: no deactivation can match.")]
    DateRange { since: NaiveDate, until: NaiveDate },
    #[error("The target time must be between 1 and 720 hours (30 days), not {0}.")]
    TargetOutOfRange(u32),
    #[error("Could not write the evidence report: {0}")]
    Write(std::io::Error),
    #[error("Could not write the evidence report to {}: {source}", .path.display())]
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for LeaversError {
    fn code(&self) -> &'static str {
        match self {
            LeaversError::InvalidDate(_) => "invalid_date",
            LeaversError::DateRange { .. } => "invalid_date_range",
            LeaversError::TargetOutOfRange(_) => "invalid_target",
            LeaversError::Write(_) | LeaversError::WriteFile { .. } => "export_failed",
            LeaversError::Access(e) => e.code(),
            LeaversError::Directory(e) => e.code(),
            LeaversError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for LeaversError {
    fn from(e: rusqlite::Error) -> Self {
        LeaversError::Store(e.into())
    }
}

/// A day typed as YYYY-MM-DD (the command line's `--since` and `--until`).
pub fn parse_date(text: &str) -> Result<NaiveDate, LeaversError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| LeaversError::InvalidDate(text.to_owned()))
}

/// A delay for people: "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h".
pub fn delay_words(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m, s) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) => format!("{m} min {s} s"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_read_for_people() {
        assert_eq!(delay_words(0), "0 s");
        assert_eq!(delay_words(200), "3 min 20 s");
        assert_eq!(delay_words(2 * 3600 + 5 * 60 + 9), "2 h 5 min");
        assert_eq!(delay_words(3 * 86_400 + 4 * 3600), "3 d 4 h");
    }
}
