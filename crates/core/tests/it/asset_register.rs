//! The asset register (issue 11) on a real SQLite file: adding, editing, assigning,
//! checking in and marking lost, each refusal leaving the database as it was, the history
//! of who held what, and the upgrade of an older database that already had assignments.

use rusqlite::types::Value;
use testkit::{Org, ADMIN_EMAIL, MEMBER_EMAIL};
use uniasset_core::access::Actor;
use uniasset_core::assets::{
    self, AssetEdit, AssetError, AssetQuery, AssetStatus, HoldingOutcome, NewAsset,
};
use uniasset_core::directory::{self, Role, SignInMethod, UserStatus};
use uniasset_core::organization::Plan;
use uniasset_core::store::{self, Store};
use uniasset_core::ErrorCode;

const DANA: &str = "dana@northwind.example";
const ERIK: &str = "erik@northwind.example";

fn org() -> Org {
    let mut org = testkit::team(Plan::Team);
    org.add(DANA, Role::Member, SignInMethod::Microsoft);
    org.add(ERIK, Role::Member, SignInMethod::Password);
    org
}

fn laptop() -> NewAsset {
    NewAsset {
        tag: "  LAP-001 ".into(),
        name: " ThinkPad T14 ".into(),
        category: Some(" Laptop ".into()),
        serial: Some("PF-4KX2".into()),
    }
}

/// Every row of the register and the number of audit entries, to prove a refusal changed
/// nothing.
fn snapshot(org: &Org) -> (Vec<Vec<Value>>, Vec<Vec<Value>>, i64) {
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    let rows = |sql: &str| {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())
            .unwrap()
            .collect::<Result<Vec<Vec<Value>>, _>>()
            .unwrap()
    };
    let assets = rows("SELECT * FROM assets ORDER BY id");
    let holdings = rows("SELECT * FROM asset_holdings ORDER BY id");
    (assets, holdings, org.count("audit_entries"))
}

