//! Clean text in and out (R-X3): control characters are refused wherever people enter text,
//! replaced in what Microsoft Entra ID sends (and the run says so), never written to a CSV
//! file even from rows stored before the rule, and an error repeats at most 80 characters of
//! a value. The Entra test runs against the Graph simulator, with the secret in the real
//! keychain (run under scripts/with-keyring.sh).

use testkit::tenant::connected;
use uniasset_core::assets::{self, AssetEdit, AssetStatus, NewAsset};
use uniasset_core::audit::{self, AuditQuery};
use uniasset_core::directory::{self, ImportError, NewUser, Role, SignInMethod, UserEdit};
use uniasset_core::organization::{self, Plan};
use uniasset_core::sync::{self, LineOutcome, RunResult, Trigger};
use uniasset_core::{entra, ErrorCode};

/// NUL, CR, LF, ESC, DEL and a C1 control (CSI), each of which a name must not carry.
const CONTROLS: [char; 6] = ['\0', '\r', '\n', '\u{1b}', '\u{7f}', '\u{9b}'];

fn new_user(email: &str, name: &str) -> NewUser {
    NewUser {
        email: email.into(),
        display_name: name.into(),
        role: Role::Member,
        sign_in: SignInMethod::Password,
        entra_object_id: None,
    }
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

#[test]
fn adding_or_editing_a_user_refuses_control_characters() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    for c in CONTROLS {
        let name = format!("Mallory{c}Bcc: attacker@example.com");
        let e = directory::add_user(
            &mut org.store,
            &owner,
            &new_user("mallory@northwind.example", &name),
            None,
        )
        .unwrap_err();
        assert_eq!(e.code(), "invalid_user", "{c:?}");
        assert!(
            e.to_string()
                .contains("The name contains a control character (U+"),
            "{e}"
        );
        assert!(!has_control(&e.to_string()), "{e:?}");
        let e = directory::add_user(
            &mut org.store,
            &owner,
            &new_user(&format!("mal{c}lory@northwind.example"), "Mallory"),
            None,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("The email address contains a control character"),
            "{e}"
        );
    }
    assert_eq!(org.count("users"), 1, "nobody was added");

    let mia = org.add(
        "mia@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    let e = directory::edit_user(
        &mut org.store,
        &owner,
        mia.id,
        &UserEdit {
            display_name: "Mia\u{1b}]0;pwned\u{7}".into(),
            role: Role::Member,
            sign_in: SignInMethod::Password,
            entra_object_id: None,
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_user");
    assert!(
        e.to_string().contains("(U+001B, escape) at character 4"),
        "{e}"
    );
    assert_eq!(
        org.user("mia@northwind.example").display_name,
        mia.display_name
    );
}

#[test]
fn a_csv_import_names_the_line_and_column_of_a_control_character() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    let csv = "email,name,role,sign_in\n\
        ann@northwind.example,Ann,member,password\n\
        bob@northwind.example,Bob\u{1b}[2J,member,password\n\
        \"cy@northwind.example\",\"Cy\nBcc: attacker@example.com\",member,password\n\
        dee@northwind.example,Dee,mem\u{0}ber,password\n";
    let e = directory::import_csv(&mut org.store, &owner, csv.as_bytes()).unwrap_err();
    let ImportError::Rows(problems) = &e else {
        panic!("{e:?}")
    };
    let said: Vec<(u64, &str)> = problems
        .iter()
        .map(|p| (p.line, p.reason.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            (3, "The column \"name\" contains a control character (U+001B, escape) at character 4; remove it and try again."),
            (4, "The column \"name\" contains a control character (U+000A, line feed) at character 3; remove it and try again."),
            // Line 6 of the file: Cy's quoted name spans lines 4 and 5.
            (6, "The column \"role\" contains a control character (U+0000, null) at character 4; remove it and try again."),
        ]
    );
    assert!(!has_control(&e.to_string().replace('\n', "")), "{e:?}");
    assert_eq!(org.count("users"), 1, "nothing was imported");
}

#[test]
fn asset_fields_notes_and_file_names_refuse_control_characters() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    let refused = |r: Result<assets::Asset, assets::AssetError>| {
        let e = r.unwrap_err();
        assert_eq!(e.code(), "control_character", "{e}");
        assert!(
            e.to_string().contains("contains a control character"),
            "{e}"
        );
    };
    for new in [
        NewAsset::new("LAP\u{1b}-1", "Laptop"),
        NewAsset::new("LAP-1", "Laptop\r\nBcc: x"),
        NewAsset {
            category: Some("Lap\u{9b}tops".into()),
            ..NewAsset::new("LAP-1", "Laptop")
        },
        NewAsset {
            serial: Some("SN\u{0}1".into()),
            ..NewAsset::new("LAP-1", "Laptop")
        },
    ] {
        refused(assets::add_asset(&mut org.store, &owner, &new, None));
    }
    assert_eq!(org.count("assets"), 0);

    let laptop = assets::add_asset(
        &mut org.store,
        &owner,
        &NewAsset::new("LAP-1", "Laptop"),
        None,
    )
    .unwrap();
    refused(assets::edit_asset(
        &mut org.store,
        &owner,
        laptop.id,
        &AssetEdit {
            name: "Laptop\u{7f}".into(),
            category: None,
            serial: None,
            status: AssetStatus::InStock,
        },
    ));

    // A note is the one multi-line field: lines and tabs stay, an escape does not.
    let note = "Replaced the battery.\n\tCharger kept.";
    let logged = assets::add_maintenance_log(&mut org.store, &owner, laptop.id, note).unwrap();
    assert_eq!(logged.note, note);
    let e =
        assets::add_maintenance_log(&mut org.store, &owner, laptop.id, "ok\u{1b}[8m").unwrap_err();
    assert_eq!(e.code(), "control_character");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("receipt\u{1b}[1m.pdf");
    std::fs::write(&file, b"%PDF").unwrap();
    let e = assets::attach_document(&mut org.store, &owner, laptop.id, &file).unwrap_err();
    assert_eq!(e.code(), "control_character");
    assert!(
        e.to_string()
            .starts_with("The file name contains a control character"),
        "{e}"
    );
    assert_eq!(org.count("documents"), 0);
}

