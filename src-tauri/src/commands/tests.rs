//! Each command's role and plan checks, through Tauri's IPC on a mock runtime with a real
//! data directory: a Member is refused everything an Owner or Admin alone may do, nobody
//! signed in is refused everything but sign-in, and the plan rule holds for the toggle.

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};
use uniasset_core::access::Actor;
use uniasset_core::organization::Plan;
use uniasset_core::password::Password;
use uniasset_core::sessions;

use crate::state::AppState;

/// Everyone's password: the Owner's in the testkit's Northwind, and set for the others.
const PASSWORD: &str = testkit::OWNER_PASSWORD;

struct Window {
    _dir: tempfile::TempDir,
    webview: WebviewWindow<tauri::test::MockRuntime>,
}

fn window(plan: Plan) -> Window {
    let testkit::Org { dir, mut store } = testkit::team(plan);
    for email in [testkit::ADMIN_EMAIL, testkit::MEMBER_EMAIL] {
        sessions::set_password(
            &mut store,
            &Actor::CommandLine,
            email,
            &Password::new(PASSWORD),
        )
        .unwrap();
    }
    drop(store);
    window_on(dir)
}

/// The window over whatever `dir` holds (nothing, for first-run setup).
fn window_on(dir: tempfile::TempDir) -> Window {
    let app = mock_builder()
        .manage(AppState::new(Some(dir.path().to_owned())))
        .manage(crate::sync_runner::SyncRunner::new(Some(
            dir.path().to_owned(),
        )))
        .invoke_handler(super::handler())
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Window { _dir: dir, webview }
}

impl Window {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|b| b.deserialize::<Value>().unwrap())
    }

    fn code(&self, cmd: &str, args: Value) -> String {
        let err = self.call(cmd, args).expect_err(cmd);
        err["code"]
            .as_str()
            .unwrap_or_else(|| panic!("{cmd}: {err}"))
            .to_owned()
    }

    fn sign_in(&self, email: &str) {
        self.call("sign_in", json!({ "email": email, "password": PASSWORD }))
            .unwrap();
    }
}

fn guard() -> Value {
    json!({ "min_users": 5, "percent": 20 })
}

