//! Where a leaver's asset stands against its due date, and why one was written off.

use chrono::{Days, NaiveDate};

use crate::clock;
use crate::text_enum::text_enum;

/// An asset due within this many days is "due soon".
pub const DUE_SOON_DAYS: u64 = 3;

text_enum! {
    /// Where a leaver's asset stands against its due date, today (UTC).
    ReturnState, "return state", "due, due_soon or overdue" {
        Due => "due",
        /// Due within `DUE_SOON_DAYS` days, or today.
        DueSoon => "due_soon",
        /// The due date has passed.
        Overdue => "overdue",
    }
}

text_enum! {
    /// Why an asset was written off.
    WriteOffReason, "write-off reason", "not_returned, bought_out or destroyed" {
        NotReturned => "not_returned",
        /// The leaver bought it.
        BoughtOut => "bought_out",
        Destroyed => "destroyed",
    }
}

impl WriteOffReason {
    pub fn label(self) -> &'static str {
        match self {
            WriteOffReason::NotReturned => "not returned",
            WriteOffReason::BoughtOut => "bought out",
            WriteOffReason::Destroyed => "destroyed",
        }
    }
}

impl ReturnState {
    /// The state of an asset due on `due` (YYYY-MM-DD) on `today`.
    pub fn on(due: NaiveDate, today: NaiveDate) -> ReturnState {
        if today > due {
            ReturnState::Overdue
        } else if today.checked_add_days(Days::new(DUE_SOON_DAYS)) >= Some(due) {
            ReturnState::DueSoon
        } else {
            ReturnState::Due
        }
    }

    /// The state today of an asset due on the stored day; None for a day that does not read.
    pub(super) fn today(due: &str) -> Option<ReturnState> {
        let due = NaiveDate::parse_from_str(due, "%Y-%m-%d").ok()?;
        Some(ReturnState::on(due, clock::now().date_naive()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_soon_from_three_days_before_and_overdue_from_the_day_after() {
        let due = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let on = |d: u32| ReturnState::on(due, NaiveDate::from_ymd_opt(2026, 3, d).unwrap());
        assert_eq!(on(6), ReturnState::Due);
        assert_eq!(on(7), ReturnState::DueSoon);
        assert_eq!(on(10), ReturnState::DueSoon, "due today is not overdue");
        assert_eq!(on(11), ReturnState::Overdue);
    }
}