/// `assets.assigned_to` names exactly the holder of the open holding, for every asset.
fn assert_holder_matches_open_holding(org: &Org) {
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    let mismatched: i64 = conn
        .query_row(
            "SELECT count(*) FROM assets a
             LEFT JOIN asset_holdings h ON h.asset_id = a.id AND h.ended_at IS NULL
             WHERE a.assigned_to IS NOT h.user_id
                OR (a.assigned_to IS NULL) = (a.status = 'in_use')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(mismatched, 0, "assigned_to, status and open holding agree");
}

/// The newest audit entry's action and detail.
fn last_entry(org: &Org) -> (String, String) {
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    conn.query_row(
        "SELECT action, detail FROM audit_entries ORDER BY id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// Runs `change`, which must be refused with `code`, and proves nothing changed.
fn refused<T: std::fmt::Debug>(
    org: &mut Org,
    code: &str,
    change: impl FnOnce(&mut Store) -> Result<T, AssetError>,
) -> String {
    let before = snapshot(org);
    let err = change(&mut org.store).unwrap_err();
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(
        snapshot(org),
        before,
        "a refused change ({code}) changes nothing"
    );
    err.to_string()
}

#[test]
fn an_added_asset_is_in_stock_or_in_use_by_whom_it_was_given_to() {
    let mut org = org();
    let owner = org.owner();
    let dana = org.user(DANA);

    let spare = assets::add_asset(&mut org.store, &owner, &laptop(), None).unwrap();
    assert_eq!(spare.tag, "LAP-001");
    assert_eq!(spare.name, "ThinkPad T14");
    assert_eq!(spare.category.as_deref(), Some("Laptop"));
    assert_eq!(spare.serial.as_deref(), Some("PF-4KX2"));
    assert_eq!(spare.status, AssetStatus::InStock);
    assert_eq!(spare.assigned_to, None);
    assert_eq!(
        last_entry(&org),
        (
            "asset.created".into(),
            "Added LAP-001 \"ThinkPad T14\", category Laptop, serial PF-4KX2".into()
        )
    );

    let blank = NewAsset {
        category: Some("   ".into()),
        serial: Some(String::new()),
        ..NewAsset::new("PHN-007", "Pixel 8")
    };
    let phone = assets::add_asset(&mut org.store, &owner, &blank, Some(dana.id)).unwrap();
    assert_eq!(
        (phone.category, phone.serial),
        (None, None),
        "blank is none"
    );
    assert_eq!(phone.status, AssetStatus::InUse);
    assert_eq!(phone.assigned_to, Some(dana.id));
    assert_eq!(phone.assigned_to_email.as_deref(), Some(DANA));
    assert_eq!(phone.assigned_to_name.as_deref(), Some("dana"));
    assert_eq!(
        last_entry(&org),
        (
            "asset.assigned".into(),
            format!("Assigned PHN-007 to dana <{DANA}>")
        )
    );
    let history = assets::history(&org.store, phone.id).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].user_email, DANA);
    assert_eq!(
        history[0].assigned_by,
        "Olivia Owner <olivia@northwind.example>"
    );
    assert_eq!(history[0].ended_at, None);
    assert_holder_matches_open_holding(&org);
}

#[test]
fn adding_refuses_a_duplicate_tag_in_any_case_and_missing_fields() {
    let mut org = org();
    let owner = org.owner();
    assets::add_asset(&mut org.store, &owner, &laptop(), None).unwrap();

    let message = refused(&mut org, "duplicate_tag", |s| {
        assets::add_asset(s, &owner, &NewAsset::new("lap-001", "Another"), None)
    });
    assert_eq!(
        message,
        "An asset with the tag LAP-001 already exists (tags are compared ignoring case)."
    );
    for (tag, name) in [("", "Laptop"), ("LAP-2", "  ")] {
        let message = refused(&mut org, "invalid_asset", |s| {
            assets::add_asset(s, &owner, &NewAsset::new(tag, name), None)
        });
        assert_eq!(message, "An asset needs a tag and a name.");
    }
    refused(&mut org, "unknown_user", |s| {
        assets::add_asset(s, &owner, &NewAsset::new("LAP-2", "Laptop"), Some(9999))
    });
}

#[test]
fn only_owners_and_admins_change_the_register_and_anyone_reads_it() {
    let mut org = org();
    let mia = org.actor(MEMBER_EMAIL);
    let adam = org.actor(ADMIN_EMAIL);
    let erik = org.user(ERIK);

    let message = refused(&mut org, "needs_admin", |s| {
        assets::add_asset(s, &mia, &laptop(), None)
    });
    assert_eq!(message, "Only an Owner or Admin can add assets.");
    let lap = assets::add_asset(&mut org.store, &adam, &laptop(), None).unwrap();

    refused(&mut org, "needs_admin", |s| {
        assets::assign(s, &mia, lap.id, erik.id, None)
    });
    refused(&mut org, "needs_admin", |s| {
        assets::mark_lost(s, &mia, lap.id, None)
    });
    let edit = AssetEdit {
        name: "Renamed".into(),
        category: None,
        serial: None,
        status: AssetStatus::InRepair,
    };
    refused(&mut org, "needs_admin", |s| {
        assets::edit_asset(s, &mia, lap.id, &edit)
    });
    assets::assign(&mut org.store, &adam, lap.id, erik.id, None).unwrap();
    let message = refused(&mut org, "needs_admin", |s| {
        assets::check_in(s, &mia, lap.id, None)
    });
    assert_eq!(message, "Only an Owner or Admin can check assets in.");
    let sync = refused(&mut org, "needs_admin", |s| {
        assets::check_in(s, &Actor::EntraSync, lap.id, None)
    });
    assert!(sync.contains("check assets in"), "{sync}");

    // Reading needs no role.
    assert_eq!(
        assets::list_assets(&org.store, &AssetQuery::default())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(assets::history(&org.store, lap.id).unwrap().len(), 1);
}

#[test]
fn a_deactivated_person_is_refused_as_an_assignee_and_nothing_changes() {
    let mut org = org();
    let owner = org.owner();
    let dana = org.user(DANA);
    directory::deactivate(&mut org.store, &owner, dana.id).unwrap();
    let lap = assets::add_asset(&mut org.store, &owner, &laptop(), None).unwrap();

    let message = refused(&mut org, "assignee_deactivated", |s| {
        assets::assign(s, &owner, lap.id, dana.id, Some("new starter kit"))
    });
    assert_eq!(
        message,
        format!("dana <{DANA}> is deactivated; assign the asset to an active user.")
    );
    let message = refused(&mut org, "assignee_deactivated", |s| {
        assets::add_asset(s, &owner, &NewAsset::new("PHN-1", "Pixel"), Some(dana.id))
    });
    assert!(message.contains("is deactivated"), "{message}");
    assert_eq!(
        assets::asset(&org.store, lap.id).unwrap().status,
        AssetStatus::InStock
    );
}

#[test]
fn assigning_refuses_a_held_retired_or_lost_asset_and_an_unknown_person() {
    let mut org = org();
    let owner = org.owner();
    let (dana, erik) = (org.user(DANA), org.user(ERIK));
    let lap = assets::add_asset(&mut org.store, &owner, &laptop(), Some(dana.id)).unwrap();

    let message = refused(&mut org, "asset_held", |s| {
        assets::assign(s, &owner, lap.id, erik.id, None)
    });
    assert_eq!(
        message,
        format!("LAP-001 is held by dana <{DANA}>; check it in first.")
    );
    refused(&mut org, "asset_held", |s| {
        assets::assign(s, &owner, lap.id, dana.id, None)
    });

    let old =
        assets::add_asset(&mut org.store, &owner, &NewAsset::new("OLD-1", "Old"), None).unwrap();
    let retire = AssetEdit {
        name: "Old".into(),
        category: None,
        serial: None,
        status: AssetStatus::Retired,
    };
    assets::edit_asset(&mut org.store, &owner, old.id, &retire).unwrap();
    let message = refused(&mut org, "asset_unavailable", |s| {
        assets::assign(s, &owner, old.id, erik.id, None)
    });
    assert_eq!(
        message,
        "OLD-1 is retired, so it cannot be assigned. Change its status first if it is back in stock."
    );
    assets::mark_lost(&mut org.store, &owner, old.id, None).unwrap();
    let message = refused(&mut org, "asset_unavailable", |s| {
        assets::assign(s, &owner, old.id, erik.id, None)
    });
    assert!(message.starts_with("OLD-1 is lost,"), "{message}");

    let spare = assets::add_asset(
        &mut org.store,
        &owner,
        &NewAsset::new("SP-1", "Spare"),
        None,
    )
    .unwrap();
    refused(&mut org, "unknown_user", |s| {
        assets::assign(s, &owner, spare.id, 9999, None)
    });
    refused(&mut org, "unknown_asset", |s| {
        assets::assign(s, &owner, 9999, erik.id, None)
    });
    assert_holder_matches_open_holding(&org);
}

#[test]
fn check_in_and_reassign_make_a_history_newest_first() {
    let mut org = org();
    let owner = org.owner();
    let adam = org.actor(ADMIN_EMAIL);
    let (dana, erik) = (org.user(DANA), org.user(ERIK));
    let lap = assets::add_asset(&mut org.store, &owner, &laptop(), None).unwrap();

    let held = assets::assign(
        &mut org.store,
        &owner,
        lap.id,
        dana.id,
        Some("  first day  "),
    )
    .unwrap();
    assert_eq!(held.status, AssetStatus::InUse);
    assert_eq!(held.assigned_to_email.as_deref(), Some(DANA));
    assert_eq!(
        last_entry(&org),
        (
            "asset.assigned".into(),
            format!("Assigned LAP-001 to dana <{DANA}>. Note: first day")
        )
    );
    assert_holder_matches_open_holding(&org);

    let back = assets::check_in(&mut org.store, &adam, lap.id, Some("screen scratched")).unwrap();
    assert_eq!(back.status, AssetStatus::InStock);
    assert_eq!(back.assigned_to, None);
    assert_eq!(back.assigned_to_email, None);
    assert_eq!(
        last_entry(&org),
        (
            "asset.checked_in".into(),
            format!("Checked LAP-001 in from dana <{DANA}>. Note: screen scratched")
        )
    );
    assert_holder_matches_open_holding(&org);

    let message = refused(&mut org, "asset_not_held", |s| {
        assets::check_in(s, &owner, lap.id, None)
    });
    assert_eq!(
        message,
        "LAP-001 is not assigned to anyone: there is nothing to check in."
    );

    assets::assign(&mut org.store, &adam, lap.id, erik.id, Some("   ")).unwrap();
    let history = assets::history(&org.store, lap.id).unwrap();
    assert_eq!(history.len(), 2);
    let (now, then) = (&history[0], &history[1]);
    assert_eq!(now.user_email, ERIK);
    assert_eq!(now.assign_note, None, "a blank note is none");
    assert_eq!(now.assigned_by, format!("adam <{ADMIN_EMAIL}>"));
    assert_eq!((now.ended_at.as_deref(), now.outcome), (None, None));
    assert_eq!(then.user_email, DANA);
    assert_eq!(then.user_name, "dana");
    assert_eq!(then.assign_note.as_deref(), Some("first day"));
    assert_eq!(then.end_note.as_deref(), Some("screen scratched"));
    assert_eq!(then.outcome, Some(HoldingOutcome::Returned));
    assert_eq!(
        then.ended_by.as_deref(),
        Some(format!("adam <{ADMIN_EMAIL}>").as_str())
    );
    assert!(then.assigned_at <= then.ended_at.clone().unwrap());
    assert!(then.ended_at.clone().unwrap() <= now.assigned_at);
    assert_holder_matches_open_holding(&org);

    let err = assets::history(&org.store, 9999).unwrap_err();
    assert_eq!(err.code(), "unknown_asset");
}

#[test]
fn a_leaver_keeps_their_assets_until_each_is_checked_in_or_marked_lost() {
    let mut org = org();
    let owner = org.owner();
    let dana = org.user(DANA);
    let lap = assets::add_asset(&mut org.store, &owner, &laptop(), Some(dana.id)).unwrap();
    let phone = assets::add_asset(
        &mut org.store,
        &owner,
        &NewAsset::new("PHN-007", "Pixel 8"),
        Some(dana.id),
    )
    .unwrap();
    directory::deactivate(&mut org.store, &owner, dana.id).unwrap();

    let held = assets::assets_of_user(&org.store, dana.id).unwrap();
    assert_eq!(held.len(), 2);
    assert!(held
        .iter()
        .all(|a| a.assigned_to_status == Some(UserStatus::Deactivated)));

    assets::check_in(&mut org.store, &owner, lap.id, Some("returned by courier")).unwrap();
    let lost = assets::mark_lost(&mut org.store, &owner, phone.id, Some("never returned")).unwrap();
    assert_eq!(lost.status, AssetStatus::Lost);
    assert_eq!(lost.assigned_to, None);
    assert_eq!(
        last_entry(&org),
        (
            "asset.lost".into(),
            format!("Marked PHN-007 lost while held by dana <{DANA}>. Note: never returned")
        )
    );
    let history = assets::history(&org.store, phone.id).unwrap();
    assert_eq!(history[0].outcome, Some(HoldingOutcome::Lost));
    assert_eq!(history[0].end_note.as_deref(), Some("never returned"));
    assert!(assets::assets_of_user(&org.store, dana.id)
        .unwrap()
        .is_empty());
    assert_holder_matches_open_holding(&org);

    let message = refused(&mut org, "already_lost", |s| {
        assets::mark_lost(s, &owner, phone.id, None)
    });
    assert_eq!(message, "PHN-007 is already marked lost.");
}

#[test]
fn an_asset_nobody_holds_can_be_marked_lost() {
    let mut org = org();
    let owner = org.owner();
    let lap = assets::add_asset(&mut org.store, &owner, &laptop(), None).unwrap();
    let lost = assets::mark_lost(&mut org.store, &owner, lap.id, None).unwrap();
    assert_eq!(lost.status, AssetStatus::Lost);
    assert_eq!(
        last_entry(&org),
        (
            "asset.lost".into(),
            "Marked LAP-001 lost (nobody held it)".into()
        )
    );
    assert!(assets::history(&org.store, lap.id).unwrap().is_empty());
    assert_holder_matches_open_holding(&org);
}

#[test]
fn editing_changes_the_facts_and_keeps_the_status_in_step_with_the_holder() {
    let mut org = org();
    let owner = org.owner();
    let dana = org.user(DANA);
    let lap = assets::add_asset(&mut org.store, &owner, &laptop(), None).unwrap();

    let edit = AssetEdit {
        name: " ThinkPad T14 Gen 4 ".into(),
        category: None,
        serial: Some("PF-4KX2".into()),
        status: AssetStatus::InRepair,
    };
    let edited = assets::edit_asset(&mut org.store, &owner, lap.id, &edit).unwrap();
    assert_eq!(edited.name, "ThinkPad T14 Gen 4");
    assert_eq!(edited.category, None);
    assert_eq!(edited.serial.as_deref(), Some("PF-4KX2"));
    assert_eq!(edited.status, AssetStatus::InRepair);
    assert_eq!(
        last_entry(&org),
        (
            "asset.edited".into(),
            "LAP-001: name \"ThinkPad T14\" → \"ThinkPad T14 Gen 4\"; category \"Laptop\" → (none); \
             status \"in stock\" → \"in repair\""
                .into()
        )
    );

    // The same values again: nothing to record.
    let audit = org.count("audit_entries");
    assets::edit_asset(&mut org.store, &owner, lap.id, &edit).unwrap();
    assert_eq!(org.count("audit_entries"), audit);

    let in_use = AssetEdit {
        status: AssetStatus::InUse,
        ..edit.clone()
    };
    let message = refused(&mut org, "in_use_without_holder", |s| {
        assets::edit_asset(s, &owner, lap.id, &in_use)
    });
    assert_eq!(
        message,
        "LAP-001 is not assigned to anyone, so it cannot be in use: assign it to someone instead."
    );

    // An asset in repair can go out again; while held, its status stays in use.
    assets::assign(&mut org.store, &owner, lap.id, dana.id, None).unwrap();
    for status in [
        AssetStatus::InStock,
        AssetStatus::Retired,
        AssetStatus::Lost,
    ] {
        refused(&mut org, "asset_held", |s| {
            assets::edit_asset(
                s,
                &owner,
                lap.id,
                &AssetEdit {
                    status,
                    ..edit.clone()
                },
            )
        });
    }
    let renamed = assets::edit_asset(
        &mut org.store,
        &owner,
        lap.id,
        &AssetEdit {
            name: "Dana's laptop".into(),
            ..in_use
        },
    )
    .unwrap();
    assert_eq!(renamed.name, "Dana's laptop");
    assert_eq!(renamed.assigned_to, Some(dana.id));
    refused(&mut org, "invalid_asset", |s| {
        assets::edit_asset(
            s,
            &owner,
            lap.id,
            &AssetEdit {
                name: " ".into(),
                ..edit.clone()
            },
        )
    });
    refused(&mut org, "unknown_asset", |s| {
        assets::edit_asset(s, &owner, 9999, &edit)
    });
    assert_holder_matches_open_holding(&org);
}

#[test]
fn find_by_tag_ignores_case_and_names_an_unknown_tag() {
    let mut org = org();
    let owner = org.owner();
    let lap = assets::add_asset(&mut org.store, &owner, &laptop(), None).unwrap();
    assert_eq!(assets::find_by_tag(&org.store, " lap-001 ").unwrap(), lap);
    let err = assets::find_by_tag(&org.store, "LAP-404").unwrap_err();
    assert_eq!(err.code(), "unknown_asset");
    assert_eq!(err.to_string(), "No asset has the tag LAP-404.");
}

#[test]
fn the_list_filters_by_holder_status_and_search() {
    let mut org = org();
    let owner = org.owner();
    let (dana, erik) = (org.user(DANA), org.user(ERIK));
    let add = |org: &mut Org, tag: &str, name: &str, category: &str, to: Option<i64>| {
        let new = NewAsset {
            category: Some(category.into()),
            ..NewAsset::new(tag, name)
        };
        assets::add_asset(&mut org.store, &owner, &new, to).unwrap()
    };
    add(&mut org, "PHN-2", "Pixel 8", "Phone", Some(dana.id));
    add(&mut org, "lap-1", "ThinkPad", "Laptop", Some(dana.id));
    add(&mut org, "LAP-3", "MacBook 100%", "Laptop", Some(erik.id));
    add(&mut org, "MON-1", "Monitor", "Display", None);

    let tags = |query: AssetQuery| {
        assets::list_assets(&org.store, &query)
            .unwrap()
            .into_iter()
            .map(|a| a.tag)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        tags(AssetQuery::default()),
        ["lap-1", "LAP-3", "MON-1", "PHN-2"],
        "by tag, ignoring case"
    );
    let of = |id| AssetQuery {
        assigned_to: Some(id),
        ..AssetQuery::default()
    };
    assert_eq!(tags(of(dana.id)), ["lap-1", "PHN-2"]);
    assert_eq!(tags(of(erik.id)), ["LAP-3"]);
    let status = |s| AssetQuery {
        status: Some(s),
        ..AssetQuery::default()
    };
    assert_eq!(tags(status(AssetStatus::InStock)), ["MON-1"]);
    assert_eq!(tags(status(AssetStatus::InUse)).len(), 3);
    let search = |s: &str| AssetQuery {
        search: Some(s.into()),
        ..AssetQuery::default()
    };
    assert_eq!(tags(search("laptop")), ["lap-1", "LAP-3"], "category");
    assert_eq!(tags(search("ERIK@")), ["LAP-3"], "holder's email");
    assert_eq!(tags(search("pixel")), ["PHN-2"], "name");
    assert_eq!(tags(search("100%")), ["LAP-3"], "% is literal");
    assert_eq!(tags(search("0%")), ["LAP-3"]);
    assert_eq!(tags(search("   ")).len(), 4, "blank is no filter");
}

#[test]
fn an_assets_maintenance_logs_and_documents_are_read_per_asset() {
    let mut org = org();
    let owner = org.owner();
    let adam = org.actor(ADMIN_EMAIL);
    let lap = assets::add_asset(&mut org.store, &owner, &laptop(), None).unwrap();
    let other = assets::add_asset(
        &mut org.store,
        &owner,
        &NewAsset::new("MON-1", "Monitor"),
        None,
    )
    .unwrap();
    assets::add_maintenance_log(&mut org.store, &adam, lap.id, "Replaced the battery").unwrap();
    assert_eq!(
        last_entry(&org),
        (
            "asset.maintenance_logged".into(),
            "LAP-001: Replaced the battery".into()
        )
    );
    assets::add_maintenance_log(&mut org.store, &owner, lap.id, "New keyboard").unwrap();
    assets::add_maintenance_log(&mut org.store, &owner, other.id, "Dead pixel").unwrap();

    let logs = assets::maintenance_logs_of_asset(&org.store, lap.id).unwrap();
    let notes: Vec<_> = logs.iter().map(|l| l.note.as_str()).collect();
    assert_eq!(notes, ["New keyboard", "Replaced the battery"]);
    assert_eq!(logs[1].author, format!("adam <{ADMIN_EMAIL}>"));
    assert_eq!(logs[1].asset_tag, "LAP-001");

    let receipt = org.dir.path().join("receipt.pdf");
    std::fs::write(&receipt, b"%PDF-1.7 receipt").unwrap();
    let doc = assets::attach_document(&mut org.store, &adam, lap.id, &receipt).unwrap();
    assert_eq!(
        last_entry(&org),
        (
            "asset.document_attached".into(),
            "Attached receipt.pdf to LAP-001".into()
        )
    );
    assert_eq!(
        assets::documents_of_asset(&org.store, lap.id).unwrap(),
        vec![doc.clone()]
    );
    assert!(assets::documents_of_asset(&org.store, other.id)
        .unwrap()
        .is_empty());
    let path = assets::document_path(&org.store, doc.id).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.7 receipt");
    assert!(path.starts_with(org.dir.path().join(assets::DOCUMENTS_DIR)));
    // Opened through a copy under its own name: systems choose the application by it.
    let opened = assets::document_to_open(&org.store, doc.id).unwrap();
    assert_eq!(opened.file_name().unwrap(), "receipt.pdf");
    assert_eq!(std::fs::read(&opened).unwrap(), b"%PDF-1.7 receipt");
    assert!(opened.starts_with(org.dir.path().join(uniasset_core::data_dir::OPENED_DIR)));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&opened).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the copy is private: {mode:o}");
    }

    let err = assets::document_path(&org.store, 9999).unwrap_err();
    assert_eq!(err.code(), "unknown_document");
    for err in [
        assets::maintenance_logs_of_asset(&org.store, 9999).unwrap_err(),
        assets::documents_of_asset(&org.store, 9999).unwrap_err(),
    ] {
        assert_eq!(err.code(), "unknown_asset");
    }
    std::fs::remove_file(&path).unwrap();
    let err = assets::document_path(&org.store, doc.id).unwrap_err();
    assert_eq!(err.code(), "document_missing");
    assert!(
        err.to_string()
            .starts_with("The file of receipt.pdf is missing from the data directory"),
        "{err}"
    );
}

