//! The real `uniasset` binary against real data directories: output, JSON, exit codes.

use std::path::Path;

use crate::common::{add_member, json, ok, run};
use serde_json::Value;

const PW: &str = "plum orchard lantern 42";

fn init(dir: &Path) {
    crate::common::init(dir, "enterprise", Some(PW));
}

fn user_count(dir: &Path) -> usize {
    json(dir, &["users", "list"]).as_array().unwrap().len()
}

#[test]
fn init_then_show() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let org = json(dir.path(), &["org", "show"]);
    assert_eq!(org["name"], "Northwind");
    assert_eq!(org["plan"], "enterprise");
    assert_eq!(org["users"]["active"], 1);
    let text = ok(dir.path(), &["org", "show"]);
    assert!(text.contains("Plan:      Enterprise"), "{text}");
}

#[test]
fn an_owner_without_a_password_is_told_to_set_one() {
    let dir = tempfile::tempdir().unwrap();
    let text = ok(
        dir.path(),
        &[
            "org",
            "init",
            "--name",
            "N",
            "--plan",
            "free",
            "--owner-email",
            "o@n.example",
            "--owner-name",
            "O",
        ],
    );
    assert!(
        text.contains("users set-password o@n.example --password-stdin"),
        "{text}"
    );
    let out = run(
        dir.path(),
        &["users", "set-password", "o@n.example", "--password-stdin"],
        "granite willow comet 9\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn users_add_list_deactivate_reactivate() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    ok(
        dir.path(),
        &add_member(
            "mia@northwind.example",
            "Mia",
            "microsoft",
            Some("6F1D1B3A-95B5-4B5C-9C8A-2E7B3C1E0A11"),
        ),
    );
    let deactivated = json(
        dir.path(),
        &["users", "deactivate", "mia@northwind.example"],
    );
    assert_eq!(deactivated["status"], "deactivated");
    assert_eq!(deactivated["deactivated_by"], "command line");

    let list = json(dir.path(), &["users", "list", "--status", "deactivated"]);
    let users = list.as_array().unwrap();
    assert_eq!(users.len(), 1);
    let mia = &users[0];
    for field in [
        "email",
        "role",
        "sign_in",
        "entra_object_id",
        "status",
        "deactivation_reason",
    ] {
        assert!(mia.get(field).is_some(), "users list --json lacks {field}");
    }
    assert_eq!(
        mia["entra_object_id"],
        "6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a11"
    );
    assert_eq!(mia["deactivation_reason"], "manual");
    assert!(ok(dir.path(), &["users", "list"]).contains("deactivated (deactivated manually)"));

    let back = json(
        dir.path(),
        &["users", "reactivate", "MIA@northwind.example"],
    );
    assert_eq!(back["status"], "active");
}

#[test]
fn failures_exit_1_with_the_core_message_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let dup = run(
        dir.path(),
        &add_member("OLIVIA@northwind.example", "X", "password", None),
        "",
    );
    assert_eq!(dup.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&dup.stderr).trim(),
        "uniasset: A user with the email OLIVIA@northwind.example already exists."
    );

    let last = run(
        dir.path(),
        &["--json", "users", "deactivate", "olivia@northwind.example"],
        "",
    );
    assert_eq!(last.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&last.stdout).unwrap();
    assert_eq!(err["error"]["code"], "last_owner");

    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, "email,name,role,sign_in,entra_object_id\nok@n.example,Ok,member,password,\nbad,Bad,chief,password,\n").unwrap();
    let import = run(dir.path(), &["users", "import", csv.to_str().unwrap()], "");
    assert_eq!(import.status.code(), Some(1));
    let said = String::from_utf8_lossy(&import.stderr);
    assert!(
        said.contains("line 3:") && said.contains("Unknown role \"chief\""),
        "{said}"
    );
    assert_eq!(user_count(dir.path()), 1, "nothing imported");

    let missing = run(dir.path(), &["users", "import", "/nonexistent/x.csv"], "");
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(user_count(dir.path()), 1);
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    for args in [
        vec![],
        vec![
            "users",
            "add",
            "--email",
            "x@n.example",
            "--name",
            "X",
            "--role",
            "boss",
            "--sign-in",
            "password",
        ],
        vec![
            "org",
            "init",
            "--name",
            "N",
            "--plan",
            "platinum",
            "--owner-email",
            "a@b.example",
            "--owner-name",
            "A",
        ],
        vec!["users", "list", "--status", "sleeping"],
        vec!["users", "frobnicate"],
    ] {
        let out = run(dir.path(), &args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = run(
        dir.path(),
        &[
            "users",
            "set-password",
            "olivia@northwind.example",
            "--password-stdin",
        ],
        "",
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "an empty password on stdin is bad usage"
    );
    assert_eq!(user_count(dir.path()), 1);
}

#[test]
fn weak_passwords_and_empty_names_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let weak = run(
        dir.path(),
        &[
            "org",
            "init",
            "--name",
            "N",
            "--plan",
            "team",
            "--owner-email",
            "o@n.example",
            "--owner-name",
            "O",
            "--owner-password-stdin",
        ],
        "password1\n",
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
    let empty = run(
        dir.path(),
        &[
            "org",
            "init",
            "--name",
            "  ",
            "--plan",
            "team",
            "--owner-email",
            "o@n.example",
            "--owner-name",
            "O",
        ],
        "",
    );
    assert_eq!(empty.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&empty.stderr).trim(),
        "uniasset: The organization needs a name."
    );
    let show = run(dir.path(), &["org", "show"], "");
    assert_eq!(show.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&show.stderr).contains("No organization is set up"));
}

