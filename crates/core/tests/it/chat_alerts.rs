//! Chat alerts (R-M4) to a real HTTP server on loopback: the Teams Adaptive Card, the Slack
//! text with blocks and the JSON body, each checked; a refused post recorded and tried again
//! later, never posted twice; the address only in the keychain, nowhere in the data directory.

use testkit::webhook::WebhookServer;
use testkit::{files, Org, MEMBER_EMAIL};
use uniasset_core::alerts::{self, WebhookKind};
use uniasset_core::organization::Plan;
use uniasset_core::secrets::WebhookUrl;
use uniasset_core::store::Store;
use uniasset_core::ErrorCode;

const SECRET: &str = "sig-Zq81xWebhookSecretPart";

fn with_webhook(server: &WebhookServer, kind: WebhookKind) -> Org {
    let mut org = testkit::team(Plan::Enterprise);
    let owner = org.owner();
    alerts::set_webhook(
        &mut org.store,
        &owner,
        &WebhookUrl::new(server.url(SECRET)),
        kind,
    )
    .unwrap();
    org
}

/// A run stored as the sync would, that deactivated Dana holding a laptop.
fn deactivating_run(store: &Store) {
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.execute_batch(
        "INSERT INTO sync_runs (trigger, started_at, ended_at, result, deactivated, started_by)
             VALUES ('scheduled', '2026-03-02T03:00:00.000Z', '2026-03-02T03:00:05.000Z', 'succeeded', 1,
                     'Microsoft Entra ID sync');
         INSERT INTO users (email, display_name, role, sign_in, status, deactivated_at, deactivated_by,
                 deactivation_reason, created_at)
             VALUES ('dana@northwind.example', 'Dana Driver', 'member', 'password', 'deactivated',
                     '2026-03-02T03:00:04.000Z', 'Microsoft Entra ID sync', 'disabled_in_entra',
                     '2026-01-01T00:00:00.000Z');
         INSERT INTO sync_run_lines (run_id, user_id, email, outcome, reason, detail)
             VALUES ((SELECT max(id) FROM sync_runs), (SELECT id FROM users WHERE email = 'dana@northwind.example'),
                     'dana@northwind.example', 'deactivated', 'disabled_in_entra', '');
         INSERT INTO assets (tag, name, assigned_to, created_at, status)
             VALUES ('LAP-042', 'ThinkPad T14', (SELECT id FROM users WHERE email = 'dana@northwind.example'),
                     '2026-01-05T10:00:00.000Z', 'in_use');",
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn teams_gets_an_adaptive_card_once_for_a_run_that_deactivated_someone() {
    let server = WebhookServer::start();
    let mut org = with_webhook(&server, WebhookKind::Teams);
    deactivating_run(&org.store);
    let sent = alerts::send_owed(&mut org.store).await.unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].ok(), "{sent:?}");
    assert!(
        alerts::send_owed(&mut org.store).await.unwrap().is_empty(),
        "once"
    );

    let posts = server.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].path, format!("/hooks/{SECRET}"));
    let card = &posts[0].body;
    assert_eq!(card["type"], "message");
    let attachment = &card["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let content = &attachment["content"];
    assert_eq!(content["type"], "AdaptiveCard");
    assert_eq!(content["version"], "1.4");
    let title = content["body"][0]["text"].as_str().unwrap();
    assert_eq!(
        title,
        "UniAsset: Dana Driver was deactivated — 1 asset to recover"
    );
    let text = content["body"][1]["text"].as_str().unwrap();
    assert!(text.contains("LAP-042  ThinkPad T14"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn slack_gets_text_with_blocks_and_json_gets_the_documented_body() {
    let slack = WebhookServer::start();
    let mut org = with_webhook(&slack, WebhookKind::Slack);
    let owner = org.owner();
    alerts::test_webhook(&mut org.store, &owner).await.unwrap();
    let body = &slack.posts()[0].body;
    assert_eq!(body["text"], "UniAsset: test message");
    assert_eq!(body["blocks"][0]["type"], "header");
    assert_eq!(body["blocks"][0]["text"]["text"], "UniAsset: test message");
    assert_eq!(body["blocks"][1]["type"], "section");
    assert!(body["blocks"][1]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("test"));
    assert!(alerts::webhook_settings(&org.store)
        .unwrap()
        .unwrap()
        .tested_at
        .is_some());

    let json = WebhookServer::start();
    alerts::set_webhook(
        &mut org.store,
        &owner,
        &WebhookUrl::new(json.url(SECRET)),
        WebhookKind::Json,
    )
    .unwrap();
    deactivating_run(&org.store);
    alerts::send_owed(&mut org.store).await.unwrap();
    let body = &json.posts()[0].body;
    assert_eq!(body["source"], "UniAsset");
    assert_eq!(body["event"], "deactivated");
    assert_eq!(body["organization"], "Northwind Traders");
    assert!(body["subject"].as_str().unwrap().contains("Dana Driver"));
    assert!(body["text"].as_str().unwrap().contains("LAP-042"));
    assert!(body["sent_at"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_post_is_tried_again_later_and_never_twice() {
    let server = WebhookServer::start();
    let mut org = with_webhook(&server, WebhookKind::Json);
    server.answer(500);
    deactivating_run(&org.store);
    let tried = alerts::send_owed(&mut org.store).await.unwrap();
    assert_eq!(tried.len(), 1);
    let error = tried[0].error.clone().expect("refused");
    assert!(error.contains("refused the post (500)"), "{error}");
    assert!(!error.contains(SECRET), "the address is a secret: {error}");
    assert!(
        alerts::send_owed(&mut org.store).await.unwrap().is_empty(),
        "waits"
    );
    // The wait is the core's clock's; the test moves the record instead.
    rusqlite::Connection::open(org.store.path())
        .unwrap()
        .execute(
            "UPDATE run_posts SET retry_at = '2000-01-01T00:00:00.000Z'",
            [],
        )
        .unwrap();
    server.answer(202);
    assert!(alerts::send_owed(&mut org.store).await.unwrap()[0].ok());
    assert!(alerts::send_owed(&mut org.store).await.unwrap().is_empty());
    assert_eq!(server.posts().len(), 1);
    let last = alerts::webhook_settings(&org.store)
        .unwrap()
        .unwrap()
        .last
        .unwrap();
    assert_eq!(last.error, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_address_is_only_in_the_keychain_and_bad_ones_are_refused() {
    let server = WebhookServer::start();
    let mut org = with_webhook(&server, WebhookKind::Teams);
    deactivating_run(&org.store);
    alerts::send_owed(&mut org.store).await.unwrap();
    let owner = org.owner();
    alerts::test_webhook(&mut org.store, &owner).await.unwrap();
    let bytes = files::all_bytes(org.dir.path());
    assert!(
        !files::contains(&bytes, SECRET),
        "the address is nowhere in the data directory"
    );
    let shown = alerts::webhook_settings(&org.store).unwrap().unwrap();
    assert_eq!(
        (shown.kind, shown.host.as_str()),
        (WebhookKind::Teams, "127.0.0.1")
    );

    let mia = org.actor(MEMBER_EMAIL);
    for (by, url, code) in [
        (
            &owner,
            format!("http://hooks.example.com/{SECRET}"),
            "invalid_webhook",
        ),
        (&owner, "not an address".to_owned(), "invalid_webhook"),
        (&mia, server.url("other"), "needs_admin"),
    ] {
        let err = alerts::set_webhook(
            &mut org.store,
            by,
            &WebhookUrl::new(url),
            WebhookKind::Slack,
        )
        .unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert!(!err.to_string().contains(SECRET), "{err}");
    }
    assert_eq!(
        alerts::webhook_settings(&org.store).unwrap().unwrap().kind,
        WebhookKind::Teams,
        "refusals change nothing"
    );

    alerts::webhook_off(&mut org.store, &owner).unwrap();
    assert_eq!(alerts::webhook_settings(&org.store).unwrap(), None);
    let err = alerts::test_webhook(&mut org.store, &owner)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "webhook_not_set_up");
}
