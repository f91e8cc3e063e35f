//! Backups (issue 14): real SQLite files, real backup files in a real folder, the real
//! keychain (run under scripts/with-keyring.sh) and the Graph simulator on 127.0.0.1.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use testkit::files::{contains, each_file};
use testkit::{Org, OWNER_EMAIL};
use uniasset_core::access::Actor;
use uniasset_core::alerts::{self, EmailSettingsInput, SmtpTls};
use uniasset_core::assets::{self, NewAsset};
use uniasset_core::backup::{self, BackupError, BackupSettingsInput, Restorer};
use uniasset_core::directory::{self, Role, SignInMethod};
use uniasset_core::entra;
use uniasset_core::organization::Plan;
use uniasset_core::secrets::{BackupPassphrase, Keychain, SmtpPassword};
use uniasset_core::store::{self, Store};
use uniasset_core::ErrorCode;

const PASSPHRASE: &str = "tangerine walrus 1987";
const SMTP_PASSWORD: &str = "Smtp-Pa55-never-in-backups";

/// Northwind with people, assets (one held, one returned), a document and history.
fn filled() -> (Org, tempfile::TempDir) {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let mia = org.user(testkit::MEMBER_EMAIL);
    let laptop = assets::add_asset(
        &mut org.store,
        &owner,
        &NewAsset::new("LAP-001", "ThinkPad X1"),
        Some(mia.id),
    )
    .unwrap();
    let phone = assets::add_asset(
        &mut org.store,
        &owner,
        &NewAsset::new("PHN-001", "Pixel 8"),
        Some(mia.id),
    )
    .unwrap();
    assets::check_in(&mut org.store, &owner, phone.id, Some("back from Mia")).unwrap();
    let receipt = org.dir.path().join("receipt.pdf");
    std::fs::write(&receipt, b"%PDF-1.4 the laptop's receipt").unwrap();
    assets::attach_document(&mut org.store, &owner, laptop.id, &receipt).unwrap();
    std::fs::remove_file(&receipt).unwrap();
    let gone = org.add(
        "gone@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    directory::deactivate(&mut org.store, &owner, gone.id).unwrap();

    let folder = tempfile::tempdir().unwrap();
    set_folder(&mut org.store, folder.path());
    (org, folder)
}

fn set_folder(store: &mut Store, folder: &Path) {
    let owner = testkit::owner_of(store);
    backup::save_settings(
        store,
        &owner,
        &BackupSettingsInput {
            folder: Some(folder.to_string_lossy().into_owned()),
            automatic: true,
            keep_daily: 7,
            keep_weekly: 4,
        },
    )
    .unwrap();
}

/// Every row of the tables a restore must bring back, as text.
fn dump(db: &Path, table: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
        .unwrap();
    let columns = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..columns)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                other => format!("{other:?}"),
            })
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn tables_of(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

const RESTORED_TABLES: [&str; 5] = [
    "users",
    "assets",
    "asset_holdings",
    "documents",
    "organization",
];

/// Each file under `dir` and the SHA-256 of its content.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    each_file(dir)
        .into_iter()
        .map(|(path, bytes)| (path, hex::encode(Sha256::digest(&bytes))))
        .collect()
}

