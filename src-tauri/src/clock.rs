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

/// The scheduler finished a tick that looked at `now`: nothing to note outside tests.
#[cfg(not(feature = "test-clock"))]
pub fn ticked(_now: DateTime<Utc>) {}

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

/// The scheduler finished a tick that looked at `now` (whatever was due then has started,
/// and a run it started has ended): written whole to `<clock file>.ticked`, so that a test
/// that moved the clock waits for this instead of pausing.
#[cfg(feature = "test-clock")]
pub fn ticked(now: DateTime<Utc>) {
    let Some(clock) = std::env::var_os("UNIASSET_TEST_CLOCK_FILE") else {
        return;
    };
    let mut ticked = clock.clone();
    ticked.push(".ticked");
    let mut partial = clock;
    partial.push(".ticked.partial");
    if std::fs::write(&partial, now.to_rfc3339()).is_ok() {
        let _ = std::fs::rename(&partial, &ticked);
    }
}
