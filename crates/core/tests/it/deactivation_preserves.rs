//! "Deactivation is not deletion. No data is lost." (R-D3): count every kind of record
//! before and after, and check the deactivated user's history still names them.

use uniasset_core::assets;
use uniasset_core::directory::{self, Role, SignInMethod, UserStatus};
use uniasset_core::organization::Plan;

const TABLES: [&str; 5] = [
    "users",
    "assets",
    "audit_entries",
    "maintenance_logs",
    "documents",
];

#[test]
fn deactivating_a_user_keeps_their_assets_and_history() {
    let mut org = testkit::org(Plan::Enterprise);
    let leaver = org.add(
        "leo@northwind.example",
        Role::Member,
        SignInMethod::Microsoft,
    );
    let leo = org.actor("leo@northwind.example");
    let owner = org.owner();

    let laptop = assets::add_asset(
        &mut org.store,
        &owner,
        &assets::NewAsset::new("LAP-001", "ThinkPad T14"),
        Some(leaver.id),
    )
    .unwrap();
    let phone = assets::add_asset(
        &mut org.store,
        &owner,
        &assets::NewAsset::new("PHN-007", "Pixel 8"),
        Some(leaver.id),
    )
    .unwrap();
    assets::add_maintenance_log(&mut org.store, &leo, laptop.id, "Replaced the battery").unwrap();
    let receipt = org.dir.path().join("receipt.pdf");
    std::fs::write(&receipt, b"%PDF-1.7 receipt").unwrap();
    let doc = assets::attach_document(&mut org.store, &leo, phone.id, &receipt).unwrap();

    let before: Vec<i64> = TABLES.iter().map(|t| org.count(t)).collect();
    let history_before = uniasset_core::audit::for_user(&org.store, leaver.id).unwrap();

    directory::deactivate(&mut org.store, &owner, leaver.id).unwrap();

    let after: Vec<i64> = TABLES.iter().map(|t| org.count(t)).collect();
    let expected: Vec<i64> = before
        .iter()
        .zip(TABLES)
        .map(|(n, t)| if t == "audit_entries" { n + 1 } else { *n })
        .collect();
    assert_eq!(after, expected, "only one audit entry is added: {TABLES:?}");

    let held = assets::assets_of_user(&org.store, leaver.id).unwrap();
    assert_eq!(held.len(), 2, "assets stay assigned");
    assert!(held
        .iter()
        .all(|a| a.assigned_to_status == Some(UserStatus::Deactivated)));
    let everyone_sees = assets::list_assets(&org.store, &Default::default()).unwrap();
    assert_eq!(everyone_sees.len(), 2, "assets stay visible");
    assert_eq!(everyone_sees[0].assigned_to_name.as_deref(), Some("leo"));

    let logs = assets::maintenance_logs_of_user(&org.store, leaver.id).unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].note, "Replaced the battery");
    let docs = assets::documents_of_user(&org.store, leaver.id).unwrap();
    assert_eq!(docs, vec![doc.clone()]);
    let stored = org.dir.path().join(assets::DOCUMENTS_DIR).join(&doc.sha256);
    assert_eq!(std::fs::read(stored).unwrap(), b"%PDF-1.7 receipt");

    let history_after = uniasset_core::audit::for_user(&org.store, leaver.id).unwrap();
    assert_eq!(history_after.len(), history_before.len() + 1);
    assert_eq!(
        &history_after[1..],
        &history_before[..],
        "earlier entries unchanged"
    );
    assert!(history_after[1..]
        .iter()
        .any(|e| e.actor == "leo <leo@northwind.example>"));
}