#[test]
fn a_backup_restored_into_an_empty_data_directory_brings_everything_back() {
    let (mut org, folder) = filled();
    let db = org.store.path();
    let before: Vec<_> = RESTORED_TABLES.iter().map(|t| dump(&db, t)).collect();
    let audit_before = dump(&db, "audit_entries");
    let owner = org.owner();

    let now = uniasset_core::clock::now();
    let tomorrow = now + chrono::Duration::days(1);
    assert!(
        !backup::due(&org.store, now).unwrap(),
        "a new organization waits for the next nightly window"
    );
    assert!(backup::due(&org.store, tomorrow).unwrap());
    let status = backup::status(&org.store).unwrap();
    assert!(status.warning.is_some(), "General says there is none yet");
    assert!(!status.overdue, "the tray waits three days");
    let file = backup::create(&mut org.store, &owner, None).unwrap();
    assert!(!file.encrypted);
    assert!(file.file_name.starts_with("UniAsset-backup-"), "{file:?}");
    assert!(file.file_name.ends_with("Z.uabackup"), "{file:?}");
    assert_eq!(Path::new(&file.path).parent().unwrap(), folder.path());

    let status = backup::status(&org.store).unwrap();
    assert_eq!(status.copies, vec![file.clone()]);
    assert_eq!(status.last_good.as_ref().unwrap().path, file.path);
    assert_eq!(
        status.last_good.as_ref().unwrap().size_bytes,
        file.size_bytes
    );
    assert_eq!((status.warning, status.last_error), (None, None));
    assert_eq!(backup::list(&org.store).unwrap(), vec![file.clone()]);
    assert!(!backup::due(&org.store, now).unwrap());
    assert!(
        backup::due(&org.store, tomorrow).unwrap(),
        "the next night's"
    );
    let trail = dump(&db, "audit_entries");
    assert!(
        trail.last().unwrap().contains("backup.created"),
        "{trail:?}"
    );

    let info = backup::inspect(Path::new(&file.path), None).unwrap();
    assert_eq!(info.organization, "Northwind Traders");
    assert_eq!((info.people, info.assets, info.documents), (4, 2, 1));
    assert_eq!(info.schema_version as usize, store::MIGRATIONS.len());
    assert!(!info.older_schema);
    assert_eq!(info.created_at, file.created_at);

    let fresh = tempfile::tempdir().unwrap();
    let outcome = backup::restore(
        fresh.path(),
        Path::new(&file.path),
        None,
        Restorer::FirstRun,
    )
    .unwrap();
    assert_eq!(outcome.organization, "Northwind Traders");
    assert_eq!((outcome.people, outcome.assets), (4, 2));
    assert_eq!(outcome.set_aside, "");
    assert!(!outcome.entra_secret_needed);

    let restored = Store::open_existing(fresh.path()).unwrap();
    let rdb = restored.path();
    for (table, rows) in RESTORED_TABLES.iter().zip(&before) {
        assert_eq!(&dump(&rdb, table), rows, "{table}");
    }
    // The restored database is rebuilt, not adopted: every other table comes back as it
    // was too (our own triggers did not run again while its rows went in). Not the record
    // of the last backup, which the copy predates.
    for table in tables_of(&db) {
        if !["audit_entries", "sessions", "backup_settings"].contains(&table.as_str()) {
            assert_eq!(dump(&rdb, &table), dump(&db, &table), "{table}");
        }
    }
    let audit_after = dump(&rdb, "audit_entries");
    assert_eq!(audit_after[..audit_before.len()], audit_before[..]);
    assert_eq!(audit_after.len(), audit_before.len() + 1);
    let last = audit_after.last().unwrap();
    assert!(
        last.contains("backup.restored") && last.contains("first-run setup"),
        "{last}"
    );
    // The document's file came back, byte for byte.
    let laptop = assets::find_by_tag(&restored, "LAP-001").unwrap();
    let doc = &assets::documents_of_asset(&restored, laptop.id).unwrap()[0];
    let path = assets::document_path(&restored, doc.id).unwrap();
    assert_eq!(
        std::fs::read(path).unwrap(),
        b"%PDF-1.4 the laptop's receipt"
    );
    // The owner signs in on the restored organization with the same password.
    assert_eq!(
        directory::find_by_email(&restored, OWNER_EMAIL)
            .unwrap()
            .role,
        Role::Owner
    );
    assert!(!fresh.path().join("restore-staging").exists());
}

#[test]
fn restoring_over_an_organization_sets_it_aside_and_needs_its_owner() {
    let (mut org, _folder) = filled();
    let owner = org.owner();
    let file = backup::create(&mut org.store, &owner, None).unwrap();

    // Another organization lives in the target data directory.
    let mut other = testkit::team(Plan::Free);
    let other_owner = other.owner();
    assets::add_asset(
        &mut other.store,
        &other_owner,
        &NewAsset::new("OTHER-1", "Printer"),
        None,
    )
    .unwrap();
    let other_dir = other.dir.path().to_owned();
    let member_id = other.user(testkit::MEMBER_EMAIL).id;
    let owner_id = other.user(OWNER_EMAIL).id;
    let other_before = dump(&other.store.path(), "assets");
    drop(other.store);
    let snapshot_before = snapshot(&other_dir);

    for refused in [Restorer::FirstRun, Restorer::CommandLine { force: false }] {
        let err = backup::restore(&other_dir, Path::new(&file.path), None, refused).unwrap_err();
        assert_eq!(err.code(), "backup_organization_exists", "{err}");
        assert!(err.to_string().contains("Northwind Traders"), "{err}");
    }
    let err = backup::restore(
        &other_dir,
        Path::new(&file.path),
        None,
        Restorer::Owner { user_id: member_id },
    )
    .unwrap_err();
    assert_eq!(err.code(), "needs_owner", "{err}");
    assert_eq!(snapshot(&other_dir), snapshot_before);

    let outcome = backup::restore(
        &other_dir,
        Path::new(&file.path),
        None,
        Restorer::Owner { user_id: owner_id },
    )
    .unwrap();
    let set_aside = PathBuf::from(&outcome.set_aside);
    assert!(set_aside.starts_with(&other_dir), "{set_aside:?}");
    assert!(set_aside
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("replaced-"));
    // The replaced organization is intact beside it, not deleted.
    assert_eq!(dump(&set_aside.join("uniasset.db"), "assets"), other_before);
    let restored = Store::open_existing(&other_dir).unwrap();
    assert!(assets::find_by_tag(&restored, "LAP-001").is_ok());
    assert!(assets::find_by_tag(&restored, "OTHER-1").is_err());
    let trail = dump(&restored.path(), "audit_entries");
    assert!(
        trail
            .last()
            .unwrap()
            .contains("Olivia Owner <olivia@northwind.example>"),
        "the restorer is named: {trail:?}"
    );
}

