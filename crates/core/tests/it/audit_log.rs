//! The audit log (Settings → Audit log) on a real SQLite file: filters, paging through every
//! page without gaps or repeats, the subject column, 100,000 entries, and a CSV export that
//! a spreadsheet reads as text.

use std::time::Instant;

use uniasset_core::access::Actor;
use uniasset_core::assets;
use uniasset_core::audit::{self, AuditError, AuditQuery};
use uniasset_core::directory::{self, Role, SignInMethod};
use uniasset_core::organization::Plan;
use uniasset_core::ErrorCode;

fn q() -> AuditQuery {
    AuditQuery::default()
}

/// Every entry matching `query`, page after page of `limit`; checks each page's total.
fn all_pages(org: &testkit::Org, query: &AuditQuery, limit: u32) -> (Vec<i64>, usize) {
    let mut ids = Vec::new();
    let mut pages = 0;
    let mut query = AuditQuery {
        limit: Some(limit),
        ..query.clone()
    };
    let total = audit::page(&org.store, &Actor::CommandLine, &query)
        .unwrap()
        .total;
    loop {
        let page = audit::page(&org.store, &Actor::CommandLine, &query).unwrap();
        assert_eq!(page.total, total, "every page counts the same matches");
        assert!(page.entries.len() <= limit as usize);
        pages += 1;
        ids.extend(page.entries.iter().map(|e| e.id));
        match page.next {
            Some(next) => query.before = Some(next),
            None => break,
        }
    }
    assert_eq!(ids.len(), total as usize);
    (ids, pages)
}

/// Entries (time, action, detail) by nobody in particular, about nothing, written straight
/// to the file in one transaction.
fn insert(org: &testkit::Org, rows: &[(&str, &str, &str)]) {
    let mut conn = rusqlite::Connection::open(org.store.path()).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO audit_entries (at, actor_label, action, detail)
                 VALUES (?1, 'test', ?2, ?3)",
            )
            .unwrap();
        for (at, action, detail) in rows {
            stmt.execute(rusqlite::params![at, action, detail]).unwrap();
        }
    }
    tx.commit().unwrap();
}

