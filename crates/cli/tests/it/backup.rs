//! `uniasset backup …` on real data directories and backup folders (run under
//! scripts/with-keyring.sh: the passphrase lives in the keychain).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::{fails, init, json, ok, run, spawn};
use testkit::files::each_file;

/// Northwind with a member and an asset, backing up into `folder`.
fn northwind(dir: &Path, folder: &Path) {
    init(dir, "team", None);
    ok(
        dir,
        &crate::common::add_member("mia@northwind.example", "Mia Member", "password", None),
    );
    ok(
        dir,
        &["assets", "add", "--tag", "LAP-001", "--name", "ThinkPad"],
    );
    ok(
        dir,
        &["backup", "settings", "--folder", folder.to_str().unwrap()],
    );
}

#[test]
fn create_list_and_restore_into_an_empty_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    northwind(dir.path(), folder.path());

    let made = json(dir.path(), &["backup", "create"]);
    let path = made["path"].as_str().unwrap().to_owned();
    assert!(Path::new(&path).starts_with(folder.path()));
    let out = ok(dir.path(), &["backup", "create"]);
    assert!(out.starts_with("Backed up to "), "{out}");
    let listed = json(dir.path(), &["backup", "list"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "one copy a day is kept: {listed:?}");
    let newest = listed[0]["path"].as_str().unwrap().to_owned();
    let out = ok(dir.path(), &["backup", "list"]);
    assert!(
        out.contains("CREATED") && out.contains("UniAsset-backup-"),
        "{out}"
    );

    let fresh = tempfile::tempdir().unwrap();
    let out = ok(fresh.path(), &["backup", "restore", &newest]);
    assert!(
        out.starts_with("Restored Northwind (2 people, 1 assets)"),
        "{out}"
    );
    let users = json(fresh.path(), &["users", "list"]);
    assert!(
        users.to_string().contains("mia@northwind.example"),
        "{users}"
    );
    let asset = ok(fresh.path(), &["assets", "list"]);
    assert!(asset.contains("LAP-001"), "{asset}");
    let audit = ok(fresh.path(), &["audit", "--action", "backup.restored"]);
    assert!(audit.contains("command line"), "{audit}");
}

#[test]
fn restoring_over_an_organization_needs_force_and_sets_it_aside() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    northwind(dir.path(), folder.path());
    let file = json(dir.path(), &["backup", "create"])["path"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        dir.path(),
        &["assets", "add", "--tag", "NEW-1", "--name", "Dock"],
    );
    let before = each_file(dir.path());

    let err = fails(dir.path(), &["backup", "restore", &file], 1);
    assert!(
        err.contains("already holds the organization \"Northwind\""),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert_eq!(each_file(dir.path()), before, "refused: nothing changed");

    let out = ok(dir.path(), &["backup", "restore", &file, "--force"]);
    assert!(out.contains("set aside in"), "{out}");
    let assets = ok(dir.path(), &["assets", "list"]);
    assert!(
        assets.contains("LAP-001") && !assets.contains("NEW-1"),
        "{assets}"
    );
}

#[test]
fn bad_files_exit_1_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    northwind(dir.path(), folder.path());
    let out = run(
        dir.path(),
        &["backup", "passphrase", "--stdin"],
        "tangerine walrus 1987\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let encrypted = json(dir.path(), &["backup", "create"])["path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(encrypted.ends_with(".uabackup.age"));
    let plain_dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["backup", "passphrase", "--off"]);
    let plain = json(
        dir.path(),
        &[
            "backup",
            "create",
            "--to",
            plain_dir.path().to_str().unwrap(),
        ],
    )["path"]
        .as_str()
        .unwrap()
        .to_owned();

    let bad = tempfile::tempdir().unwrap();
    let mut damaged = std::fs::read(&plain).unwrap();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    let damaged_path = bad.path().join("damaged.uabackup");
    std::fs::write(&damaged_path, damaged).unwrap();
    let text = bad.path().join("notes.uabackup");
    std::fs::write(&text, "not a backup\n").unwrap();

    let target = dir.path();
    let before = each_file(target);
    let cases: [(&str, &Path, &str, &str); 4] = [
        ("damaged", &damaged_path, "", "is damaged"),
        ("not a backup", &text, "", "is not a UniAsset backup"),
        (
            "wrong passphrase",
            Path::new(&encrypted),
            "wrong horse\n",
            "The passphrase does not open",
        ),
        (
            "no passphrase",
            Path::new(&encrypted),
            "",
            "is encrypted: enter the backup passphrase",
        ),
    ];
    for (what, file, stdin, says) in cases {
        let mut args = vec!["backup", "restore", file.to_str().unwrap(), "--force"];
        if !stdin.is_empty() {
            args.push("--passphrase-stdin");
        }
        let out = run(target, &args, stdin);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {err}");
        assert!(
            err.contains(says) && err.contains("Nothing was changed"),
            "{what}: {err}"
        );
        assert_eq!(each_file(target), before, "{what}: nothing changed");
    }
    let out = run(
        target,
        &[
            "--json",
            "backup",
            "restore",
            text.to_str().unwrap(),
            "--force",
        ],
        "",
    );
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["error"]["code"], "backup_not_a_backup");

    // The right passphrase opens it.
    let out = run(
        target,
        &[
            "backup",
            "restore",
            &encrypted,
            "--force",
            "--passphrase-stdin",
        ],
        "tangerine walrus 1987\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_kill_during_a_backup_leaves_earlier_copies_intact_and_no_partial_listed() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    northwind(dir.path(), folder.path());
    let earlier = json(dir.path(), &["backup", "create"]);
    let earlier_path = PathBuf::from(earlier["path"].as_str().unwrap());
    let earlier_bytes = std::fs::read(&earlier_path).unwrap();

    // A large organization, so the copy takes a while: ~60 MB of audit trail.
    let conn = rusqlite::Connection::open(dir.path().join("uniasset.db")).unwrap();
    conn.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
         INSERT INTO audit_entries (at, actor_label, action, detail)
         SELECT '2026-01-01T00:00:00.000Z', 'filler', 'test.filler', hex(randomblob(512)) FROM n;",
    )
    .unwrap();
    drop(conn);

    // Started a second later, so the new copy's name differs from the earlier one's.
    std::thread::sleep(Duration::from_millis(1100));
    let mut child = spawn(dir.path(), &["backup", "create"], "", &[]);
    let partial = |folder: &Path| {
        std::fs::read_dir(folder).unwrap().flatten().find(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(".UniAsset-backup-") && name.ends_with(".partial")
        })
    };
    let started = Instant::now();
    let seen = loop {
        if let Some(found) = partial(folder.path()) {
            break found.path();
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the backup finished before its partial file was seen"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no partial file appeared"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(seen.exists(), "the killed backup left its partial file");

    assert_eq!(
        std::fs::read(&earlier_path).unwrap(),
        earlier_bytes,
        "the earlier copy is intact"
    );
    let listed = json(dir.path(), &["backup", "list"]);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [earlier["file_name"].as_str().unwrap()],
        "no partial copy listed"
    );

    let next = json(dir.path(), &["backup", "create"]);
    assert!(
        partial(folder.path()).is_none(),
        "the stale partial file was removed"
    );
    assert!(!dir.path().join("backup-work").exists());
    let info_size = next["size_bytes"].as_u64().unwrap();
    assert!(
        info_size > 30_000_000,
        "the new copy holds the large trail: {info_size}"
    );
}

