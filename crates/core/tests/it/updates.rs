//! In-app updates (issue 28), the core's part, on a real SQLite file: who may look and
//! install, the feed address, when the daily check is due, what a check found, the guard
//! that keeps an install from starting beside a sync, a backup or a restore, and a package
//! the system's tool refuses.

use chrono::{Duration, TimeZone, Utc};
use testkit::{Org, MEMBER_EMAIL};
use uniasset_core::organization::Plan;
use uniasset_core::store::DataDirLock;
use uniasset_core::updates::{self, Answer, Installation, Package, Release, UpdateError};
use uniasset_core::ErrorCode;

fn installed(package: Option<Package>) -> Installation {
    Installation {
        version: "1.2.0".into(),
        package,
        built_in_feed: None,
        feed_from_environment: None,
    }
}

fn release(version: &str) -> Release {
    Release {
        version: version.into(),
        notes: Some("Fixes the nightly sync on tenants with guests.".into()),
        published_at: Some("2026-12-01T09:00:00Z".into()),
    }
}

#[test]
fn only_owners_and_admins_see_or_change_updates() {
    let mut org = testkit::team(Plan::Team);
    let member = org.actor(MEMBER_EMAIL);
    let deb = installed(Some(Package::Deb));
    let refused = |e: UpdateError| e.code() == "needs_admin";
    assert!(refused(
        updates::status(&org.store, &member, &deb).unwrap_err()
    ));
    assert!(refused(
        updates::set_check_daily(&mut org.store, &member, false).unwrap_err()
    ));
    assert!(refused(
        updates::set_feed(&mut org.store, &member, "https://mirror.example.org/u.json")
            .unwrap_err()
    ));
    assert!(refused(
        updates::begin_install(&org.store, &member, &deb)
            .err()
            .unwrap()
    ));
    let status = updates::status(&org.store, &org.owner(), &deb).unwrap();
    assert!(status.check_daily, "the daily check is on until turned off");
    assert_eq!(status.current_version, "1.2.0");
    assert_eq!(status.feed_in_use, None);
    assert_eq!(status.cannot_install, None);
}

#[test]
fn a_feed_address_is_https_or_refused_and_empty_goes_back_to_the_build() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    let mut build = installed(Some(Package::Deb));
    build.built_in_feed = Some("https://releases.example.com/latest.json".into());
    let entries = |org: &Org| org.count("audit_entries");

    let before = entries(&org);
    let e =
        updates::set_feed(&mut org.store, &owner, "http://mirror.example.org/u.json").unwrap_err();
    assert_eq!(e.code(), "update_feed_address");
    assert!(e.to_string().contains("https://"), "{e}");
    assert_eq!(entries(&org), before, "a refused address changes nothing");

    updates::set_feed(
        &mut org.store,
        &owner,
        " https://mirror.example.org/u.json ",
    )
    .unwrap();
    let status = updates::status(&org.store, &owner, &build).unwrap();
    assert_eq!(
        status.saved_feed.as_deref(),
        Some("https://mirror.example.org/u.json")
    );
    assert_eq!(
        status.feed_in_use.as_deref(),
        Some("https://mirror.example.org/u.json")
    );
    assert_eq!(entries(&org), before + 1, "the change is in the audit log");

    build.feed_from_environment = Some("https://127.0.0.1:9443/latest.json".into());
    let status = updates::status(&org.store, &owner, &build).unwrap();
    assert_eq!(
        status.feed_in_use.as_deref(),
        Some("https://127.0.0.1:9443/latest.json")
    );

    build.feed_from_environment = None;
    updates::set_feed(&mut org.store, &owner, "").unwrap();
    let status = updates::status(&org.store, &owner, &build).unwrap();
    assert_eq!(status.saved_feed, None);
    assert_eq!(
        status.feed_in_use.as_deref(),
        Some("https://releases.example.com/latest.json")
    );
    assert!(matches!(
        updates::feed_in_use(&org.store, &installed(None)),
        Err(UpdateError::NoFeed)
    ));
}

#[test]
fn the_daily_check_waits_a_day_after_any_try_and_can_be_turned_off() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
    let mut build = installed(Some(Package::Deb));
    assert!(
        !updates::check_due(&org.store, &build, now).unwrap(),
        "no feed: nothing to check"
    );
    build.built_in_feed = Some("https://releases.example.com/latest.json".into());
    assert!(
        updates::check_due(&org.store, &build, now).unwrap(),
        "never checked: due"
    );

    updates::remember_check(&org.store, now, Answer::NoAnswer).unwrap();
    assert!(!updates::check_due(&org.store, &build, now + Duration::hours(23)).unwrap());
    assert!(updates::check_due(&org.store, &build, now + Duration::hours(24)).unwrap());
    let status = updates::status(&org.store, &owner, &installed(None)).unwrap();
    assert_eq!(
        status.last_checked_at, None,
        "a feed that did not answer is no check"
    );

    updates::set_check_daily(&mut org.store, &owner, false).unwrap();
    assert!(!updates::check_due(&org.store, &build, now + Duration::days(30)).unwrap());
    assert!(
        !updates::status(&org.store, &owner, &installed(None))
            .unwrap()
            .check_daily
    );
}

