//! How a single Graph call is retried: `Retry-After` when Microsoft gives one, otherwise
//! exponential backoff with jitter (backon), always within the client's time budget.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use backon::ExponentialBuilder;

use super::GraphError;

const STUBBORN_RETRIES: u32 = 2;

/// Why an attempt failed.
pub(super) enum Failure {
    /// Worth another try, after `retry_after` if Microsoft said so.
    Transient {
        kind: Transient,
        retry_after: Option<Duration>,
    },
    /// A 401: get a new token and try once more at once.
    RefreshToken {
        code: String,
    },
    Final(GraphError),
}

pub(super) enum Transient {
    Throttled,
    Unavailable(u16),
    Network { host: String, detail: String },
    Malformed(String),
}

impl Failure {
    pub fn retryable(&self) -> bool {
        !matches!(self, Failure::Final(_))
    }

    /// Microsoft refused the request without running it: throttled, or a 401 before it.
    pub fn not_run(&self) -> bool {
        matches!(
            self,
            Failure::Transient {
                kind: Transient::Throttled,
                ..
            } | Failure::RefreshToken { .. }
        )
    }

    /// The delay before the next attempt, or `None` to stop: the budget is spent, or a
    /// network failure or unreadable reply has already been retried `STUBBORN_RETRIES` times
    /// (those rarely heal within a run; throttling does, so it gets the whole budget).
    pub fn next_delay(
        &self,
        backoff: Option<Duration>,
        deadline: Instant,
        stubborn: &AtomicU32,
    ) -> Option<Duration> {
        let stubborn_kind = matches!(
            self,
            Failure::Transient {
                kind: Transient::Network { .. } | Transient::Malformed(_),
                ..
            }
        );
        if stubborn_kind && stubborn.fetch_add(1, Ordering::Relaxed) + 1 > STUBBORN_RETRIES {
            return None;
        }
        let delay = match self {
            Failure::RefreshToken { .. } => Duration::ZERO,
            Failure::Transient {
                retry_after: Some(after),
                ..
            } => *after,
            _ => backoff?,
        };
        fits(delay, deadline).then_some(delay)
    }

    pub fn into_error(self, started: Instant) -> GraphError {
        let waited = started.elapsed();
        match self {
            Failure::Final(e) => e,
            Failure::RefreshToken { code } => GraphError::TokenRejected { code },
            Failure::Transient { kind, .. } => match kind {
                Transient::Throttled => GraphError::Throttled { waited },
                Transient::Unavailable(status) => GraphError::Unavailable { status, waited },
                Transient::Network { host, detail } => GraphError::Unreachable { host, detail },
                Transient::Malformed(detail) => GraphError::Malformed { detail },
            },
        }
    }
}

pub(super) fn backoff(min_delay: Duration, max_attempts: usize) -> ExponentialBuilder {
    ExponentialBuilder::default()
        .with_min_delay(min_delay)
        .with_max_delay(Duration::from_secs(30))
        .with_factor(2.0)
        .with_jitter()
        .with_max_times(max_attempts)
}

/// Whether waiting `delay` from now still ends by `deadline`. Checked: `delay` may come
/// from Microsoft, and `Instant + Duration` panics past what the clock can hold.
pub(super) fn fits(delay: Duration, deadline: Instant) -> bool {
    Instant::now()
        .checked_add(delay)
        .is_some_and(|end| end <= deadline)
}

/// Parses `Retry-After` in seconds; Graph may send fractions such as "2.128". Negative,
/// NaN and infinite values are ignored (backoff applies), absurdly long ones capped.
pub(super) fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(300.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_may_be_fractional() {
        assert_eq!(
            parse_retry_after("2.128"),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn absurd_retry_after_values_neither_panic_nor_stall() {
        for odd in ["NaN", "nan", "inf", "-inf", "1e400", "-1e400", "-0.5"] {
            assert_eq!(parse_retry_after(odd), None, "{odd}");
        }
        let cap = Some(Duration::from_secs(300));
        assert_eq!(parse_retry_after("18446744073709551615"), cap);
        assert_eq!(parse_retry_after("1e300"), cap);
        assert_eq!(parse_retry_after("-0"), Some(Duration::ZERO));
    }

    #[test]
    fn a_delay_past_the_clock_does_not_fit() {
        let later = Instant::now() + Duration::from_secs(120);
        assert!(fits(Duration::from_secs(1), later));
        assert!(!fits(Duration::from_secs(121), later));
        assert!(!fits(Duration::MAX, later));
    }

    #[test]
    fn the_budget_bounds_the_wait() {
        let throttled = Failure::Transient {
            kind: Transient::Throttled,
            retry_after: Some(Duration::from_secs(60)),
        };
        let count = AtomicU32::new(0);
        let soon = Instant::now() + Duration::from_secs(5);
        assert_eq!(throttled.next_delay(None, soon, &count), None);
        let later = Instant::now() + Duration::from_secs(120);
        assert_eq!(
            throttled.next_delay(None, later, &count),
            Some(Duration::from_secs(60))
        );
        let unavailable = Failure::Transient {
            kind: Transient::Unavailable(503),
            retry_after: None,
        };
        let half = Duration::from_millis(500);
        assert_eq!(
            unavailable.next_delay(Some(half), later, &count),
            Some(half)
        );
        assert_eq!(
            unavailable.next_delay(None, later, &count),
            None,
            "backoff exhausted"
        );
        assert_eq!(
            count.load(Ordering::Relaxed),
            0,
            "throttling and outages are not counted as stubborn"
        );
    }

    #[test]
    fn network_failures_are_retried_only_twice() {
        let refused = || Failure::Transient {
            kind: Transient::Network {
                host: "h".into(),
                detail: "refused".into(),
            },
            retry_after: None,
        };
        let count = AtomicU32::new(0);
        let later = Instant::now() + Duration::from_secs(120);
        let half = Some(Duration::from_millis(500));
        assert!(refused().next_delay(half, later, &count).is_some());
        assert!(refused().next_delay(half, later, &count).is_some());
        assert_eq!(refused().next_delay(half, later, &count), None);
    }
}