#[test]
fn the_log_names_its_subjects_and_filters_by_person_action_and_date() {
    let mut org = testkit::org(Plan::Team);
    let ann = org.add(
        "ann@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    org.add("bob@northwind.example", Role::Admin, SignInMethod::Password);
    let bob = org.actor("bob@northwind.example");
    let owner = org.owner();
    directory::deactivate(&mut org.store, &owner, ann.id).unwrap();
    assets::add_asset(
        &mut org.store,
        &bob,
        &assets::NewAsset::new("LAPTOP-7", "ThinkPad"),
        None,
    )
    .unwrap();

    let page = audit::page(&org.store, &bob, &q()).unwrap();
    let ids: Vec<i64> = page.entries.iter().map(|e| e.id).collect();
    let mut newest_first = ids.clone();
    newest_first.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, newest_first);
    assert_eq!(page.total as usize, ids.len());
    assert_eq!(page.next, None);
    let newest = &page.entries[0];
    assert_eq!(newest.action, "asset.created");
    assert_eq!(newest.subject.as_deref(), Some("LAPTOP-7"));
    assert_eq!(newest.actor, "bob <bob@northwind.example>");
    let deactivated = &page.entries[1];
    assert_eq!(deactivated.action, "user.deactivated");
    assert_eq!(
        deactivated.subject.as_deref(),
        Some("ann <ann@northwind.example>"),
        "the subject is named, even once deactivated"
    );

    // A person: what they did and what was done to them, the address in any case.
    let of = |person: &str| {
        let query = AuditQuery {
            person: Some(person.into()),
            ..q()
        };
        let page = audit::page(&org.store, &owner, &query).unwrap();
        page.entries
            .into_iter()
            .map(|e| e.action)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        of("ANN@Northwind.example"),
        ["user.deactivated", "user.added"]
    );
    assert_eq!(of("bob@northwind.example"), ["asset.created", "user.added"]);
    let err = audit::page(
        &org.store,
        &owner,
        &AuditQuery {
            person: Some("nobody@northwind.example".into()),
            ..q()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "unknown_user");
    assert_eq!(
        err.to_string(),
        "No user has the email address \"nobody@northwind.example\"."
    );

    let by_action = audit::page(
        &org.store,
        &owner,
        &AuditQuery {
            action: Some("user.added".into()),
            ..q()
        },
    )
    .unwrap();
    assert_eq!(by_action.total, 2);
    assert!(by_action.entries.iter().all(|e| e.action == "user.added"));
    assert_eq!(
        audit::actions(&org.store, &owner).unwrap(),
        [
            "asset.created",
            "organization.created",
            "user.added",
            "user.deactivated"
        ]
    );

    // Dates are whole UTC days, both ends included.
    insert(
        &org,
        &[
            ("2024-01-31T23:59:59.999Z", "test.dated", "january"),
            ("2024-02-01T00:00:00.000Z", "test.dated", "first"),
            ("2024-02-29T23:59:59.999Z", "test.dated", "last"),
            ("2024-03-01T00:00:00.000Z", "test.dated", "march"),
        ],
    );
    let dated = |since: Option<&str>, until: Option<&str>| {
        let query = AuditQuery {
            action: Some("test.dated".into()),
            since: since.map(Into::into),
            until: until.map(Into::into),
            ..q()
        };
        let page = audit::page(&org.store, &owner, &query).unwrap();
        assert_eq!(page.total as usize, page.entries.len());
        page.entries
            .into_iter()
            .map(|e| e.detail)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        dated(Some("2024-02-01"), Some("2024-02-29")),
        ["last", "first"]
    );
    assert_eq!(dated(Some("2024-02-29"), None), ["march", "last"]);
    assert_eq!(dated(None, Some("2024-01-31")), ["january"]);
    assert_eq!(dated(Some("2024-02-29"), Some("2024-02-29")), ["last"]);
    assert_eq!(
        dated(Some(" "), Some("")),
        ["march", "last", "first", "january"]
    );
    // …and the other filters on top.
    let query = AuditQuery {
        person: Some("ann@northwind.example".into()),
        since: Some("2000-01-01".into()),
        until: Some("2024-03-01".into()),
        ..q()
    };
    assert_eq!(audit::page(&org.store, &owner, &query).unwrap().total, 0);

    for bad in ["2024-13-01", "yesterday", "2024-02-30", "01/02/2024"] {
        let err = audit::page(
            &org.store,
            &owner,
            &AuditQuery {
                since: Some(bad.into()),
                ..q()
            },
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_date", "{bad}");
        assert_eq!(
            err.to_string(),
            format!("\"{bad}\" is not a date: use YYYY-MM-DD.")
        );
    }
    let err = audit::page(
        &org.store,
        &owner,
        &AuditQuery {
            since: Some("2024-03-01".into()),
            until: Some("2024-02-01".into()),
            ..q()
        },
    )
    .unwrap_err();
    assert!(matches!(err, AuditError::DateRange { .. }));
    assert_eq!(err.code(), "invalid_date_range");
    assert_eq!(
        err.to_string(),
        "The start date 2024-03-01 is after the end date 2024-02-01: no entry can match."
    );
}

#[test]
fn owners_and_admins_read_the_log_members_do_not() {
    let org = testkit::team(Plan::Team);
    let admin = org.actor("adam@northwind.example");
    let member = org.actor("mia@northwind.example");
    assert_eq!(audit::page(&org.store, &admin, &q()).unwrap().total, 3);
    let err = audit::page(&org.store, &member, &q()).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    assert_eq!(
        err.to_string(),
        "Only an Owner or Admin can read the audit log."
    );
    assert_eq!(
        audit::actions(&org.store, &member).unwrap_err().code(),
        "needs_admin"
    );
    let err = audit::export_csv(&org.store, &member, &q(), Vec::new()).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    // Nor do those who are nobody (the sync, sign-in protection).
    assert!(audit::page(&org.store, &Actor::EntraSync, &q()).is_err());
}

#[test]
fn paging_reaches_every_entry_once_even_while_entries_are_added() {
    let org = testkit::org(Plan::Team);
    let rows: Vec<(String, &str)> = (0..1234)
        .map(|i| {
            (
                format!("2024-05-{:02}T10:00:00.000Z", 1 + i % 28),
                if i % 3 == 0 {
                    "test.third"
                } else {
                    "test.other"
                },
            )
        })
        .collect();
    let rows: Vec<_> = rows
        .iter()
        .map(|(at, action)| (at.as_str(), *action, ""))
        .collect();
    insert(&org, &rows);

    let (ids, pages) = all_pages(&org, &q(), 100);
    assert_eq!(
        ids.len(),
        1235,
        "the organization's creation and 1,234 more"
    );
    assert_eq!(pages, 13);
    let mut expected = ids.clone();
    expected.sort_unstable_by(|a, b| b.cmp(a));
    expected.dedup();
    assert_eq!(ids, expected, "newest first, none twice, none missed");

    let third = AuditQuery {
        action: Some("test.third".into()),
        ..q()
    };
    let (ids, _) = all_pages(&org, &third, 7);
    assert_eq!(ids.len(), 412);

    // A page cut at an id stays put when newer entries arrive meanwhile.
    let first = audit::page(
        &org.store,
        &Actor::CommandLine,
        &AuditQuery {
            limit: Some(10),
            ..q()
        },
    )
    .unwrap();
    insert(&org, &[("2024-06-01T00:00:00.000Z", "test.new", "")]);
    let second = audit::page(
        &org.store,
        &Actor::CommandLine,
        &AuditQuery {
            limit: Some(10),
            before: first.next,
            ..q()
        },
    )
    .unwrap();
    assert_eq!(second.entries[0].id, first.entries[9].id - 1);
    assert_eq!(second.total, first.total + 1);

    // Page sizes: 50 unless asked, never more than 500, never empty.
    let size = |limit: Option<u32>| {
        audit::page(
            &org.store,
            &Actor::CommandLine,
            &AuditQuery { limit, ..q() },
        )
        .unwrap()
        .entries
        .len()
    };
    assert_eq!(size(None), 50);
    assert_eq!(size(Some(100_000)), 500);
    assert_eq!(size(Some(0)), 1);
}

#[test]
fn a_hundred_thousand_entries_page_and_filter_quickly() {
    let mut org = testkit::org(Plan::Team);
    let people: Vec<i64> = (0..20)
        .map(|i| {
            org.add(
                &format!("p{i}@northwind.example"),
                Role::Member,
                SignInMethod::Password,
            )
            .id
        })
        .collect();
    let started = Instant::now();
    {
        let mut conn = rusqlite::Connection::open(org.store.path()).unwrap();
        let tx = conn.transaction().unwrap();
        let mut stmt = tx
            .prepare(
                "INSERT INTO audit_entries (at, actor_user_id, actor_label, action, subject_user_id, detail)
                 VALUES (?1, ?2, 'someone', ?3, ?4, '')",
            )
            .unwrap();
        for i in 0..100_000i64 {
            // A year of entries in time order; person 0 acts in half of them.
            let at = chrono::DateTime::from_timestamp(1_704_067_200 + i * 315, 0)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let actor = if i % 2 == 0 {
                people[0]
            } else {
                people[(i % 20) as usize]
            };
            let subject = people[((i / 7) % 20) as usize];
            stmt.execute(rusqlite::params![
                at,
                actor,
                format!("test.a{}", i % 10),
                subject
            ])
            .unwrap();
        }
        drop(stmt);
        tx.commit().unwrap();
    }
    println!("inserted 100,000 entries in {:?}", started.elapsed());
    let expect = |sql: &str| -> u32 {
        let conn = rusqlite::Connection::open(org.store.path()).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    };

    let timed = |label: &str, query: &AuditQuery| {
        let started = Instant::now();
        let page = audit::page(&org.store, &Actor::CommandLine, query).unwrap();
        println!(
            "{label}: {:?} ({} of {})",
            started.elapsed(),
            page.entries.len(),
            page.total
        );
        page
    };
    let first = timed("first page, no filter", &q());
    assert_eq!(first.total as usize, 100_000 + 1 + 20);
    let last = timed(
        "last page, no filter",
        &AuditQuery {
            before: Some(30),
            ..q()
        },
    );
    assert_eq!(last.entries.len(), 29);
    assert_eq!(last.next, None);

    let busy = AuditQuery {
        person: Some("p0@northwind.example".into()),
        ..q()
    };
    let page = timed("a person in half the entries", &busy);
    let id = people[0];
    assert_eq!(
        page.total,
        expect(&format!(
            "SELECT count(*) FROM audit_entries WHERE actor_user_id = {id} OR subject_user_id = {id}"
        ))
    );
    let rare = AuditQuery {
        person: Some("p13@northwind.example".into()),
        action: Some("test.a3".into()),
        ..q()
    };
    let id = people[13];
    let (ids, _) = all_pages(&org, &rare, 500);
    assert_eq!(
        ids.len() as u32,
        expect(&format!(
            "SELECT count(*) FROM audit_entries WHERE (actor_user_id = {id} OR subject_user_id = {id}) AND action = 'test.a3'"
        ))
    );
    timed("a rare person and an action", &rare);

    let action = AuditQuery {
        action: Some("test.a7".into()),
        ..q()
    };
    let started = Instant::now();
    let (ids, pages) = all_pages(&org, &action, 500);
    println!(
        "every page of one action: {:?} ({pages} pages)",
        started.elapsed()
    );
    assert_eq!(ids.len(), 10_000);

    let march = AuditQuery {
        since: Some("2024-03-01".into()),
        until: Some("2024-03-31".into()),
        ..q()
    };
    let page = timed("a month", &march);
    assert_eq!(
        page.total,
        expect("SELECT count(*) FROM audit_entries WHERE at >= '2024-03-01' AND at < '2024-04-01'")
    );
    assert!(page.entries.iter().all(|e| e.at.starts_with("2024-03")));
    let january = AuditQuery {
        until: Some("2024-01-01".into()),
        ..q()
    };
    let page = timed("the first day (the oldest entries)", &january);
    assert_eq!(page.total, 275);
}

#[test]
fn the_csv_export_is_every_match_and_reads_as_text_in_a_spreadsheet() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    for (email, name) in [
        ("formula@northwind.example", "=HYPERLINK(\"http://x\")"),
        ("plus@northwind.example", "+1"),
    ] {
        directory::add_user(
            &mut org.store,
            &owner,
            &directory::NewUser {
                email: email.into(),
                display_name: name.into(),
                role: Role::Member,
                sign_in: SignInMethod::Password,
                entra_object_id: None,
            },
            None,
        )
        .unwrap();
    }
    let path = org.dir.path().join("audit.csv");
    let query = AuditQuery {
        action: Some("user.added".into()),
        // Paging fields do not cut an export short.
        limit: Some(1),
        ..q()
    };
    assert_eq!(
        audit::export_csv_file(&org.store, &owner, &query, &path).unwrap(),
        2
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["time", "actor", "action", "subject", "details"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][3], "'+1 <plus@northwind.example>");
    assert_eq!(
        &rows[1][3],
        "'=HYPERLINK(\"http://x\") <formula@northwind.example>"
    );
    assert_eq!(&rows[1][1], "Olivia Owner <olivia@northwind.example>");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} would run as a formula"
            );
        }
    }
    // Nothing is left beside it, and it is the owner's alone.
    let names: Vec<_> = std::fs::read_dir(org.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("audit"))
        .collect();
    assert_eq!(names, ["audit.csv"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A folder that does not exist: the error names the file, nothing is written.
    let nowhere = org.dir.path().join("missing").join("audit.csv");
    let err = audit::export_csv_file(&org.store, &owner, &query, &nowhere).unwrap_err();
    assert_eq!(err.code(), "export_failed");
    assert!(
        err.to_string().contains(&nowhere.display().to_string()),
        "{err}"
    );
}