/// A backup made by an older UniAsset (schema 12), written in the archive's documented
/// layout: `backup.json` first, then `uniasset.db`.
fn old_backup(dir: &Path) -> PathBuf {
    let db = dir.join("old.db");
    let mut conn = rusqlite::Connection::open(&db).unwrap();
    store::migrate(&mut conn, &db, dir, &store::MIGRATIONS[..12]).unwrap();
    conn.execute_batch(
        "INSERT INTO organization (id, name, plan, created_at)
             VALUES (1, 'Contoso Old', 'team', '2026-01-01T00:00:00.000Z');
         INSERT INTO users (id, email, display_name, role, sign_in, created_at)
             VALUES (1, 'olivia@contoso.example', 'Olivia Owner', 'owner', 'password',
                     '2026-01-01T00:00:00.000Z');
         INSERT INTO assets (id, tag, name, created_at)
             VALUES (1, 'OLD-1', 'Desk phone', '2026-02-03T04:05:06.000Z');
         PRAGMA journal_mode = DELETE;",
    )
    .unwrap();
    drop(conn);
    let bytes = std::fs::read(&db).unwrap();
    let manifest = serde_json::json!({
        "format": 1,
        "app_version": "0.0.9",
        "created_at": "2026-03-01T03:10:00.000Z",
        "organization": "Contoso Old",
        "schema_version": 12,
        "people": 1,
        "assets": 1,
        "documents": 0,
        "database_sha256": hex::encode(Sha256::digest(&bytes)),
    });
    let path = dir.join("UniAsset-backup-2026-03-01T03-10-00Z.uabackup");
    write_archive(
        &path,
        &[
            (
                "backup.json".to_owned(),
                serde_json::to_vec(&manifest).unwrap(),
            ),
            ("uniasset.db".to_owned(), bytes),
        ],
    );
    path
}

/// A backup archive of `entries` (name, bytes), in the order given.
fn write_archive(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut tar = tar::Builder::new(std::fs::File::create(path).unwrap());
    for (name, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o600);
        tar.append_data(&mut header, name, data.as_slice()).unwrap();
    }
    tar.finish().unwrap();
}

#[test]
fn a_backup_from_an_older_schema_is_upgraded() {
    let work = tempfile::tempdir().unwrap();
    let file = old_backup(work.path());
    let info = backup::inspect(&file, None).unwrap();
    assert_eq!((info.schema_version, info.older_schema), (12, true));
    assert_eq!(info.app_version, "0.0.9");

    let fresh = tempfile::tempdir().unwrap();
    backup::restore(
        fresh.path(),
        &file,
        None,
        Restorer::CommandLine { force: false },
    )
    .unwrap();
    let conn = rusqlite::Connection::open(fresh.path().join("uniasset.db")).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, store::MIGRATIONS.len());
    drop(conn);
    let restored = Store::open_existing(fresh.path()).unwrap();
    assert!(assets::find_by_tag(&restored, "OLD-1").is_ok());
    let status = backup::status(&restored).unwrap();
    assert_eq!((status.keep_daily, status.keep_weekly), (7, 4));
    let trail = dump(&restored.path(), "audit_entries");
    assert!(
        trail.last().unwrap().contains("upgraded from schema 12"),
        "{trail:?}"
    );
}

