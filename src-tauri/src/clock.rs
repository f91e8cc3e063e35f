//! The scheduler's notion of "now". Real time, except in end-to-end test builds
//! (feature `test-clock`), where a test moves time by writing RFC 3339 into a file.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Wake often and compare wall-clock time: a sleep across suspend or a clock change would
/// otherwise miss or double a window (R-T3).
#[cfg(not(feature = "test-clock"))]
pub fn tick() -> Duration {
    Duration::from_secs(30)
}

#[cfg(not(feature = "test-clock"))]
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(feature = "test-clock")]
pub fn tick() -> Duration {
    let ms = std::env::var("UNIASSET_TEST_TICK_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000);
    Duration::from_millis(ms)
}

#[cfg(feature = "test-clock")]
pub fn now() -> DateTime<Utc> {
    std::env::var_os("UNIASSET_TEST_CLOCK_FILE")
        .and_then(|path| std::fs::read_to_string(path).ok())
        .and_then(|text| DateTime::parse_from_rfc3339(text.trim()).ok())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}