#[test]
fn an_older_database_gets_an_open_holding_for_each_assigned_asset() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(store::DATABASE_FILE);
    {
        // The register before migration 009: an asset held by Dana, one in the cupboard.
        let mut conn = rusqlite::Connection::open(&db).unwrap();
        store::migrate(&mut conn, &db, dir.path(), &store::MIGRATIONS[..8]).unwrap();
        conn.execute_batch(
            "INSERT INTO organization (id, name, plan, created_at)
                 VALUES (1, 'Northwind', 'team', '2026-01-01T00:00:00.000Z');
             INSERT INTO users (id, email, display_name, role, sign_in, created_at)
                 VALUES (1, 'olivia@northwind.example', 'Olivia Owner', 'owner', 'password',
                         '2026-01-01T00:00:00.000Z'),
                        (2, 'dana@northwind.example', 'Dana Driver', 'member', 'password',
                         '2026-01-02T00:00:00.000Z');
             INSERT INTO assets (id, tag, name, assigned_to, created_at)
                 VALUES (1, 'LAP-1', 'ThinkPad', 2, '2026-02-03T04:05:06.000Z'),
                        (2, 'MON-1', 'Monitor', NULL, '2026-02-04T00:00:00.000Z');",
        )
        .unwrap();
    }
    let mut org = Org {
        store: Store::open(dir.path()).unwrap(),
        dir,
    };

    let lap = assets::find_by_tag(&org.store, "LAP-1").unwrap();
    assert_eq!(lap.status, AssetStatus::InUse);
    assert_eq!((lap.category, lap.serial), (None, None));
    let mon = assets::find_by_tag(&org.store, "MON-1").unwrap();
    assert_eq!(mon.status, AssetStatus::InStock);
    let history = assets::history(&org.store, lap.id).unwrap();
    assert_eq!(history.len(), 1);
    let held = &history[0];
    assert_eq!(held.user_email, "dana@northwind.example");
    assert_eq!(
        held.assigned_at, "2026-02-03T04:05:06.000Z",
        "since it was created"
    );
    assert_eq!(held.assigned_by, "before the asset register");
    assert_eq!(held.ended_at, None);
    assert!(assets::history(&org.store, mon.id).unwrap().is_empty());
    assert_holder_matches_open_holding(&org);

    // The backfilled holding closes like any other.
    let owner = org.owner();
    assets::check_in(&mut org.store, &owner, lap.id, None).unwrap();
    let history = assets::history(&org.store, lap.id).unwrap();
    assert_eq!(history[0].outcome, Some(HoldingOutcome::Returned));
    assert_holder_matches_open_holding(&org);
}

#[test]
fn the_schema_refuses_a_second_open_holding_and_an_unknown_status() {
    let mut org = org();
    let owner = org.owner();
    let dana = org.user(DANA);
    let lap = assets::add_asset(&mut org.store, &owner, &laptop(), Some(dana.id)).unwrap();
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    let second = conn.execute(
        "INSERT INTO asset_holdings (asset_id, user_id, assigned_at, assigned_by)
         VALUES (?1, ?2, '2026-01-01T00:00:00.000Z', 'test')",
        [lap.id, dana.id],
    );
    assert!(second.is_err(), "one open holding per asset");
    let status = conn.execute(
        "UPDATE assets SET status = 'borrowed' WHERE id = ?1",
        [lap.id],
    );
    assert!(status.is_err(), "status is one of the five");
    assert_eq!(
        "in_repair".parse::<AssetStatus>().unwrap(),
        AssetStatus::InRepair
    );
    assert_eq!(AssetStatus::InRepair.label(), "in repair");
    let err = "broken".parse::<AssetStatus>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Unknown asset status \"broken\": use in_use, in_stock, in_repair, retired or lost."
    );
}