#[test]
fn bad_files_are_refused_each_with_its_reason_and_nothing_changes() {
    let (mut org, folder) = filled();
    let owner = org.owner();
    // Elsewhere: the folder keeps one copy a day, the newest (the encrypted one below).
    let elsewhere = tempfile::tempdir().unwrap();
    let plain = PathBuf::from(
        backup::create(&mut org.store, &owner, Some(elsewhere.path()))
            .unwrap()
            .path,
    );
    backup::set_passphrase(
        &mut org.store,
        &owner,
        Some(&BackupPassphrase::new(PASSPHRASE)),
    )
    .unwrap();
    let encrypted = backup::create(&mut org.store, &owner, None).unwrap();
    assert!(encrypted.encrypted && encrypted.file_name.ends_with(".uabackup.age"));
    let encrypted = PathBuf::from(encrypted.path);
    let data_dir = org.dir.path().to_owned();
    drop(org.store);

    let bad = folder.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    let plain_bytes = std::fs::read(&plain).unwrap();
    let encrypted_bytes = std::fs::read(&encrypted).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = bad.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let flipped = |bytes: &[u8]| {
        let mut bytes = bytes.to_vec();
        let middle = bytes.len() / 2;
        for b in &mut bytes[middle..middle + 4] {
            *b ^= 0x5a;
        }
        bytes
    };
    let random_db = bad.join("random.db");
    rusqlite::Connection::open(&random_db)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES ('not a backup');")
        .unwrap();
    let no_manifest = bad.join("no-manifest.uabackup");
    {
        let mut tar = tar::Builder::new(std::fs::File::create(&no_manifest).unwrap());
        let mut header = tar::Header::new_gnu();
        header.set_size(5);
        header.set_mode(0o600);
        tar.append_data(&mut header, "uniasset.db", &b"hello"[..])
            .unwrap();
        tar.finish().unwrap();
    }
    let pass = BackupPassphrase::new(PASSPHRASE);
    let wrong = BackupPassphrase::new("not the passphrase");
    let cases: Vec<(&str, PathBuf, Option<&BackupPassphrase>, &str)> = vec![
        (
            "cut short",
            write("short.uabackup", &plain_bytes[..plain_bytes.len() * 2 / 3]),
            None,
            "backup_damaged",
        ),
        (
            "bytes flipped",
            write("flipped.uabackup", &flipped(&plain_bytes)),
            None,
            "backup_damaged",
        ),
        (
            "encrypted, cut short",
            write(
                "short.uabackup.age",
                &encrypted_bytes[..encrypted_bytes.len() - 100],
            ),
            Some(&pass),
            "backup_damaged",
        ),
        (
            "encrypted, bytes flipped",
            write("flipped.uabackup.age", &flipped(&encrypted_bytes)),
            Some(&pass),
            "backup_damaged",
        ),
        ("a SQLite database", random_db, None, "backup_not_a_backup"),
        (
            "a text file",
            write("notes.uabackup", b"Remember to buy milk.\n"),
            None,
            "backup_not_a_backup",
        ),
        (
            "a tar without a manifest",
            no_manifest,
            None,
            "backup_not_a_backup",
        ),
        (
            "wrong passphrase",
            encrypted.clone(),
            Some(&wrong),
            "backup_wrong_passphrase",
        ),
        (
            "no passphrase",
            encrypted.clone(),
            None,
            "backup_passphrase_needed",
        ),
    ];
    let before = snapshot(&data_dir);
    for (what, file, passphrase, code) in cases {
        let err = backup::inspect(&file, passphrase).unwrap_err();
        assert_eq!(err.code(), code, "inspect, {what}: {err}");
        let err = backup::restore(
            &data_dir,
            &file,
            passphrase,
            Restorer::CommandLine { force: true },
        )
        .unwrap_err();
        assert_eq!(err.code(), code, "restore, {what}: {err}");
        assert!(
            err.to_string().contains("Nothing was changed"),
            "{what}: {err}"
        );
        assert_eq!(
            snapshot(&data_dir),
            before,
            "{what} changed the data directory"
        );
    }
    let err = backup::inspect(&encrypted, Some(&wrong)).unwrap_err();
    assert!(
        err.to_string().contains("nobody can restore the backup"),
        "a lost passphrase is said to lose the backups: {err}"
    );

    // The good copies still restore (into the same place, forced).
    let info = backup::inspect(&encrypted, Some(&pass)).unwrap();
    assert!(info.file.encrypted);
    backup::restore(
        &data_dir,
        &encrypted,
        Some(&pass),
        Restorer::CommandLine { force: true },
    )
    .unwrap();
    assert!(Store::open_existing(&data_dir).is_ok());
}

