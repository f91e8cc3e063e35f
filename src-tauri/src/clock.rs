//! The app's notion of "now" is the core's clock (`uniasset_core::clock`). Real time,
//! except in end-to-end test builds (feature `test-clock`), which install a clock that a
//! test moves by writing RFC 3339 into a file; every rule in the core then sees it.

use std::time::Duration;

use chrono::{DateTime, Utc};

pub fn now() -> DateTime<Utc> {
    uniasset_core::clock::now()
}

/// Wake often and compare wall-clock time: a sleep across suspend or a clock change would
/// otherwise miss or double a window (R-T3).
#[cfg(not(feature = "test-clock"))]
pub fn tick() -> Duration {
    Duration::from_secs(30)
}

/// Nothing to install: the core uses the system clock.
#[cfg(not(feature = "test-clock"))]
pub fn install() {}

#[cfg(feature = "test-clock")]
pub fn tick() -> Duration {
    let ms = std::env::var("UNIASSET_TEST_TICK_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000);
    Duration::from_millis(ms)
}

#[cfg(feature = "test-clock")]
struct FileClock;

#[cfg(feature = "test-clock")]
impl uniasset_core::clock::Clock for FileClock {
    fn now(&self) -> DateTime<Utc> {
        std::env::var_os("UNIASSET_TEST_CLOCK_FILE")
            .and_then(|path| std::fs::read_to_string(path).ok())
            .and_then(|text| DateTime::parse_from_rfc3339(text.trim()).ok())
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
    }
}

#[cfg(feature = "test-clock")]
pub fn install() {
    uniasset_core::clock::install(Box::new(FileClock));
}
