//! CSV import: all rows valid or nothing imported, every bad row reported with its line.

use uniasset_core::directory::{self, ImportError, Role, UserStatus};
use uniasset_core::organization::Plan;
use uniasset_core::ErrorCode;

fn import(org: &mut testkit::Org, csv: &str) -> Result<u32, ImportError> {
    let owner = org.owner();
    directory::import_csv(&mut org.store, &owner, csv.as_bytes()).map(|s| s.imported)
}

#[test]
fn imports_a_valid_file() {
    let mut org = testkit::org(Plan::Enterprise);
    let csv = "\u{feff}email,name,role,sign_in,entra_object_id\n\
        ann@northwind.example,Ann Lee,admin,password,\n\
        bob@northwind.example,\"Bob, Jr.\",member,microsoft,6F1D1B3A-95B5-4B5C-9C8A-2E7B3C1E0A11\n\
        \n\
        cy@northwind.example,Cy,MEMBER,google,\n";
    assert_eq!(import(&mut org, csv).unwrap(), 3);
    let bob = org.user("bob@northwind.example");
    assert_eq!(bob.display_name, "Bob, Jr.");
    assert_eq!(
        bob.entra_object_id.as_deref(),
        Some("6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a11")
    );
    assert_eq!(bob.status, UserStatus::Active);
    assert_eq!(org.count("users"), 4);
}

#[test]
fn a_malformed_file_imports_nothing_and_reports_every_bad_row() {
    let mut org = testkit::org(Plan::Enterprise);
    let csv = "email,name,role,sign_in,entra_object_id\n\
        good@northwind.example,Good,member,password,\n\
        not-an-email,Bad Email,member,password,\n\
        boss@northwind.example,Boss,boss,password,\n\
        g@northwind.example,G,member,google,6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a11\n\
        short@northwind.example,Short\n\
        GOOD@northwind.example,Again,member,password,\n\
        olivia@northwind.example,Dup Of Owner,member,password,\n\
        m@northwind.example,M,member,microsoft,not-a-guid\n";
    let err = import(&mut org, csv).unwrap_err();
    assert_eq!(err.code(), "invalid_csv");
    let ImportError::Rows(problems) = &err else {
        panic!("{err:?}")
    };
    let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
    // Every bad row at once, in line order: a clash with an existing user (line 8) too.
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 9], "{err}");
    assert!(problems[0]
        .reason
        .contains("\"not-an-email\" is not a valid email address"));
    assert!(problems[1].reason.contains("Unknown role \"boss\""));
    assert!(problems[2]
        .reason
        .contains("nly users who sign in with Microsoft can have an Entra object id"));
    assert!(problems[3].reason.contains("expected 5 fields, found 2"));
    assert!(problems[4].reason.contains("also on line 2"));
    assert!(problems[5].reason.contains("already exists"));
    assert!(problems[6].reason.contains("not an Entra object id"));
    assert!(err.to_string().contains("nothing was imported"));
    assert_eq!(org.count("users"), 1, "nothing imported");
}

#[test]
fn a_clash_with_an_existing_user_imports_nothing() {
    let mut org = testkit::org(Plan::Enterprise);
    let csv = "email,name,role,sign_in\nnew@northwind.example,New,member,password\nOlivia@northwind.example,Dup,member,password\n";
    let err = import(&mut org, csv).unwrap_err();
    let ImportError::Rows(problems) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 3);
    assert!(problems[0].reason.contains("already exists"));
    assert_eq!(org.count("users"), 1);
}

#[test]
fn header_problems_are_named() {
    let mut org = testkit::org(Plan::Enterprise);
    for (csv, says) in [
        ("mail,name,role,sign_in\n", "unknown column \"mail\""),
        (
            "email,name,role\nx@y.example,X,member\n",
            "missing column(s) sign_in",
        ),
        ("email,email,name,role,sign_in\n", "appears twice"),
    ] {
        let err = import(&mut org, csv).unwrap_err();
        assert!(matches!(err, ImportError::Header(_)), "{err:?}");
        assert!(err.to_string().contains(says), "{err}");
    }
    assert!(matches!(
        import(&mut org, "email,name,role,sign_in\n").unwrap_err(),
        ImportError::Empty
    ));
    assert!(matches!(
        import(&mut org, "").unwrap_err(),
        ImportError::Header(_)
    ));
}

#[test]
fn binary_garbage_is_reported_not_imported() {
    let mut org = testkit::org(Plan::Enterprise);
    let owner = org.owner();
    let mut bytes = b"email,name,role,sign_in\n".to_vec();
    bytes.extend_from_slice(&[
        0xff, 0xfe, 0x00, 0x41, b',', b'b', b',', b'c', b',', b'd', b'\n',
    ]);
    let err = directory::import_csv(&mut org.store, &owner, &bytes[..]).unwrap_err();
    let ImportError::Rows(problems) = &err else {
        panic!("{err:?}")
    };
    assert!(problems[0].reason.contains("UTF-8"));
    assert_eq!(org.count("users"), 1);
}