/// The backup `good` with its database changed by `sql`, and its manifest made to agree
/// (checksum, schema version): what anyone holding the file could craft.
fn tampered(good: &Path, dir: &Path, name: &str, sql: &str) -> PathBuf {
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut archive = tar::Archive::new(std::fs::File::open(good).unwrap());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        entries.push((path, data));
    }
    let db = dir.join(format!("{name}.db"));
    std::fs::write(&db, &entries[1].1).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA foreign_keys = OFF;")
        .unwrap();
    conn.execute_batch(sql).unwrap();
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    entries[1].1 = std::fs::read(&db).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_slice(&entries[0].1).unwrap();
    manifest["database_sha256"] = hex::encode(Sha256::digest(&entries[1].1)).into();
    manifest["schema_version"] = version.into();
    entries[0].1 = serde_json::to_vec(&manifest).unwrap();
    let path = dir.join(format!("UniAsset-backup-{name}.uabackup"));
    write_archive(&path, &entries);
    path
}

#[test]
fn a_restore_brings_back_nothing_uniasset_did_not_write() {
    let (mut org, _folder) = filled();
    let owner = org.owner();
    let elsewhere = tempfile::tempdir().unwrap();
    let good = PathBuf::from(
        backup::create(&mut org.store, &owner, Some(elsewhere.path()))
            .unwrap()
            .path,
    );
    let data_dir = org.dir.path().to_owned();
    drop(org.store);
    let last = store::MIGRATIONS.len();
    let cases = [
        (
            "trigger",
            // Undoes every deactivation, and plants an Owner as soon as anything is audited.
            "CREATE TRIGGER keep_active AFTER UPDATE OF status ON users
             BEGIN UPDATE users SET status = 'active' WHERE id = NEW.id; END;
             CREATE TRIGGER plant_owner AFTER INSERT ON audit_entries
             BEGIN INSERT INTO users (email, display_name, role, sign_in, created_at)
                   VALUES ('mallory@evil.example', 'Mallory', 'owner', 'password', NEW.at); END;",
            "it has a trigger \"keep_active\"",
        ),
        (
            "table",
            "CREATE TABLE notes (x TEXT);",
            "it has a table \"notes\"",
        ),
        (
            "view",
            "CREATE VIEW everyone AS SELECT * FROM users;",
            "it has a view \"everyone\"",
        ),
        (
            "index",
            "CREATE INDEX users_by_name ON users (display_name);",
            "it has an index \"users_by_name\"",
        ),
        (
            "missing table",
            "DROP TABLE email_alerts;",
            "its table \"email_alerts\" is missing",
        ),
        (
            "changed table",
            "ALTER TABLE users ADD COLUMN shadow TEXT;",
            "its table \"users\" is not as UniAsset makes it",
        ),
        (
            "broken reference",
            "UPDATE assets SET assigned_to = 9999;",
            "rows in its table \"assets\" refer to rows that are not there",
        ),
        (
            "broken check",
            "PRAGMA ignore_check_constraints = ON; UPDATE users SET role = 'emperor';",
            "rows in its table \"users\" break UniAsset's rules",
        ),
        (
            // The chain itself stays whole: only the head kept in the manifest shows it.
            "newest audit entry cut off",
            "DELETE FROM audit_entries WHERE id = (SELECT max(id) FROM audit_entries);",
            "its audit trail does not end with the hash recorded",
        ),
        (
            "older schema claimed",
            &format!("PRAGMA user_version = {};", last - 2),
            "",
        ),
    ];
    let before = snapshot(&data_dir);
    for (name, sql, says) in cases {
        let file = tampered(&good, elsewhere.path(), &name.replace(' ', "-"), sql);
        let err = backup::restore(
            &data_dir,
            &file,
            None,
            Restorer::CommandLine { force: true },
        )
        .unwrap_err();
        let message = err.to_string();
        assert_eq!(err.code(), "backup_altered", "{name}: {message}");
        assert!(message.contains(says), "{name}: {message}");
        assert!(
            message.contains(&file.display().to_string()),
            "{name}: {message}"
        );
        assert!(message.contains("Nothing was changed"), "{name}: {message}");
        assert!(
            !message.contains("CREATE") && !message.contains("--"),
            "{name}: {message}"
        );
        assert_eq!(
            snapshot(&data_dir),
            before,
            "{name} changed the data directory"
        );
    }

    // The untouched copy restores, and a deactivation holds.
    backup::restore(
        &data_dir,
        &good,
        None,
        Restorer::CommandLine { force: true },
    )
    .unwrap();
    let mut restored = Store::open_existing(&data_dir).unwrap();
    let owner = testkit::owner_of(&restored);
    let mia = directory::find_by_email(&restored, testkit::MEMBER_EMAIL).unwrap();
    directory::deactivate(&mut restored, &owner, mia.id).unwrap();
    assert_eq!(
        directory::find_by_email(&restored, testkit::MEMBER_EMAIL)
            .unwrap()
            .status,
        directory::UserStatus::Deactivated
    );
}

