//! Which copies to keep: the newest copy of each of the last `keep_daily` days that have
//! copies, plus the newest copy of each of the last `keep_weekly` ISO weeks older than
//! those. A pure decision, so it is tested without files; the caller deletes the rest.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, IsoWeek, NaiveDate, Utc};

/// The indexes into `created` (the copies' times, in any order) of the copies to keep.
pub(super) fn keep(created: &[DateTime<Utc>], keep_daily: u32, keep_weekly: u32) -> HashSet<usize> {
    let mut newest_first: Vec<usize> = (0..created.len()).collect();
    newest_first.sort_by(|&a, &b| created[b].cmp(&created[a]));

    let mut kept = HashSet::new();
    let mut days: Vec<NaiveDate> = Vec::new();
    let mut weeks: Vec<IsoWeek> = Vec::new();
    for i in newest_first {
        let day = created[i].date_naive();
        if days.contains(&day) {
            continue;
        }
        if days.len() < keep_daily as usize {
            // The first copy seen of a day is its newest.
            days.push(day);
            kept.insert(i);
            continue;
        }
        // Older than every daily copy kept: one per week.
        let week = day.iso_week();
        if !weeks.contains(&week) && weeks.len() < keep_weekly as usize {
            weeks.push(week);
            kept.insert(i);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    fn kept(created: &[DateTime<Utc>], daily: u32, weekly: u32) -> Vec<DateTime<Utc>> {
        let keep = keep(created, daily, weekly);
        let mut times: Vec<_> = keep.into_iter().map(|i| created[i]).collect();
        times.sort();
        times
    }

    #[test]
    fn seven_daily_and_four_weekly_from_sixty_days_of_copies() {
        // A copy at 03:00 every day from 2026-09-01 to 2026-10-30 (a Friday), and a second
        // one at 15:00 on the last day.
        let mut created: Vec<_> = (0..60)
            .map(|d| at(2026, 9, 1, 3) + chrono::Duration::days(d))
            .collect();
        created.push(at(2026, 10, 30, 15));
        let kept = kept(&created, 7, 4);
        let expected = vec![
            // The newest copy older than the daily ones in each of four ISO weeks: Friday
            // 10-23 (its week's later days are daily copies), then Sundays 10-18, 10-11
            // and 10-04.
            at(2026, 10, 4, 3),
            at(2026, 10, 11, 3),
            at(2026, 10, 18, 3),
            at(2026, 10, 23, 3),
            // The last seven days with copies, the newest of each (10-30's second copy).
            at(2026, 10, 24, 3),
            at(2026, 10, 25, 3),
            at(2026, 10, 26, 3),
            at(2026, 10, 27, 3),
            at(2026, 10, 28, 3),
            at(2026, 10, 29, 3),
            at(2026, 10, 30, 15),
        ];
        assert_eq!(kept, expected);
    }

    #[test]
    fn days_without_copies_do_not_count() {
        // Copies on three days a fortnight apart: each is one of the last seven days that
        // have copies, so all stay.
        let created = [at(2026, 10, 1, 3), at(2026, 10, 15, 3), at(2026, 10, 29, 3)];
        assert_eq!(kept(&created, 7, 4).len(), 3);
    }

    #[test]
    fn the_weekly_copy_is_the_newest_of_its_week_past_the_daily_ones() {
        // Monday to Sunday of one week, then the next Monday and Tuesday; one daily copy.
        let created: Vec<_> = (0..9)
            .map(|d| at(2026, 10, 5, 3) + chrono::Duration::days(d))
            .collect();
        assert_eq!(
            kept(&created, 1, 1),
            vec![at(2026, 10, 12, 3), at(2026, 10, 13, 3)],
            "Tuesday's copy daily, Monday's as its week's (older than Tuesday) newest"
        );
        assert_eq!(
            kept(&created, 2, 1),
            vec![
                at(2026, 10, 11, 3),
                at(2026, 10, 12, 3),
                at(2026, 10, 13, 3)
            ],
            "the daily copies take Monday and Tuesday; Sunday is the week before's newest"
        );
        assert_eq!(kept(&created, 2, 0).len(), 2, "no weekly copies");
    }

    #[test]
    fn nothing_to_decide_on_no_copies() {
        assert!(keep(&[], 7, 4).is_empty());
    }
}
