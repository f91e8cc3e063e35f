//! Diagnostics and crash reports leave every secret out (R-X1, R-E3): a real client secret
//! and SMTP password in the real keychain, a real Argon2 hash in a real SQLite file, and a
//! log holding all of them and a token. Run under scripts/with-keyring.sh.

use std::path::Path;
use std::sync::{Arc, Mutex};

use testkit::tenant;
use uniasset_core::access::AccessError;
use uniasset_core::alerts::{self, EmailSettingsInput, SmtpTls};
use uniasset_core::diagnostics::{self, Context, DiagnosticsError, Redactor};
use uniasset_core::organization::Plan;
use uniasset_core::secrets::SmtpPassword;

const SMTP_PASSWORD: &str = "Mail-Pa55word-of-Northwind";
const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJjb250b3NvIn0.c2lnbmF0dXJl";

struct Planted {
    client_secret: String,
    hash: String,
}

/// Alerts with an SMTP password (into the keychain), and the Owner's password hash as the
/// SQLite file holds it.
fn plant(connected: &mut tenant::Connected) -> Planted {
    let owner = connected.org.owner();
    let input = EmailSettingsInput {
        host: "127.0.0.1".into(),
        port: 2525,
        tls: SmtpTls::None,
        username: Some("alerts".into()),
        sender: "uniasset@northwind.example".into(),
        recipients: "olivia@northwind.example".into(),
    };
    alerts::save(
        &mut connected.org.store,
        &owner,
        &input,
        Some(&SmtpPassword::new(SMTP_PASSWORD)),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(connected.org.store.path()).unwrap();
    let hash: String = conn
        .query_row(
            "SELECT password_hash FROM users WHERE email = ?1",
            [testkit::OWNER_EMAIL],
            |r| r.get(0),
        )
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    Planted {
        client_secret: connected.sim.client_secret(),
        hash,
    }
}

fn context(data_dir: &Path, log_dir: &Path) -> Context {
    Context {
        program: "UniAsset Desktop",
        version: env!("CARGO_PKG_VERSION"),
        data_dir: data_dir.to_owned(),
        log_dir: log_dir.to_owned(),
    }
}

fn assert_clean(text: &str, planted: &Planted) {
    let hash_part = planted.hash.rsplit('$').next().unwrap();
    for (what, secret) in [
        ("client secret", planted.client_secret.as_str()),
        ("SMTP password", SMTP_PASSWORD),
        ("password hash", planted.hash.as_str()),
        ("password hash's last part", hash_part),
        ("token", TOKEN),
        ("token's payload", "eyJ0aWQiOiJjb250b3NvIn0"),
    ] {
        assert!(!text.contains(secret), "the {what} is in:\n{text}");
    }
}

#[tokio::test]
async fn diagnostics_have_the_facts_and_no_secret() {
    let mut connected = tenant::connected(Plan::Enterprise).await;
    let planted = plant(&mut connected);
    for _ in 0..21 {
        connected.sync().await;
    }
    let logs = tempfile::tempdir().unwrap();
    std::fs::write(
        logs.path().join("UniAsset.log"),
        format!(
            "[2025-03-01][03:00:00][uniasset_desktop::scheduler][INFO] scheduled run started\n\
             [2025-03-01][03:00:01][reqwest][DEBUG] POST /token client_id=abc&client_secret={}\n\
             [2025-03-01][03:00:02][uniasset][WARN] a secret pasted in a message: {}\n\
             [2025-03-01][03:00:03][uniasset][WARN] smtp login with {}\n\
             [2025-03-01][03:00:04][uniasset][WARN] hash {} and alone {}\n\
             [2025-03-01][03:00:05][reqwest][DEBUG] Authorization: Bearer {TOKEN}\n\
             [2025-03-01][03:00:06][uniasset][INFO] the last line\n",
            planted.client_secret,
            planted.client_secret,
            SMTP_PASSWORD,
            planted.hash,
            planted.hash.rsplit('$').next().unwrap(),
        ),
    )
    .unwrap();
    let data_dir = connected.org.dir.path();
    let owner = connected.org.owner();
    let text = diagnostics::report(
        &connected.org.store,
        &owner,
        &context(data_dir, logs.path()),
    )
    .unwrap();

    assert_clean(&text, &planted);
    assert!(text.starts_with(&format!("UniAsset Desktop {}\n", env!("CARGO_PKG_VERSION"))));
    assert!(
        text.contains(&format!("System: {}", std::env::consts::OS)),
        "{text}"
    );
    assert!(
        text.contains(&format!("Data directory: {}", data_dir.display())),
        "{text}"
    );
    // The last 20 of 21 runs, newest first: #21 … #2.
    assert!(
        text.contains("Sync runs, newest first (the last 20 at most): 20\n"),
        "{text}"
    );
    assert!(text.contains("  #21 "), "{text}");
    assert!(text.contains("  #2 "), "{text}");
    assert!(!text.contains("  #1 "), "{text}");
    assert!(
        text.contains(" manual succeeded by command line: 0 deactivated"),
        "{text}"
    );
    // The log's tail, with its secrets named but not shown.
    assert!(
        text.contains("The end of the log (the last 200 lines at most): 7 from UniAsset.log\n"),
        "{text}"
    );
    assert!(text.contains("scheduled run started"), "{text}");
    assert!(text.contains("the last line"), "{text}");
    assert!(text.contains("client_secret=[redacted"), "{text}");
    assert!(
        text.contains("pasted in a message: [redacted client secret]"),
        "{text}"
    );
    assert!(
        text.contains("smtp login with [redacted SMTP password]"),
        "{text}"
    );
    assert!(
        text.contains("hash [redacted password hash] and alone [redacted password hash]"),
        "{text}"
    );
    assert!(
        text.contains("Authorization: Bearer [redacted token]"),
        "{text}"
    );
    assert!(!text.contains("Could not read"), "{text}");
}

#[test]
fn only_owners_and_admins_get_diagnostics() {
    let org = testkit::team(Plan::Team);
    let logs = tempfile::tempdir().unwrap();
    let member = org.actor(testkit::MEMBER_EMAIL);
    let refused = diagnostics::report(&org.store, &member, &context(org.dir.path(), logs.path()))
        .unwrap_err();
    assert!(
        matches!(
            refused,
            DiagnosticsError::Access(AccessError::NeedsAdmin(_))
        ),
        "{refused:?}"
    );
    let admin = org.actor(testkit::ADMIN_EMAIL);
    let text =
        diagnostics::report(&org.store, &admin, &context(org.dir.path(), logs.path())).unwrap();
    assert!(
        text.contains("Sync runs, newest first (the last 20 at most): 0\n"),
        "{text}"
    );
    assert!(
        text.contains("The end of the log (the last 200 lines at most): no log file yet\n"),
        "{text}"
    );
}

#[tokio::test]
async fn a_panic_leaves_a_redacted_crash_report() {
    let mut connected = tenant::connected(Plan::Enterprise).await;
    let planted = plant(&mut connected);
    let data_dir = connected.org.dir.path().to_owned();
    let logs = tempfile::tempdir().unwrap();
    let ctx = context(&data_dir, logs.path());

    // What the app's hook does, around one panic in a thread of its own.
    let written = Arc::new(Mutex::new(None));
    let previous = std::panic::take_hook();
    {
        let (written, ctx) = (written.clone(), ctx.clone());
        std::panic::set_hook(Box::new(move |info| {
            let text = diagnostics::crash_report(info, &ctx, &Redactor::load(&ctx.data_dir));
            let path = diagnostics::write_crash_report(&ctx.log_dir, &text).unwrap();
            *written.lock().unwrap() = Some(path);
        }));
    }
    let message = format!(
        "could not use {} with {} for {} (Bearer {TOKEN})",
        planted.client_secret, SMTP_PASSWORD, planted.hash
    );
    let panicked = std::thread::Builder::new()
        .name("crash-test".into())
        .spawn(move || panic!("{message}"))
        .unwrap()
        .join();
    std::panic::set_hook(previous);
    assert!(panicked.is_err());

    let path = written.lock().unwrap().clone().expect("a crash report");
    assert_eq!(
        diagnostics::crash_reports(logs.path()),
        std::slice::from_ref(&path)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert_clean(&text, &planted);
    assert!(text.starts_with("UniAsset Desktop "), "{text}");
    assert!(text.contains("a panic) in thread crash-test"), "{text}");
    assert!(
        text.contains("Where: crates/core/tests/it/diagnostics.rs:"),
        "{text}"
    );
    assert!(
        text.contains("Message: could not use [redacted client secret] with [redacted SMTP password] for [redacted password hash] (Bearer [redacted token])"),
        "{text}"
    );

    // The diagnostics point to it.
    let owner = connected.org.owner();
    let report = diagnostics::report(&connected.org.store, &owner, &ctx).unwrap();
    assert!(
        report.contains("Crash reports in the log folder: 1"),
        "{report}"
    );
    assert!(report.contains(&path.display().to_string()), "{report}");
}