#[test]
fn data_dir_flag_wins_over_the_environment() {
    let env_dir = tempfile::tempdir().unwrap();
    let flag_dir = tempfile::tempdir().unwrap();
    init(env_dir.path());
    let out = run(
        env_dir.path(),
        &[
            "--data-dir",
            flag_dir.path().to_str().unwrap(),
            "org",
            "show",
        ],
        "",
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the flag's empty directory has no organization"
    );
    assert!(
        !flag_dir.path().join("uniasset.db").exists(),
        "and it stays empty"
    );
}

#[test]
fn commands_in_a_mistyped_directory_say_so_and_create_nothing() {
    let parent = tempfile::tempdir().unwrap();
    let typo = parent.path().join("uniasest");
    let typo_arg = typo.to_str().unwrap();
    let empty = parent.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for dir in [&typo, &empty] {
        for args in [
            vec!["org", "show"],
            vec!["users", "list"],
            vec!["users", "deactivate", "a@b.example"],
            vec!["users", "set-password", "a@b.example", "--password-stdin"],
            vec!["entra", "runs"],
            vec!["entra", "test"],
            vec!["entra", "sync", "--dry-run"],
        ] {
            let out = run(dir, &args, "granite willow comet 9\n");
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            assert_eq!(
                String::from_utf8_lossy(&out.stderr).trim(),
                format!(
                    "uniasset: No organization is set up in {}: it holds no UniAsset database. \
                     Check the data directory (--data-dir or UNIASSET_DATA_DIR), or create an organization with `uniasset org init`.",
                    dir.display()
                ),
                "{args:?}"
            );
        }
    }
    let out = run(
        parent.path(),
        &["--json", "--data-dir", typo_arg, "users", "list"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["code"], "organization_missing");
    assert!(!typo.exists(), "no directory was created");
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "no file was created"
    );

    // `org init` is the one command that makes the directory.
    init(&typo);
    assert_eq!(json(&typo, &["org", "show"])["name"], "Northwind");
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn the_data_is_readable_only_by_its_owner_and_a_loose_directory_is_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("data");
    init(&dir);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("uniasset.db")), 0o600);

    // As an older version left it.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        dir.join("uniasset.db"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = run(&dir, &["--json", "users", "list"], "");
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!(
            "uniasset: Made {} readable only by its owner (permissions 0755 → 0700).",
            dir.display()
        )) && said.contains("uniasset.db readable only by its owner (permissions 0644 → 0600)."),
        "{said}"
    );
    let users: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 1, "stdout is still JSON");
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("uniasset.db")), 0o600);
    let again = run(&dir, &["users", "list"], "");
    assert!(again.stderr.is_empty(), "said once");
}

#[test]
fn a_corrupt_database_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("uniasset.db");
    let junk = vec![0x42u8; 8192];
    std::fs::write(&db, &junk).unwrap();
    let out = run(dir.path(), &["users", "list"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is damaged or is not a UniAsset database")
    );
    assert_eq!(std::fs::read(&db).unwrap(), junk);
}

#[test]
fn the_audit_trail_says_command_line() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    ok(
        dir.path(),
        &[
            "users",
            "add",
            "--email",
            "a@northwind.example",
            "--name",
            "A",
            "--role",
            "admin",
            "--sign-in",
            "google",
        ],
    );
    let conn = rusqlite::Connection::open(dir.path().join("uniasset.db")).unwrap();
    let actors: Vec<String> = conn
        .prepare("SELECT actor_label FROM audit_entries ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(actors, vec!["command line", "command line"]);
}