#[test]
fn retention_keeps_seven_daily_and_four_weekly_copies() {
    let (mut org, folder) = filled();
    let owner = org.owner();
    let now = uniasset_core::clock::now();
    // A copy every day for the last 60 days, and files that are not UniAsset's copies.
    for days in 1..=60 {
        let at = now - chrono::Duration::days(days);
        let name = format!(
            "UniAsset-backup-{}.uabackup",
            at.format("%Y-%m-%dT%H-%M-%SZ")
        );
        std::fs::write(folder.path().join(name), b"old copy").unwrap();
    }
    for other in [
        "notes.txt",
        "UniAsset-backup-notes.txt",
        "UniAsset-backup-old.uabackup",
    ] {
        std::fs::write(folder.path().join(other), b"keep me").unwrap();
    }
    let file = backup::create(&mut org.store, &owner, None).unwrap();

    let copies = backup::list(&org.store).unwrap();
    assert_eq!(copies.len(), 11, "7 daily + 4 weekly: {copies:#?}");
    assert_eq!(copies[0], file, "newest first, the new copy kept");
    let days: std::collections::BTreeSet<_> = copies
        .iter()
        .map(|c| c.created_at[..10].to_owned())
        .collect();
    assert_eq!(days.len(), 11, "one copy per day or week");
    for other in [
        "notes.txt",
        "UniAsset-backup-notes.txt",
        "UniAsset-backup-old.uabackup",
    ] {
        assert!(
            folder.path().join(other).exists(),
            "{other} was not UniAsset's"
        );
    }
    let trail = dump(&org.store.path(), "audit_entries");
    assert!(
        trail.last().unwrap().contains("50 older copies removed"),
        "{trail:?}"
    );

    // A one-off copy elsewhere prunes nothing in the backup folder.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(
        elsewhere
            .path()
            .join("UniAsset-backup-2020-01-01T00-00-00Z.uabackup"),
        b"someone's",
    )
    .unwrap();
    let one_off = backup::create(&mut org.store, &owner, Some(elsewhere.path())).unwrap();
    assert_eq!(Path::new(&one_off.path).parent().unwrap(), elsewhere.path());
    assert!(elsewhere
        .path()
        .join("UniAsset-backup-2020-01-01T00-00-00Z.uabackup")
        .exists());
}

#[test]
fn settings_are_checked_audited_and_only_for_owners_and_admins() {
    let (mut org, folder) = filled();
    let member = org.actor(testkit::MEMBER_EMAIL);
    let admin = org.actor(testkit::ADMIN_EMAIL);
    let input = |folder: Option<&str>, daily, weekly| BackupSettingsInput {
        folder: folder.map(str::to_owned),
        automatic: false,
        keep_daily: daily,
        keep_weekly: weekly,
    };
    let here = folder.path().to_string_lossy().into_owned();
    let code = |r: Result<backup::BackupStatus, BackupError>| r.unwrap_err().code();
    assert_eq!(
        code(backup::save_settings(
            &mut org.store,
            &member,
            &input(Some(&here), 7, 4)
        )),
        "needs_admin"
    );
    assert_eq!(
        code(backup::save_settings(
            &mut org.store,
            &admin,
            &input(Some(&here), 0, 4)
        )),
        "invalid_backup_retention"
    );
    assert_eq!(
        code(backup::save_settings(
            &mut org.store,
            &admin,
            &input(Some(&here), 7, 53)
        )),
        "invalid_backup_retention"
    );
    assert_eq!(
        code(backup::save_settings(
            &mut org.store,
            &admin,
            &input(Some("relative/dir"), 7, 4)
        )),
        "backup_folder_invalid"
    );
    let blocked = folder.path().join("a-file");
    std::fs::write(&blocked, b"").unwrap();
    let inside_a_file = blocked.join("backups").to_string_lossy().into_owned();
    assert_eq!(
        code(backup::save_settings(
            &mut org.store,
            &admin,
            &input(Some(&inside_a_file), 7, 4)
        )),
        "backup_folder_unwritable"
    );

    let status = backup::save_settings(&mut org.store, &admin, &input(Some(&here), 14, 8)).unwrap();
    assert_eq!(
        (status.automatic, status.keep_daily, status.keep_weekly),
        (false, 14, 8)
    );
    assert!(
        !backup::due(&org.store, uniasset_core::clock::now()).unwrap(),
        "automatic off"
    );
    let trail = dump(&org.store.path(), "audit_entries");
    assert!(
        trail.last().unwrap().contains("backup.settings_changed"),
        "{trail:?}"
    );

    // Only an Owner sets the passphrase; a short one is refused.
    let owner = org.owner();
    let pass = BackupPassphrase::new(PASSPHRASE);
    assert_eq!(
        code(backup::set_passphrase(&mut org.store, &admin, Some(&pass))),
        "needs_owner"
    );
    assert_eq!(
        code(backup::set_passphrase(
            &mut org.store,
            &owner,
            Some(&BackupPassphrase::new("short"))
        )),
        "backup_passphrase_too_short"
    );
    let status = backup::set_passphrase(&mut org.store, &owner, Some(&pass)).unwrap();
    assert!(status.encrypted && !status.passphrase_missing);
    let err = backup::create(&mut org.store, &member, None).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    let status = backup::set_passphrase(&mut org.store, &owner, None).unwrap();
    assert!(!status.encrypted);
    let made = backup::create(&mut org.store, &Actor::Scheduler, None).unwrap();
    assert!(!made.encrypted);
}