/// `dir`'s files, copied into a new temporary data directory.
fn copy_of(dir: &Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for (path, bytes) in each_file(dir) {
        let to = copy.path().join(path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    copy
}

/// Which organization `dir` holds, as `uniasset` sees it: its assets and how many documents
/// it keeps.
fn holdings(dir: &Path) -> (String, usize) {
    let assets = json(dir, &["assets", "list"]);
    let tags: Vec<&str> = assets
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["tag"].as_str().unwrap())
        .collect();
    let documents = std::fs::read_dir(dir.join("documents"))
        .map(|d| d.count())
        .unwrap_or(0);
    (tags.join(","), documents)
}

/// A restore killed at each of its renames in turn (strace sends SIGKILL as the Nth rename
/// begins, so it never happens) leaves, at the next command, one whole organization: the
/// one that was there, or the backup's with its documents — never neither, never half.
#[test]
fn a_restore_killed_at_any_rename_leaves_one_whole_organization() {
    assert!(
        std::process::Command::new("strace")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success()),
        "strace is needed (scripts/deps.sh --test installs it)"
    );
    // The backup: Northwind with LAP-001 and its receipt.
    let source = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    northwind(source.path(), folder.path());
    {
        use uniasset_core::access::{Actor, Person};
        use uniasset_core::{assets, directory, store::Store};
        let mut store = Store::open_existing(source.path()).unwrap();
        let olivia = directory::find_by_email(&store, crate::common::OWNER_EMAIL).unwrap();
        let olivia = Actor::Person(Person {
            user_id: olivia.id,
            display_name: olivia.display_name,
            email: olivia.email,
            role: olivia.role,
        });
        let laptop = assets::find_by_tag(&store, "LAP-001").unwrap();
        let receipt = folder.path().join("receipt.pdf");
        std::fs::write(&receipt, b"%PDF-1.4 receipt").unwrap();
        assets::attach_document(&mut store, &olivia, laptop.id, &receipt).unwrap();
    }
    let file = json(source.path(), &["backup", "create"])["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let backed_up = ("LAP-001".to_owned(), 1);
    // What is there now: another asset, no documents.
    let current = tempfile::tempdir().unwrap();
    init(current.path(), "team", None);
    ok(
        current.path(),
        &["assets", "add", "--tag", "OLD-1", "--name", "Dock"],
    );
    let was_there = ("OLD-1".to_owned(), 0);

    let mut seen = Vec::new();
    for n in 1.. {
        let dir = copy_of(current.path());
        let out = std::process::Command::new("strace")
            .args([
                "-f",
                "-o",
                "/dev/null",
                "-e",
                "trace=rename,renameat,renameat2",
            ])
            .arg("-e")
            .arg(format!(
                "inject=rename,renameat,renameat2:signal=KILL:when={n}"
            ))
            .args([
                env!("CARGO_BIN_EXE_uniasset"),
                "backup",
                "restore",
                &file,
                "--force",
            ])
            .env("UNIASSET_DATA_DIR", dir.path())
            .output()
            .unwrap();
        let finished = out.status.success();
        let found = holdings(dir.path());
        assert!(
            found == was_there || found == backed_up,
            "killed at rename {n}: the next command found {found:?}"
        );
        assert!(!dir.path().join("restore-journal.json").exists());
        seen.push(found);
        if finished {
            assert_eq!(seen.last(), Some(&backed_up));
            break;
        }
        assert!(
            n < 50,
            "the restore never finished: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        seen.contains(&was_there) && seen.iter().filter(|s| **s == backed_up).count() > 1,
        "kills landed both before and inside the swap: {seen:?}"
    );
}