fn add_mia(dir: &Path) {
    ok(
        dir,
        &add_member("mia@northwind.example", "Mia", "password", None),
    );
}

/// Every user's fields and the audit trail's length, which a refused edit leaves alone.
fn snapshot(dir: &Path) -> (Value, i64) {
    let audit: i64 = rusqlite::Connection::open(dir.join("uniasset.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM audit_entries", [], |r| r.get(0))
        .unwrap();
    (json(dir, &["users", "list"]), audit)
}

#[test]
fn users_edit_overlays_the_flags_and_says_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    add_mia(dir.path());
    let text = ok(
        dir.path(),
        &[
            "users",
            "edit",
            "MIA@northwind.example",
            "--name",
            "Mia Lopez",
            "--role",
            "admin",
        ],
    );
    assert_eq!(
        text.trim(),
        "Changed mia@northwind.example: name: Mia → Mia Lopez; role: Member → Admin."
    );
    let linked = json(
        dir.path(),
        &[
            "users",
            "edit",
            "mia@northwind.example",
            "--sign-in",
            "microsoft",
            "--entra-id",
            "6F1D1B3A-95B5-4B5C-9C8A-2E7B3C1E0A11",
        ],
    );
    assert_eq!(
        linked["display_name"], "Mia Lopez",
        "unmentioned fields stay"
    );
    assert_eq!(linked["role"], "admin");
    assert_eq!(linked["sign_in"], "microsoft");
    assert_eq!(
        linked["entra_object_id"],
        "6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a11"
    );
    let unlinked = json(
        dir.path(),
        &[
            "users",
            "edit",
            "mia@northwind.example",
            "--sign-in",
            "google",
            "--entra-id",
            "",
        ],
    );
    assert_eq!(unlinked["entra_object_id"], Value::Null);
    let same = ok(
        dir.path(),
        &["users", "edit", "mia@northwind.example", "--role", "admin"],
    );
    assert_eq!(same.trim(), "Nothing changed for mia@northwind.example.");

    let conn = rusqlite::Connection::open(dir.path().join("uniasset.db")).unwrap();
    let (actor, detail): (String, String) = conn
        .query_row(
            "SELECT actor_label, detail FROM audit_entries WHERE action = 'user.edited' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(actor, "command line");
    assert_eq!(detail, "name: Mia → Mia Lopez; role: Member → Admin");
}

#[test]
fn users_edit_refusals_exit_1_or_2_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    add_mia(dir.path());
    ok(
        dir.path(),
        &add_member(
            "bo@northwind.example",
            "Bo",
            "microsoft",
            Some("6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a11"),
        ),
    );
    let before = snapshot(dir.path());

    for args in [
        vec!["users", "edit", "mia@northwind.example", "--role", "boss"],
        vec![
            "users",
            "edit",
            "mia@northwind.example",
            "--sign-in",
            "ldap",
        ],
        vec!["users", "edit", "mia@northwind.example"],
        vec!["users", "edit", "--role", "admin"],
    ] {
        let out = run(dir.path(), &args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let said = String::from_utf8_lossy(
        &run(
            dir.path(),
            &["users", "edit", "mia@northwind.example", "--role", "boss"],
            "",
        )
        .stderr,
    )
    .into_owned();
    assert!(said.contains("boss"), "{said}");

    let fails = |args: &[&str], code: &str, message: &str| {
        let out = run(dir.path(), args, "");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).trim(),
            format!("uniasset: {message}"),
            "{args:?}"
        );
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        let out = run(dir.path(), &with_json, "");
        assert_eq!(out.status.code(), Some(1));
        let err: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(err["error"]["code"], code, "{args:?}");
    };
    fails(
        &["users", "edit", "olivia@northwind.example", "--role", "admin"],
        "last_owner",
        "olivia@northwind.example is the last active Owner and must stay an Owner. Make another user an Owner first.",
    );
    fails(
        &[
            "users",
            "edit",
            "mia@northwind.example",
            "--sign-in",
            "microsoft",
            "--entra-id",
            "6F1D1B3A-95B5-4B5C-9C8A-2E7B3C1E0A11",
        ],
        "duplicate_entra_id",
        "Another user is already linked to the Entra object id 6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a11.",
    );
    fails(
        &["users", "edit", "nobody@northwind.example", "--name", "X"],
        "unknown_user",
        "No user has the email nobody@northwind.example.",
    );
    fails(
        &[
            "users",
            "edit",
            "mia@northwind.example",
            "--entra-id",
            "6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a12",
        ],
        "invalid_user",
        "Only users who sign in with Microsoft can have an Entra object id.",
    );
    assert_eq!(snapshot(dir.path()), before, "nothing changed");
}