#[test]
fn an_encrypted_backup_without_the_passphrase_in_the_keychain_fails_and_says_so() {
    let (mut org, _folder) = filled();
    let owner = org.owner();
    backup::set_passphrase(
        &mut org.store,
        &owner,
        Some(&BackupPassphrase::new(PASSPHRASE)),
    )
    .unwrap();
    uniasset_core::secrets::BackupKeychain::for_store(&org.store)
        .unwrap()
        .delete()
        .unwrap();
    let status = backup::status(&org.store).unwrap();
    assert!(status.passphrase_missing);
    let err = backup::create(&mut org.store, &owner, None).unwrap_err();
    assert_eq!(err.code(), "backup_passphrase_missing");
    let status = backup::status(&org.store).unwrap();
    assert_eq!(status.last_error, Some(err.to_string()));
    assert!(status.copies.is_empty() && status.last_good.is_none());
}

#[tokio::test]
async fn secrets_are_never_in_a_backup_and_a_restore_without_the_client_secret_waits_for_it() {
    let mut connected = testkit::tenant::connected(Plan::Enterprise).await;
    let sim_secret = connected.sim.client_secret();
    let store = &mut connected.org.store;
    let owner = testkit::owner_of(store);
    entra::set_auto_deprovision(store, &owner, true).unwrap();
    alerts::save(
        store,
        &owner,
        &EmailSettingsInput {
            host: "127.0.0.1".into(),
            port: 2525,
            tls: SmtpTls::None,
            username: Some("alerts".into()),
            sender: "uniasset@northwind.example".into(),
            recipients: "it@northwind.example".into(),
        },
        Some(&SmtpPassword::new(SMTP_PASSWORD)),
    )
    .unwrap();
    let folder = tempfile::tempdir().unwrap();
    set_folder(store, folder.path());
    let elsewhere = tempfile::tempdir().unwrap();
    let plain = backup::create(store, &owner, Some(elsewhere.path())).unwrap();
    backup::set_passphrase(store, &owner, Some(&BackupPassphrase::new(PASSPHRASE))).unwrap();
    let encrypted = backup::create(store, &owner, None).unwrap();

    let plain_bytes = std::fs::read(&plain.path).unwrap();
    let mut decrypted = Vec::new();
    {
        let bytes = std::fs::read(&encrypted.path).unwrap();
        let decryptor = age::Decryptor::new(&bytes[..]).unwrap();
        let identity = age::scrypt::Identity::new(PASSPHRASE.to_owned().into());
        decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .unwrap()
            .read_to_end(&mut decrypted)
            .unwrap();
        assert!(
            !contains(&bytes, "Northwind"),
            "the encrypted file is not readable"
        );
    }
    for (what, bytes) in [("plain", &plain_bytes), ("decrypted", &decrypted)] {
        assert!(
            contains(bytes, "Northwind Traders"),
            "{what}: the archive was read"
        );
        assert!(
            !contains(bytes, &sim_secret),
            "{what} holds the client secret"
        );
        assert!(
            !contains(bytes, SMTP_PASSWORD),
            "{what} holds the SMTP password"
        );
        assert!(!contains(bytes, PASSPHRASE), "{what} holds the passphrase");
    }

    // Restored on this computer, whose keychain still holds the secret: nothing to ask.
    let same = tempfile::tempdir().unwrap();
    let outcome = backup::restore(
        same.path(),
        Path::new(&plain.path),
        None,
        Restorer::FirstRun,
    )
    .unwrap();
    assert!(!outcome.entra_secret_needed);
    let restored = Store::open_existing(same.path()).unwrap();
    let settings = entra::settings(&restored).unwrap();
    assert!(!settings.secret_needed && settings.auto_deprovision);
    drop(restored);

    // On a computer whose keychain lacks it (the secret removed here stands for that).
    Keychain::for_store(store).unwrap().delete().unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let pass = BackupPassphrase::new(PASSPHRASE);
    let outcome = backup::restore(
        fresh.path(),
        Path::new(&encrypted.path),
        Some(&pass),
        Restorer::FirstRun,
    )
    .unwrap();
    assert!(outcome.entra_secret_needed);
    let mut restored = Store::open_existing(fresh.path()).unwrap();
    let settings = entra::settings(&restored).unwrap();
    assert!(settings.secret_needed, "the Entra page asks for the secret");
    assert!(
        !settings.auto_deprovision,
        "automatic runs are off until then"
    );
    assert!(
        settings.connection.is_some(),
        "the connection itself came back"
    );
    let trail = dump(&restored.path(), "audit_entries");
    assert!(
        trail
            .last()
            .unwrap()
            .contains("auto-deprovision was turned off"),
        "{trail:?}"
    );
    let err = entra::set_auto_deprovision(&mut restored, &owner, true).unwrap_err();
    assert_eq!(err.code(), "secret_missing");

    // Connecting again with the secret clears it.
    testkit::tenant::connect(&mut restored, &connected.sim, &connected.sim.tenant_id()).await;
    let settings = entra::settings(&restored).unwrap();
    assert!(!settings.secret_needed);
    entra::set_auto_deprovision(&mut restored, &owner, true).unwrap();
}