#[test]
fn what_a_check_found_is_shown_until_it_is_installed_or_running() {
    let org = testkit::org(Plan::Team);
    let owner = org.owner();
    let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
    let found = release("1.3.0");
    updates::remember_check(&org.store, now, Answer::Newer(&found)).unwrap();

    let status = updates::status(&org.store, &owner, &installed(Some(Package::Deb))).unwrap();
    assert_eq!(status.available, Some(found.clone()));
    assert_eq!(
        status.last_checked_at.as_deref(),
        Some("2026-12-07T09:00:00.000Z")
    );
    assert_eq!(
        updates::available(&org.store, "1.2.0").unwrap(),
        Some(found)
    );
    // Once 1.3.0 runs, what the last check found is not news.
    assert_eq!(updates::available(&org.store, "1.3.0").unwrap(), None);

    // Installed while 1.2.0 still runs: no longer offered, but waiting for a restart.
    let deb = installed(Some(Package::Deb));
    // An installer that was only started (Windows ends UniAsset then) installed nothing yet.
    updates::record_installer_started(&org.store, &owner, &deb, "1.3.0").unwrap();
    assert_eq!(updates::installed(&org.store, "1.2.0").unwrap(), None);
    updates::record_installed(&org.store, &owner, &deb, "1.3.0").unwrap();
    let status = updates::status(&org.store, &owner, &deb).unwrap();
    assert_eq!(
        (status.available, status.installed.as_deref()),
        (None, Some("1.3.0"))
    );
    assert_eq!(
        updates::installed(&org.store, "1.2.0").unwrap().as_deref(),
        Some("1.3.0")
    );
    assert_eq!(
        updates::installed(&org.store, "1.3.0").unwrap(),
        None,
        "restarted"
    );
    let db = rusqlite::Connection::open(org.store.path()).unwrap();
    let trail: String = db
        .query_row(
            "SELECT detail FROM audit_entries WHERE action = 'updates.installed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(trail, "UniAsset 1.3.0 installed (was 1.2.0)");

    updates::remember_check(&org.store, now + Duration::days(1), Answer::UpToDate).unwrap();
    assert_eq!(updates::available(&org.store, "1.2.0").unwrap(), None);
    assert!(updates::newer("1.10.0", "1.9.3"));
    assert!(!updates::newer("1.2.0-rc.1", "1.2.0"));
    assert!(!updates::newer("latest", "1.2.0"));
}

#[test]
fn an_install_never_starts_beside_a_sync_a_backup_or_a_restore() {
    let org = testkit::org(Plan::Team);
    let owner = org.owner();
    let dir = org.store.data_dir().to_owned();

    let e = updates::begin_install(&org.store, &owner, &installed(None))
        .err()
        .unwrap();
    assert_eq!(e.code(), "update_not_packaged");
    let deb = installed(Some(Package::Deb));

    // Another process's sync holds the same OS lock a sync takes.
    let sync = std::fs::File::create(dir.join(uniasset_core::sync::LOCK_FILE)).unwrap();
    sync.try_lock().unwrap();
    let e = updates::begin_install(&org.store, &owner, &deb)
        .err()
        .unwrap();
    assert_eq!(e.code(), "sync_running");
    assert!(e.to_string().contains("A sync is running"), "{e}");
    drop(sync);

    let backup = DataDirLock::acquire(&dir).unwrap();
    let e = updates::begin_install(&org.store, &owner, &deb)
        .err()
        .unwrap();
    assert_eq!(e.code(), "backup_running");
    drop(backup);

    let guard = updates::begin_install(&org.store, &owner, &deb).unwrap();
    assert!(
        DataDirLock::try_acquire(&dir).unwrap().is_none(),
        "no backup or restore starts while the update installs"
    );
    drop(guard);
    assert!(DataDirLock::try_acquire(&dir).unwrap().is_some());
}

#[test]
fn a_package_the_system_refuses_leaves_this_version_and_says_why() {
    let org = testkit::org(Plan::Team);
    let owner = org.owner();
    let deb = installed(Some(Package::Deb));
    let guard = updates::begin_install(&org.store, &owner, &deb).unwrap();
    let before = org.count("audit_entries");

    let e =
        updates::install_linux_package(&org.store, &owner, &guard, &deb, "1.3.0", b"not a package")
            .unwrap_err();
    let message = e.to_string();
    let package = org
        .store
        .data_dir()
        .join("updates")
        .join("uniasset-1.3.0.deb");
    match e {
        UpdateError::InstallFailed { .. } => {
            assert!(
                message.contains("UniAsset 1.2.0 keeps running"),
                "{message}"
            );
            assert!(
                message.contains(&package.display().to_string()),
                "{message}"
            );
            // dpkg's own words, as root; pkexec's when not (no agent to ask in a test).
            assert!(message.contains("installer ended with status"), "{message}");
        }
        UpdateError::NeedsAdministrator(path) => assert_eq!(path, package.display().to_string()),
        other => panic!("unexpected: {other}"),
    }
    assert!(
        package.is_file(),
        "the package is kept for installing by hand"
    );
    assert_eq!(org.count("audit_entries"), before, "nothing was installed");
}
