//! The store on real SQLite files: pragmas, refusal of damaged files, migration backups.

mod common;

use rusqlite_migration::M;
use uniasset_core::store::{self, Store, StoreError, DATABASE_FILE};
use uniasset_core::ErrorCode;

#[test]
fn opens_with_wal_and_foreign_keys() {
    let org = common::empty_store();
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, store::MIGRATIONS.len());
    // Foreign keys are per connection: prove the store's own connection enforces them.
    let err = uniasset_core::assets::create_asset(
        &mut common::org(uniasset_core::organization::Plan::Team).store,
        &uniasset_core::access::Actor::CommandLine,
        "LAP-1",
        "Laptop",
        Some(9999),
    )
    .unwrap_err();
    assert_eq!(err.code(), "unknown_user");
}

#[test]
fn reopening_keeps_the_data() {
    let org = common::org(uniasset_core::organization::Plan::Free);
    let dir = org.dir;
    drop(org.store);
    let store = Store::open(dir.path()).unwrap();
    let found = uniasset_core::organization::get(&store).unwrap();
    assert_eq!(found.name, "Northwind Traders");
}

#[test]
fn a_corrupt_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let garbage = b"this is not a database, it is a shopping list: eggs, milk, bread\n".repeat(200);
    std::fs::write(&path, &garbage).unwrap();

    let err = Store::open(dir.path())
        .err()
        .expect("a garbage file must not open");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_eq!(err.code(), "database_corrupt");
    assert!(err
        .to_string()
        .contains("damaged or is not a UniAsset database"));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "the file must be left as it was"
    );
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let org = common::empty_store();
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let dir = org.dir;
    drop(org.store);
    let err = Store::open(dir.path()).err().unwrap();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err:?}"
    );
}

#[test]
fn an_upgrade_backs_the_database_up_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("test.db");
    let v1 = [M::up(
        "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7);",
    )];
    let v2 = [v1[0].clone(), M::up("ALTER TABLE t ADD COLUMN y TEXT;")];

    let mut conn = rusqlite::Connection::open(&db).unwrap();
    store::migrate(&mut conn, &db, dir.path(), &v1).unwrap();
    assert!(
        !dir.path().join(store::BACKUP_DIR).exists(),
        "a new database needs no backup"
    );

    store::migrate(&mut conn, &db, dir.path(), &v2).unwrap();
    let backups: Vec<_> = std::fs::read_dir(dir.path().join(store::BACKUP_DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1);
    let copy = rusqlite::Connection::open(&backups[0]).unwrap();
    let x: i64 = copy.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap();
    assert_eq!(x, 7);
    let v: i64 = copy
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1, "the backup holds the schema from before the upgrade");
    assert!(copy.prepare("SELECT y FROM t").is_err());

    store::migrate(&mut conn, &db, dir.path(), &v2).unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path().join(store::BACKUP_DIR))
            .unwrap()
            .count(),
        1,
        "no upgrade, no backup"
    );
}
