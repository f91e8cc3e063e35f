//! The store on real SQLite files: pragmas, refusal of damaged files, migration backups.

use rusqlite_migration::M;
use uniasset_core::store::{self, Store, StoreError, DATABASE_FILE};
use uniasset_core::ErrorCode;

#[test]
fn opens_with_wal_and_foreign_keys() {
    let org = testkit::empty_store();
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
    let err = uniasset_core::assets::add_asset(
        &mut testkit::org(uniasset_core::organization::Plan::Team).store,
        &uniasset_core::access::Actor::CommandLine,
        &uniasset_core::assets::NewAsset::new("LAP-1", "Laptop"),
        Some(9999),
    )
    .unwrap_err();
    assert_eq!(err.code(), "unknown_user");
}

#[test]
fn reopening_keeps_the_data() {
    let org = testkit::org(uniasset_core::organization::Plan::Free);
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
    let org = testkit::empty_store();
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

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// R-X2: other accounts on the machine cannot read password hashes or staff details.
#[cfg(unix)]
#[test]
fn what_the_store_creates_is_readable_only_by_its_owner() {
    use uniasset_core::access::Actor;
    use uniasset_core::{assets, organization::Plan};

    let parent = tempfile::tempdir().unwrap();
    set_mode(parent.path(), 0o755);
    let dir = parent.path().join("new").join("data");
    let mut store = Store::open(&dir).unwrap();
    assert!(
        store.tightened().is_empty(),
        "nothing to tighten in a new directory"
    );
    testkit::create_org(&mut store, Plan::Team);
    let asset = assets::add_asset(
        &mut store,
        &Actor::CommandLine,
        &assets::NewAsset::new("LAP-1", "Laptop"),
        None,
    )
    .unwrap();
    let source = parent.path().join("invoice.pdf");
    std::fs::write(&source, b"%PDF-1.4 invoice").unwrap();
    let owner = testkit::owner_of(&store);
    let doc = assets::attach_document(&mut store, &owner, asset.id, &source).unwrap();

    let db = store.path();
    for (path, expected) in [
        (dir.clone(), 0o700),
        (parent.path().join("new"), 0o700),
        (db.clone(), 0o600),
        (dir.join("uniasset.db-wal"), 0o600),
        (dir.join("uniasset.db-shm"), 0o600),
        (dir.join(assets::DOCUMENTS_DIR), 0o700),
        (dir.join(assets::DOCUMENTS_DIR).join(&doc.sha256), 0o600),
    ] {
        assert_eq!(mode(&path), expected, "{}", path.display());
    }
}

#[cfg(unix)]
#[test]
fn a_loose_existing_data_directory_is_tightened_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let org = Store::open(data).unwrap();
    drop(org);
    // As an earlier version (or a careless copy) left it: 0755 directories, 0644 files.
    let backups = data.join(store::BACKUP_DIR);
    std::fs::create_dir(&backups).unwrap();
    std::fs::write(backups.join("uniasset-schema1.db"), b"old copy").unwrap();
    let documents = data.join("documents");
    std::fs::create_dir(&documents).unwrap();
    std::fs::write(documents.join("ab12"), b"contract").unwrap();
    std::fs::write(data.join("notes.txt"), b"not UniAsset's").unwrap();
    let db = data.join(DATABASE_FILE);
    for (path, m) in [
        (data.to_path_buf(), 0o755),
        (db.clone(), 0o644),
        (backups.clone(), 0o755),
        (backups.join("uniasset-schema1.db"), 0o644),
        (documents.clone(), 0o755),
        (documents.join("ab12"), 0o644),
        (data.join("notes.txt"), 0o644),
    ] {
        set_mode(&path, m);
    }

    let store = Store::open(data).unwrap();
    let mut said: Vec<String> = store.tightened().iter().map(|t| t.to_string()).collect();
    said.sort();
    let mut expected = vec![
        format!(
            "Made {} readable only by its owner (permissions 0755 → 0700).",
            data.display()
        ),
        format!(
            "Made {} readable only by its owner (permissions 0644 → 0600).",
            db.display()
        ),
        format!(
            "Made {} readable only by its owner (permissions 0755 → 0700).",
            backups.display()
        ),
        format!(
            "Made {} readable only by its owner (permissions 0644 → 0600).",
            backups.join("uniasset-schema1.db").display()
        ),
        format!(
            "Made {} readable only by its owner (permissions 0755 → 0700).",
            documents.display()
        ),
        format!(
            "Made {} readable only by its owner (permissions 0644 → 0600).",
            documents.join("ab12").display()
        ),
    ];
    expected.sort();
    assert_eq!(said, expected);
    assert_eq!(mode(data), 0o700);
    assert_eq!(mode(&db), 0o600);
    assert_eq!(
        mode(&dir.path().join("uniasset.db-wal")),
        0o600,
        "journals follow the database"
    );
    assert_eq!(mode(&dir.path().join("uniasset.db-shm")), 0o600);
    assert_eq!(mode(&backups.join("uniasset-schema1.db")), 0o600);
    assert_eq!(mode(&documents.join("ab12")), 0o600);
    assert_eq!(
        mode(&data.join("notes.txt")),
        0o644,
        "only UniAsset's own files are touched"
    );
    drop(store);
    assert!(
        Store::open(data).unwrap().tightened().is_empty(),
        "once is enough"
    );
    assert!(Store::open_existing(data).unwrap().tightened().is_empty());
}