#[test]
fn a_damaged_document_stops_the_backup_and_keeps_the_earlier_copies() {
    let (mut org, folder) = filled();
    let owner = org.owner();
    let good = backup::create(&mut org.store, &owner, None).unwrap();
    let document = std::fs::read_dir(org.dir.path().join("documents"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&document, b"%PDF-1.4 changed on disk").unwrap();

    let err = backup::create(&mut org.store, &owner, None).unwrap_err();
    assert_eq!(err.code(), "backup_document_damaged", "{err}");
    assert!(err.to_string().contains("earlier ones are kept"), "{err}");
    let names: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        std::slice::from_ref(&good.file_name),
        "no new copy, no partial file"
    );
    let status = backup::status(&org.store).unwrap();
    assert_eq!(status.last_good.unwrap().path, good.path);
    assert!(status.last_error.unwrap().contains("no longer matches"));
}

#[test]
fn a_restore_refuses_while_someone_else_uses_the_database() {
    let (mut org, _folder) = filled();
    let owner = org.owner();
    let file = backup::create(&mut org.store, &owner, None).unwrap();
    let dir = org.dir.path().to_owned();
    let owner_id = org.user(OWNER_EMAIL).id;
    // `org.store` stays open: a sync under way, or the app while the command line restores.
    let before = snapshot(&dir);
    let err = backup::restore(
        &dir,
        Path::new(&file.path),
        None,
        Restorer::Owner { user_id: owner_id },
    )
    .unwrap_err();
    assert_eq!(err.code(), "backup_data_in_use", "{err}");
    assert_eq!(snapshot(&dir), before, "nothing changed");

    drop(org.store);
    backup::restore(
        &dir,
        Path::new(&file.path),
        None,
        Restorer::Owner { user_id: owner_id },
    )
    .unwrap();
}

#[test]
fn a_first_run_restore_leaves_no_empty_organization_set_aside() {
    let (mut org, _folder) = filled();
    let owner = org.owner();
    let file = backup::create(&mut org.store, &owner, None).unwrap();
    // What the app's first start leaves: an empty database, no organization.
    let fresh = testkit::empty_store();
    let dir = fresh.dir.path().to_owned();
    drop(fresh.store);
    let outcome = backup::restore(&dir, Path::new(&file.path), None, Restorer::FirstRun).unwrap();
    assert_eq!(outcome.set_aside, "", "nothing worth setting aside");
    assert!(!std::fs::read_dir(&dir).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("replaced-")));
}