#[test]
fn version_is_the_workspace_version() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_uniasset"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("uniasset {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// What `uniasset` printed, with every control character but its line breaks (R-X3).
fn controls_in(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect()
}

#[test]
fn names_with_control_characters_are_refused_at_every_command() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    ok(
        dir.path(),
        &add_member("mia@northwind.example", "Mia", "password", None),
    );
    // An argument cannot hold NUL; ESC, CR, LF and DEL can.
    for name in ["Eve\u{1b}[2J", "Eve\r\nBcc: x@example.com", "Eve\u{7f}"] {
        let out = run(
            dir.path(),
            &add_member("eve@northwind.example", name, "password", None),
            "",
        );
        assert_eq!(out.status.code(), Some(1));
        let said = String::from_utf8(out.stderr).unwrap();
        assert!(
            said.contains("The name contains a control character"),
            "{said}"
        );
        assert!(controls_in(&said).is_empty(), "{said:?}");
        let out = run(
            dir.path(),
            &["users", "edit", "mia@northwind.example", "--name", name],
            "",
        );
        assert_eq!(out.status.code(), Some(1), "{name:?}");
        let out = run(
            dir.path(),
            &["assets", "add", "--tag", "LAP-1", "--name", name],
            "",
        );
        assert_eq!(out.status.code(), Some(1), "{name:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("control character"));
    }
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "email,name,role,sign_in\neve@northwind.example,Eve\u{0},member,password\n",
    )
    .unwrap();
    let out = run(dir.path(), &["users", "import", file.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.contains("line 2: The column \"name\" contains a control character (U+0000, null)"),
        "{said}"
    );
    assert_eq!(user_count(dir.path()), 2, "nobody was added");
    assert_eq!(
        json(dir.path(), &["users", "list"])[0]["display_name"],
        "Mia"
    );
}

#[test]
fn users_list_prints_no_control_character_even_from_a_row_stored_before_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    ok(
        dir.path(),
        &add_member("mia@northwind.example", "Mia", "password", None),
    );
    let raw = "Mia\u{1b}]0;owned\u{7}\u{1b}[2J\r\nroot@northwind.example  FAKE\u{0}";
    rusqlite::Connection::open(dir.path().join("uniasset.db"))
        .unwrap()
        .execute(
            "UPDATE users SET display_name = ?1 WHERE email = 'mia@northwind.example'",
            [raw],
        )
        .unwrap();
    let text = ok(dir.path(), &["users", "list"]);
    assert!(controls_in(&text).is_empty(), "{text:?}");
    assert_eq!(text.lines().count(), 3, "a header and two rows: {text}");
    assert!(
        text.contains("Mia ]0;owned  [2J  root@northwind.example  FAKE "),
        "{text}"
    );
    // JSON keeps the stored text, escaped by JSON itself.
    let users = json(dir.path(), &["users", "list"]);
    assert!(users.to_string().contains("\\u001b]0;owned"), "{users}");
    let said = String::from_utf8(
        run(
            dir.path(),
            &["users", "deactivate", "mia@northwind.example"],
            "",
        )
        .stdout,
    )
    .unwrap();
    assert!(controls_in(&said).is_empty(), "{said:?}");
}

#[test]
fn a_huge_value_comes_back_as_a_short_error() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    // A megabyte through a file; an argument holds at most 128 KiB.
    let huge = "x".repeat(1 << 20);
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        format!("email,name,role,sign_in\n{huge},Eve,member,password\n"),
    )
    .unwrap();
    let out = run(dir.path(), &["users", "import", file.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.chars().count() < 200, "{} characters", said.len());
    assert!(
        said.contains("xxx…\" is not a valid email address"),
        "{said}"
    );

    let long = "y".repeat(100_000);
    let said = crate::common::fails(dir.path(), &["users", "deactivate", &long], 1);
    assert!(said.chars().count() < 200, "{} characters", said.len());
    assert!(said.contains("yyy…"), "{said}");
    // clap repeats a refused value twice (its words and the core's): each at most 80.
    let said = crate::common::fails(
        dir.path(),
        &[
            "users",
            "add",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            &long,
            "--sign-in",
            "password",
        ],
        2,
    );
    assert!(said.chars().count() < 300, "{} characters", said.len());
    assert!(said.contains("yyy…' for '--role <ROLE>'"), "{said}");
    let said = crate::common::fails(dir.path(), &["entra", "check-interval", &long], 2);
    assert!(said.chars().count() < 300, "{} characters", said.len());
}