#[cfg(unix)]
#[test]
fn an_upgrade_backup_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("test.db");
    let v1 = [M::up("CREATE TABLE t (x INTEGER);")];
    let v2 = [v1[0].clone(), M::up("ALTER TABLE t ADD COLUMN y TEXT;")];
    let mut conn = rusqlite::Connection::open(&db).unwrap();
    store::migrate(&mut conn, &db, dir.path(), &v1).unwrap();
    store::migrate(&mut conn, &db, dir.path(), &v2).unwrap();
    let backups = dir.path().join(store::BACKUP_DIR);
    assert_eq!(mode(&backups), 0o700);
    let copy = std::fs::read_dir(&backups)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(mode(&copy), 0o600);
    let x: i64 = rusqlite::Connection::open(&copy)
        .unwrap()
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(x, 0, "the copy is a real database");
}

#[test]
fn open_existing_creates_nothing_where_there_is_no_database() {
    let parent = tempfile::tempdir().unwrap();
    let missing = parent.path().join("typo");
    let err = Store::open_existing(&missing).err().unwrap();
    assert!(matches!(err, StoreError::NoDatabase(_)), "{err:?}");
    assert_eq!(err.code(), "organization_missing");
    assert_eq!(
        err.to_string(),
        format!(
            "No organization is set up in {}: it holds no UniAsset database. Check the data directory (--data-dir or UNIASSET_DATA_DIR), or create an organization with `uniasset org init`.",
            missing.display()
        )
    );
    assert!(!missing.exists(), "no directory was created");

    let empty = parent.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(Store::open_existing(&empty).is_err());
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "no file was created"
    );

    let org = testkit::org(uniasset_core::organization::Plan::Team);
    let path = org.dir.path().to_owned();
    drop(org.store);
    let store = Store::open_existing(&path).unwrap();
    assert_eq!(
        uniasset_core::organization::get(&store).unwrap().name,
        "Northwind Traders"
    );
    drop(store);
}

#[test]
fn a_database_whose_tables_are_not_as_its_version_says_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let db = dir.path().join(DATABASE_FILE);
    let conn = rusqlite::Connection::open(&db).unwrap();
    // Claims an older schema than its tables have: the next upgrade meets tables it makes.
    conn.execute_batch(&format!(
        "PRAGMA user_version = {};",
        store::MIGRATIONS.len() - 2
    ))
    .unwrap();
    drop(conn);
    let err = Store::open(dir.path()).err().unwrap();
    let message = err.to_string();
    assert_eq!(err.code(), "database_migration_failed", "{message}");
    assert!(message.contains(&db.display().to_string()), "{message}");
    assert!(message.contains("Nothing was changed"), "{message}");
    assert!(
        !message.contains("CREATE")
            && !message.contains("--")
            && !message.contains("already exists"),
        "no SQL in the message: {message}"
    );
}
