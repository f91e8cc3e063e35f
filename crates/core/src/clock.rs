//! The core's one clock. Every rule that reads the time (the schedule, the idle sign-out,
//! the secret's expiry warning, when a missing account counts as deleted) and every stamp
//! the store writes ask here, so a clock installed by the app reaches all of them: its
//! end-to-end builds install a test clock that a test moves past 03:00 UTC.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

static INSTALLED: OnceLock<Box<dyn Clock>> = OnceLock::new();

/// Installs the process's clock, once, before anything reads the time; without one the
/// system clock is used. Returns false if a clock was installed already.
pub fn install(clock: Box<dyn Clock>) -> bool {
    INSTALLED.set(clock).is_ok()
}

pub fn now() -> DateTime<Utc> {
    INSTALLED.get().map_or_else(Utc::now, |clock| clock.now())
}
