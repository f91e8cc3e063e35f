//! The audit trail's hash chain on a real SQLite file: entries the product records verify;
//! an entry edited, deleted or inserted straight in the file is named as the first that does
//! not match; a database from before the chain is chained by its upgrade.

use rusqlite::Connection;
use uniasset_core::access::Actor;
use uniasset_core::audit::{self, ChainBreak};
use uniasset_core::directory::{self, Role, SignInMethod};
use uniasset_core::organization::Plan;
use uniasset_core::store::{Store, MIGRATIONS};

/// Northwind with a few entries: people added, one deactivated.
fn org_with_history() -> testkit::Org {
    let mut org = testkit::team(Plan::Team);
    let ann = org.add(
        "ann@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    let owner = org.owner();
    directory::deactivate(&mut org.store, &owner, ann.id).unwrap();
    org
}

fn verify(org: &testkit::Org) -> Result<audit::ChainHead, ChainBreak> {
    audit::verify(&org.store, &Actor::CommandLine).unwrap()
}

/// The file, opened as anyone with it could.
fn db(org: &testkit::Org) -> Connection {
    Connection::open(org.store.path()).unwrap()
}

fn count(conn: &Connection) -> u64 {
    conn.query_row("SELECT count(*) FROM audit_entries", [], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap() as u64
}

/// Runs `tamper` on a copy of the file through a connection of its own, as someone with
/// the file would, then verifies the copy.
fn tampered(org: &testkit::Org, tamper: &str) -> ChainBreak {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("uniasset.db");
    db(org)
        .execute("VACUUM INTO ?1", [copy.to_string_lossy()])
        .unwrap();
    Connection::open(&copy)
        .unwrap()
        .execute_batch(tamper)
        .unwrap();
    let store = Store::open_existing(dir.path()).unwrap();
    audit::verify(&store, &Actor::CommandLine)
        .unwrap()
        .expect_err("the tampering shows")
}

#[test]
fn entries_the_product_records_form_an_intact_chain() {
    let org = org_with_history();
    let head = verify(&org).expect("intact");
    assert_eq!(head.entries, count(&db(&org)));
    assert!(head.entries >= 4, "{head:?}");
    let newest: String = db(&org)
        .query_row(
            "SELECT hash FROM audit_entries ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(head.head, newest);
    assert_eq!(head.head.len(), 64);
}

#[test]
fn an_edited_a_deleted_and_an_inserted_entry_are_each_named() {
    let org = org_with_history();
    let last: i64 = db(&org)
        .query_row("SELECT max(id) FROM audit_entries", [], |r| r.get(0))
        .unwrap();

    let edited = tampered(
        &org,
        "UPDATE audit_entries SET detail = 'nothing happened' WHERE id = 2",
    );
    assert_eq!(edited, ChainBreak::Edited { id: 2 });
    assert!(edited.to_string().contains("#2"), "{edited}");
    let backdated = tampered(
        &org,
        "UPDATE audit_entries SET at = '2020-01-01T00:00:00Z' WHERE id = 3",
    );
    assert_eq!(backdated, ChainBreak::Edited { id: 3 });

    let deleted = tampered(&org, "DELETE FROM audit_entries WHERE id = 2");
    assert_eq!(
        deleted,
        ChainBreak::Broken {
            id: 3,
            after: Some(1)
        }
    );
    assert!(
        deleted.to_string().contains("does not follow entry #1"),
        "{deleted}"
    );
    let first_deleted = tampered(&org, "DELETE FROM audit_entries WHERE id = 1");
    assert_eq!(first_deleted, ChainBreak::Broken { id: 2, after: None });

    let inserted = tampered(
        &org,
        &format!(
            "INSERT INTO audit_entries (id, at, actor_label, action, detail)
             VALUES ({}, '2026-01-01T00:00:00Z', 'someone', 'user.reactivated', '')",
            last + 1
        ),
    );
    assert_eq!(inserted, ChainBreak::Unchained { id: last + 1 });
    // Slipped in with the right link and a made-up hash.
    let head = verify(&org).unwrap().head;
    let forged = tampered(
        &org,
        &format!(
            "INSERT INTO audit_entries (id, at, actor_label, action, detail, prev_hash, hash)
             VALUES ({}, '2026-01-01T00:00:00Z', 'someone', 'user.reactivated', '', '{head}', '{}')",
            last + 1,
            "ab".repeat(32)
        ),
    );
    assert_eq!(forged, ChainBreak::Edited { id: last + 1 });
    // Moved between two entries by renumbering one: the link breaks there.
    let moved = tampered(&org, "UPDATE audit_entries SET id = 1000 WHERE id = 2");
    assert_eq!(
        moved,
        ChainBreak::Broken {
            id: 3,
            after: Some(1)
        }
    );

    verify(&org).expect("the original is untouched");
}

#[test]
fn a_database_from_before_the_chain_is_chained_by_its_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("uniasset.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        let before = rusqlite_migration::Migrations::from_slice(&MIGRATIONS[..16]);
        before.to_latest(&mut conn).unwrap();
        for i in 0..50 {
            conn.execute(
                "INSERT INTO audit_entries (at, actor_label, action, detail)
                 VALUES (?1, 'UniAsset', 'user.added', ?2)",
                rusqlite::params![
                    format!("2025-01-01T00:00:{:02}Z", i % 60),
                    format!("entry {i}")
                ],
            )
            .unwrap();
        }
    }
    let store = Store::open(dir.path()).unwrap();
    let head = audit::verify(&store, &Actor::CommandLine).unwrap().unwrap();
    assert_eq!(head.entries, 50);
    let unchained: i64 = Connection::open(store.path())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM audit_entries WHERE hash IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unchained, 0);
}

#[test]
fn only_owners_and_admins_verify() {
    let org = org_with_history();
    let mia = org.actor(testkit::MEMBER_EMAIL);
    let refused = audit::verify(&org.store, &mia).unwrap_err();
    assert!(refused.to_string().contains("Owner"), "{refused}");
}

#[test]
fn the_daily_check_keeps_its_verdict_and_home_shows_a_broken_trail() {
    let mut org = org_with_history();
    // The core's clock: other tests in this binary may have moved it.
    let now = uniasset_core::clock::now();
    assert!(audit::check_due(&org.store, now).unwrap(), "never checked");
    let intact = audit::check_and_keep(&mut org.store).unwrap();
    assert_eq!(intact.broken, None);
    assert_eq!(intact.entries, Some(count(&db(&org))));
    // Read after the check: a check stamped after `now` reads as a clock set back, and is due.
    let now = uniasset_core::clock::now();
    assert!(
        !audit::check_due(&org.store, now).unwrap(),
        "checked just now"
    );
    assert!(audit::check_due(&org.store, now + chrono::Duration::hours(25)).unwrap());
    let owner = org.owner();
    let home = uniasset_core::home::home(&org.store, &owner, now).unwrap();
    assert!(
        !home.items.iter().any(|i| i.title == "Audit trail"),
        "nothing to say when intact"
    );
    let evidence = uniasset_core::leavers::evidence(&org.store, &owner, None, None).unwrap();
    assert!(
        evidence
            .audit_trail
            .contains("each as UniAsset recorded it"),
        "{}",
        evidence.audit_trail
    );
    assert!(evidence
        .audit_trail
        .contains(intact.head.as_deref().unwrap()));

    db(&org)
        .execute(
            "UPDATE audit_entries SET actor_label = 'someone else' WHERE id = 2",
            [],
        )
        .unwrap();
    let broken = audit::check_and_keep(&mut org.store).unwrap();
    assert!(
        broken.broken.as_deref().is_some_and(|b| b.contains("#2")),
        "{broken:?}"
    );
    assert_eq!(audit::verdict(&org.store).unwrap(), Some(broken));
    let evidence = uniasset_core::leavers::evidence(&org.store, &owner, None, None).unwrap();
    assert!(
        evidence.audit_trail.contains("changed outside UniAsset"),
        "{}",
        evidence.audit_trail
    );
    let home = uniasset_core::home::home(&org.store, &owner, now).unwrap();
    let item = home
        .items
        .iter()
        .find(|i| i.title == "Audit trail")
        .expect("Home says so");
    assert!(
        item.summary.contains("changed outside UniAsset") && item.summary.contains("#2"),
        "{}",
        item.summary
    );
    assert_eq!(
        home.items[0].title, "Audit trail",
        "what needs the owner comes first"
    );

    let mia = org.actor(testkit::MEMBER_EMAIL);
    assert!(audit::check_now(&mut org.store, &mia).is_err());
}