fn file(org: &testkit::Org, name: &str, text: &str) -> std::path::PathBuf {
    let path = org.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_preview_shows_every_row_and_every_problem_and_imports_nothing() {
    let mut org = testkit::org(Plan::Enterprise);
    let owner = org.owner();
    let path = file(
        &org,
        "people.csv",
        "email,name,role,sign_in,entra_object_id\n\
         ann@northwind.example, Ann Lee ,admin,password,\n\
         bad-address,Bad,member,password,\n\
         bob@northwind.example,Bob,member,microsoft,6F1D1B3A-95B5-4B5C-9C8A-2E7B3C1E0A11\n\
         Olivia@northwind.example,Dup,member,password,\n\
         cy@northwind.example,Cy,chief,google,\n",
    );
    let audit_before = org.count("audit_entries");
    let preview = directory::preview_import_file(&org.store, &owner, &path).unwrap();
    let rows: Vec<(u64, &str, &str)> = preview
        .rows
        .iter()
        .map(|r| (r.line, r.user.email.as_str(), r.user.display_name.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (2, "ann@northwind.example", "Ann Lee"),
            (4, "bob@northwind.example", "Bob"),
        ]
    );
    assert_eq!(preview.rows[0].user.role, Role::Admin);
    assert_eq!(
        preview.rows[1].user.entra_object_id.as_deref(),
        Some("6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a11"),
        "as it will be stored"
    );
    let problems: Vec<(u64, &str)> = preview
        .problems
        .iter()
        .map(|p| (p.line, p.reason.as_str()))
        .collect();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert_eq!(problems[0].0, 3);
    assert!(problems[0].1.contains("not a valid email address"));
    assert_eq!(problems[1].0, 5);
    assert!(problems[1].1.contains("already exists"));
    assert_eq!(problems[2].0, 6);
    assert!(problems[2].1.contains("Unknown role \"chief\""));
    assert_eq!(
        (org.count("users"), org.count("audit_entries")),
        (1, audit_before)
    );

    // Importing the same file refuses it whole, with the same problems.
    let err = directory::import_file(&mut org.store, &owner, &path).unwrap_err();
    let ImportError::Rows(same) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(same, &preview.problems);
    assert_eq!(org.count("users"), 1, "nothing imported");
}

#[test]
fn a_clean_preview_imports_as_shown() {
    let mut org = testkit::org(Plan::Enterprise);
    let owner = org.owner();
    let path = file(
        &org,
        "good.csv",
        "email,name,role,sign_in\nann@northwind.example,Ann,member,google\nbo@northwind.example,Bo,admin,password\n",
    );
    let preview = directory::preview_import_file(&org.store, &owner, &path).unwrap();
    assert_eq!(preview.rows.len(), 2);
    assert!(preview.problems.is_empty());
    let summary = directory::import_file(&mut org.store, &owner, &path).unwrap();
    assert_eq!(summary.imported, 2);
    assert_eq!(org.user("bo@northwind.example").role, Role::Admin);
    // Now every row clashes with the users it made.
    let again = directory::preview_import_file(&org.store, &owner, &path).unwrap();
    assert!(again.rows.is_empty());
    assert_eq!(again.problems.len(), 2);
}

#[test]
fn an_unreadable_path_says_why_and_a_bad_header_is_an_error() {
    let mut org = testkit::org(Plan::Enterprise);
    let owner = org.owner();
    let missing = org.dir.path().join("nowhere.csv");
    let err = directory::preview_import_file(&org.store, &owner, &missing).unwrap_err();
    assert_eq!(err.code(), "unreadable_file");
    assert!(matches!(err, ImportError::Unreadable(_)));
    assert!(
        err.to_string().contains("nowhere.csv") && err.to_string().contains("No such file"),
        "{err}"
    );
    let err = directory::import_file(&mut org.store, &owner, &missing).unwrap_err();
    assert_eq!(err.code(), "unreadable_file");
    let err = directory::preview_import_file(&org.store, &owner, org.dir.path()).unwrap_err();
    assert_eq!(
        err.code(),
        "unreadable_file",
        "a directory is no file: {err}"
    );

    let path = file(&org, "bad.csv", "mail,name\nx@y.example,X\n");
    let err = directory::preview_import_file(&org.store, &owner, &path).unwrap_err();
    assert!(matches!(err, ImportError::Header(_)), "{err:?}");
    assert_eq!(org.count("users"), 1);
}

#[test]
fn previews_follow_the_import_rules() {
    let org = testkit::team(Plan::Enterprise);
    let path = file(
        &org,
        "owners.csv",
        "email,name,role,sign_in\nnew@northwind.example,New,owner,google\n",
    );
    let err =
        directory::preview_import_file(&org.store, &org.actor("mia@northwind.example"), &path)
            .unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    let err =
        directory::preview_import_file(&org.store, &org.actor("adam@northwind.example"), &path)
            .unwrap_err();
    assert_eq!(err.code(), "needs_owner");
    assert_eq!(
        directory::preview_import_file(&org.store, &org.owner(), &path)
            .unwrap()
            .rows
            .len(),
        1
    );
}
