//! One clock for the whole core: installed once, it reaches every stamp and every rule that
//! reads the time. (Its own test binary: the clock is per process.)

use chrono::{DateTime, TimeZone, Utc};
use uniasset_core::clock::{self, Clock};
use uniasset_core::directory::{Role, SignInMethod};
use uniasset_core::organization::Plan;
use uniasset_core::{audit, sync};

struct Fixed;

impl Clock for Fixed {
    fn now(&self) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2031, 5, 6, 3, 0, 0).unwrap()
    }
}

#[test]
fn an_installed_clock_reaches_stamps_and_rules() {
    assert!(clock::install(Box::new(Fixed)));
    assert!(!clock::install(Box::new(Fixed)), "installed once");
    let mut org = testkit::org(Plan::Enterprise);
    let ann = org.add(
        "ann@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    assert!(
        ann.created_at.starts_with("2031-05-06T03:00:00"),
        "{}",
        ann.created_at
    );
    let trail = audit::for_user(&org.store, ann.id).unwrap();
    assert!(
        trail[0].at.starts_with("2031-05-06T03:00:00"),
        "{:?}",
        trail[0]
    );
    // The schedule's rule, asked for "now" by the app, answers on the same clock.
    assert!(sync::runs(&org.store, 1).unwrap().is_empty());
    assert_eq!(
        uniasset_core::schedule::latest_window(clock::now()),
        Utc.with_ymd_and_hms(2031, 5, 6, 3, 0, 0).unwrap()
    );
}