#[test]
fn the_organization_name_refuses_control_characters() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    let e = organization::rename(&mut org.store, &owner, "Northwind\u{1b}[5m").unwrap_err();
    assert_eq!(e.code(), "invalid_organization_name");
    assert_eq!(
        organization::get(&org.store).unwrap().name,
        "Northwind Traders"
    );
}

#[test]
fn a_megabyte_value_comes_back_as_a_short_error() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    let huge = "x".repeat(1 << 20);
    let short = |e: &dyn std::error::Error| {
        let text = e.to_string();
        assert!(
            text.chars().count() < 200,
            "{} characters",
            text.chars().count()
        );
        assert!(text.contains("…"), "{text}");
    };
    let e = directory::add_user(&mut org.store, &owner, &new_user(&huge, "Ann"), None).unwrap_err();
    short(&e);
    assert!(
        e.to_string().ends_with("…\" is not a valid email address."),
        "{e}"
    );
    short(&directory::find_by_email(&org.store, &huge).unwrap_err());
    short(&assets::find_by_tag(&org.store, &huge).unwrap_err());
    short(&"x".repeat(1 << 20).parse::<Role>().unwrap_err());
    let csv = format!("email,name,role,sign_in\nann@northwind.example,Ann,{huge},password\n");
    let e = directory::import_csv(&mut org.store, &owner, csv.as_bytes()).unwrap_err();
    short(&e);
    let csv = format!("email,{huge}\n");
    short(&directory::import_csv(&mut org.store, &owner, csv.as_bytes()).unwrap_err());
    let query = AuditQuery {
        since: Some(huge.clone()),
        ..AuditQuery::default()
    };
    short(&audit::export_csv(&org.store, &owner, &query, Vec::new()).unwrap_err());
}

#[test]
fn a_csv_export_carries_no_control_character_from_rows_stored_before_the_rule() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    let mia = org.add(
        "mia@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    // As a database from before the rule may hold it.
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    conn.execute(
        "UPDATE users SET display_name = ?1 WHERE id = ?2",
        rusqlite::params!["Mia\u{1b}[31m\r\nevil,=1+1", mia.id],
    )
    .unwrap();
    directory::deactivate(&mut org.store, &owner, mia.id).unwrap();
    let mut csv = Vec::new();
    audit::export_csv(&org.store, &owner, &AuditQuery::default(), &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("Mia [31m  evil,=1+1"), "{csv}");
    assert!(!has_control(&csv.replace('\n', "")), "{csv:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn names_from_entra_with_control_characters_are_stored_clean_and_the_run_says_so() {
    let mut t = connected(Plan::Enterprise).await;
    let owner = t.org.owner();
    entra::set_auto_deprovision(&mut t.org.store, &owner, true).unwrap();
    let first = testkit::tenant::automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert_eq!(first.result, RunResult::Succeeded, "{first:?}");
    entra::set_auto_add_users(&mut t.org.store, &owner, true).unwrap();
    // Created after the setting was turned on: a new account, added by the next run.
    let nina = t
        .sim
        .add_user("nina@contoso.com", Some("nina@contoso.com"), true);
    t.sim
        .set_display_name(&nina, "Nina\u{1b}[31m\r\nBcc: attacker@example.com\u{0}");
    let plain = t
        .sim
        .add_user("paul@contoso.com", Some("paul@contoso.com"), true);
    t.sim.set_display_name(&plain, "Paul Plain");

    let run = testkit::tenant::automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert_eq!(run.result, RunResult::Succeeded, "{run:?}");
    let stored = t.org.user("nina@contoso.com");
    assert_eq!(stored.display_name, "Nina [31m  Bcc: attacker@example.com");
    let line = |email: &str| {
        run.lines
            .iter()
            .find(|l| l.email == email && l.outcome == LineOutcome::Added)
            .unwrap_or_else(|| panic!("{email} added: {run:?}"))
    };
    assert!(
        line("nina@contoso.com")
            .detail
            .contains("sent their name or address with control characters; UniAsset replaced them with spaces"),
        "{run:?}"
    );
    assert!(
        !line("paul@contoso.com").detail.contains("control"),
        "{run:?}"
    );
    let kept = sync::run(&t.org.store, run.id.unwrap()).unwrap().unwrap();
    assert_eq!(kept.lines, run.lines, "the stored run says so too");
}