fn connection() -> Value {
    json!({ "tenant": "contoso.onmicrosoft.com", "client_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "cloud": "global", "login_url": null, "graph_url": null, "secret_expires_on": null })
}

#[test]
fn members_are_refused_what_only_owners_and_admins_may_do() {
    let w = window(Plan::Enterprise);
    w.sign_in("mia@northwind.example");
    let olivia = 1;
    for (cmd, args) in [
        ("entra_overview", json!({})),
        (
            "entra_test",
            json!({ "input": connection(), "secret": "s" }),
        ),
        (
            "entra_connect",
            json!({ "input": connection(), "secret": "s" }),
        ),
        ("entra_disconnect", json!({})),
        (
            "entra_save",
            json!({ "autoDeprovision": true, "guard": guard() }),
        ),
        ("sync_now", json!({})),
        ("preview_run", json!({})),
        ("run_details", json!({ "runId": 1 })),
        ("apply_held", json!({ "runId": 1 })),
        ("dismiss_held", json!({ "runId": 1 })),
        ("match_accounts", json!({})),
        ("frequent_checks", json!({})),
        ("save_check_interval", json!({ "minutes": 15 })),
        ("deactivate_user", json!({ "userId": olivia })),
        (
            "reactivate_user",
            json!({ "userId": olivia, "confirmed": true }),
        ),
        // Refused before the login item is touched (the mock app has no autostart plugin).
        ("set_autostart", json!({ "enabled": true })),
        ("set_idle_timeout", json!({ "minutes": 480 })),
        (
            "add_asset",
            json!({ "asset": { "tag": "LAP-1", "name": "Laptop", "category": null, "serial": null },
                    "assignTo": null }),
        ),
        (
            "assign_asset",
            json!({ "assetId": 1, "userId": olivia, "note": null }),
        ),
        ("check_in_asset", json!({ "assetId": 1, "note": null })),
        ("leavers", json!({})),
        ("evidence", json!({ "since": null, "until": null })),
        ("email_settings", json!({})),
        ("send_test_email", json!({})),
        ("clear_email_settings", json!({})),
        ("audit_log", json!({ "query": {} })),
        ("entra_set_auto_add", json!({ "on": true })),
        ("diagnostics", json!({})),
        ("open_logs_folder", json!({})),
        ("put_away_checklist", json!({})),
    ] {
        assert_eq!(w.code(cmd, args), "needs_admin", "{cmd}");
    }
    // What a member may do: see people and assets.
    assert!(w
        .call(
            "list_users",
            json!({ "query": { "status": null, "search": null, "role": null, "sign_in": null } })
        )
        .is_ok());
    assert!(w.call("user_details", json!({ "userId": olivia })).is_ok());
    assert!(w
        .call(
            "list_assets",
            json!({ "query": { "assigned_to": null, "search": null, "status": null } })
        )
        .is_ok());
    assert!(w.call("leaver_count", json!({})).is_ok());
    // Home, without the job's items: those are the Owners' and Admins'.
    let home = w.call("home", json!({})).unwrap();
    assert_eq!(home["manages"], false);
    assert_eq!(home["items"], json!([]));
}

/// Frequent checks: an Admin sets them; the core's range holds; they cannot be turned on
/// while auto-deprovisioning is off, and the Entra page is told why before anyone tries.
#[test]
fn an_admin_sets_how_often_entra_is_checked() {
    let w = window(Plan::Enterprise);
    w.sign_in("adam@northwind.example");
    assert_eq!(
        w.code("save_check_interval", json!({ "minutes": 5 })),
        "needs_auto_deprovision"
    );
    let checks = w.call("frequent_checks", json!({})).unwrap();
    assert_eq!(checks["every_minutes"], Value::Null, "nothing saved");
    assert!(
        checks["turn_on_refused"]
            .as_str()
            .is_some_and(|why| why.contains("auto-deprovisioning")),
        "{checks}"
    );
    assert_eq!(
        w.code("save_check_interval", json!({ "minutes": 61 })),
        "invalid_check_interval"
    );
    let off = w
        .call("save_check_interval", json!({ "minutes": null }))
        .unwrap();
    assert_eq!(off["check_every_minutes"], Value::Null);
}

#[test]
fn nobody_signed_in_gets_nothing_but_the_status_and_sign_in() {
    let w = window(Plan::Enterprise);
    assert!(w.call("app_status", json!({})).is_ok());
    for (cmd, args) in [
        (
            "list_users",
            json!({ "query": { "status": null, "search": null, "role": null, "sign_in": null } }),
        ),
        (
            "list_assets",
            json!({ "query": { "assigned_to": null, "search": null, "status": null } }),
        ),
        ("user_details", json!({ "userId": 1 })),
        ("leavers", json!({})),
        ("evidence", json!({ "since": null, "until": null })),
        ("email_settings", json!({})),
        ("audit_log", json!({ "query": {} })),
        ("entra_overview", json!({})),
        ("sync_now", json!({})),
        ("deactivate_user", json!({ "userId": 2 })),
        ("set_autostart", json!({ "enabled": true })),
        ("set_idle_timeout", json!({ "minutes": 30 })),
        ("diagnostics", json!({})),
        ("open_logs_folder", json!({})),
    ] {
        assert_eq!(w.code(cmd, args), "session_ended", "{cmd}");
    }
}

#[test]
fn general_shows_the_version_and_admins_get_the_diagnostics() {
    let w = window(Plan::Team);
    // The version needs nobody signed in.
    assert_eq!(
        w.call("app_version", json!({})).unwrap(),
        env!("CARGO_PKG_VERSION")
    );
    w.sign_in("adam@northwind.example");
    let text = w.call("diagnostics", json!({})).unwrap();
    let text = text.as_str().unwrap();
    assert!(
        text.starts_with(&format!("UniAsset Desktop {}\n", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(
        text.contains(&format!("Data directory: {}", w._dir.path().display())),
        "{text}"
    );
    assert!(
        text.contains("Sync runs, newest first (the last 20 at most): 0\n"),
        "{text}"
    );
}

#[test]
fn first_run_setup_refuses_an_owner_without_a_password_and_signs_the_owner_in() {
    let w = window_on(tempfile::tempdir().unwrap());
    let input = |password: Value| {
        json!({ "input": { "name": "Contoso", "plan": "team", "owner_email": "o@contoso.example",
                           "owner_name": "Olivia", "owner_password": password } })
    };
    let refused = w
        .call("setup_organization", input(Value::Null))
        .unwrap_err();
    assert_eq!(refused["code"], "owner_password_required");
    assert_eq!(
        refused["message"],
        "The Owner needs a password: without one, nobody could sign in to UniAsset."
    );
    assert_eq!(
        w.call("app_status", json!({})).unwrap()["organization"],
        Value::Null
    );
    // Created, the Owner is signed in: the window goes to Home without asking again.
    let status = w
        .call("setup_organization", input(json!(PASSWORD)))
        .unwrap();
    assert_eq!(status["signed_in"]["email"], "o@contoso.example");
    assert_eq!(
        w.call("app_status", json!({})).unwrap()["signed_in"]["role"],
        "owner"
    );
    let home = w.call("home", json!({})).unwrap();
    assert_eq!(home["organization"], "Contoso");
    assert_eq!(home["checklist"]["remaining"], 6);
    let refused = w.call("put_away_checklist", json!({})).unwrap_err();
    assert_eq!(refused["code"], "checklist_not_done");
}

#[test]
fn repeated_wrong_passwords_lock_the_email_out() {
    let w = window(Plan::Team);
    let attempt = |password: &str| {
        w.call(
            "sign_in",
            json!({ "email": "mia@northwind.example", "password": password }),
        )
    };
    for _ in 1..sessions::FAILURES_BEFORE_LOCKOUT {
        assert_eq!(
            attempt("wrong guess 123").unwrap_err()["code"],
            "invalid_credentials"
        );
    }
    let locked = attempt("wrong guess 123").unwrap_err();
    assert_eq!(locked["code"], "sign_in_locked");
    assert_eq!(
        locked["message"],
        "Too many failed attempts to sign in with this email. Try again in 1 minute."
    );
    assert_eq!(attempt(PASSWORD).unwrap_err()["code"], "sign_in_locked");
    // Someone else is not held up.
    w.sign_in("adam@northwind.example");
}

#[test]
fn owners_and_admins_set_the_idle_time_in_general() {
    let w = window(Plan::Team);
    w.sign_in("adam@northwind.example");
    let org = w
        .call("set_idle_timeout", json!({ "minutes": 30 }))
        .unwrap();
    assert_eq!(org["idle_timeout_minutes"], 30);
    assert_eq!(
        w.call("app_status", json!({})).unwrap()["organization"]["idle_timeout_minutes"],
        30
    );
    assert_eq!(
        w.code("set_idle_timeout", json!({ "minutes": 0 })),
        "invalid_idle_timeout"
    );
    assert_eq!(
        w.code("set_idle_timeout", json!({ "minutes": 481 })),
        "invalid_idle_timeout"
    );
}

#[test]
fn the_toggle_needs_the_enterprise_plan_and_sync_needs_a_connection() {
    let team = window(Plan::Team);
    team.sign_in("adam@northwind.example");
    assert_eq!(
        team.code(
            "entra_save",
            json!({ "autoDeprovision": true, "guard": guard() })
        ),
        "needs_enterprise"
    );
    let overview = team.call("entra_overview", json!({})).unwrap();
    assert_eq!(
        overview["deprovision_blocked"],
        "Auto-deprovisioning needs the Enterprise plan; this organization is on the Team plan."
    );
    assert_eq!(team.code("sync_now", json!({})), "needs_enterprise");

    let enterprise = window(Plan::Enterprise);
    enterprise.sign_in("adam@northwind.example");
    assert_eq!(
        enterprise.code(
            "entra_save",
            json!({ "autoDeprovision": true, "guard": guard() })
        ),
        "entra_not_connected"
    );
    assert_eq!(
        enterprise.code("sync_now", json!({})),
        "entra_not_connected"
    );
    let saved = enterprise
        .call(
            "entra_save",
            json!({ "autoDeprovision": false, "guard": { "min_users": 10, "percent": 30 } }),
        )
        .unwrap();
    assert_eq!(saved["settings"]["guard"]["min_users"], 10);
}

#[test]
fn a_user_deactivated_from_the_window_can_no_longer_sign_in() {
    let w = window(Plan::Enterprise);
    w.sign_in("olivia@northwind.example");
    let mia = w
        .call(
            "list_users",
            json!({ "query": { "status": null, "search": "mia", "role": null, "sign_in": null } }),
        )
        .unwrap()["users"][0]["id"]
        .clone();
    w.call("deactivate_user", json!({ "userId": mia })).unwrap();
    w.call("sign_out", json!({})).unwrap();
    let refused = w
        .call(
            "sign_in",
            json!({ "email": "mia@northwind.example", "password": PASSWORD }),
        )
        .unwrap_err();
    assert_eq!(refused["code"], "account_deactivated");
    assert_eq!(
        refused["message"],
        "This account is deactivated. Contact an administrator of your organization."
    );
}

#[test]
fn the_handler_answers_every_declared_command_and_nothing_else() {
    let w = window(Plan::Enterprise);
    for command in super::signatures() {
        if let Err(e) = w.call(command.name, json!({})) {
            assert!(
                !e.to_string().contains("not found"),
                "{} is not handled: {e}",
                command.name
            );
        }
    }
    let unknown = w.call("no_such_command", json!({})).unwrap_err();
    assert!(unknown.to_string().contains("not found"), "{unknown}");
}
