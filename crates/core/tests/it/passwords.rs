//! Passwords from the window: an Owner or Admin sets someone's new password, and everyone
//! changes their own with the current one (strength-checked, audited, sessions ended).

use chrono::Utc;
use uniasset_core::access::Actor;
use uniasset_core::audit;
use uniasset_core::directory::{Role, SignInMethod};
use uniasset_core::organization::Plan;
use uniasset_core::password::Password;
use uniasset_core::sessions::{self, SessionToken, SignInError};
use uniasset_core::ErrorCode;

const MIA: &str = "mia@northwind.example";
const ADAM: &str = "adam@northwind.example";
const PW: &str = "granite willow comet 9";
const NEW_PW: &str = "saffron kettle bridge 64";

/// The Owner, an Admin and a Member, each with a password.
fn team() -> testkit::Org {
    let mut org = testkit::org(Plan::Team);
    for (email, role) in [(ADAM, Role::Admin), (MIA, Role::Member)] {
        org.add(email, role, SignInMethod::Password);
        sessions::set_password(
            &mut org.store,
            &Actor::CommandLine,
            email,
            &Password::new(PW),
        )
        .unwrap();
    }
    org
}

fn sign_in(org: &mut testkit::Org, email: &str, pw: &str) -> Result<SessionToken, SignInError> {
    sessions::sign_in(&mut org.store, email, &Password::new(pw), Utc::now()).map(|s| s.token)
}

fn still_signed_in(org: &testkit::Org, token: &SessionToken) -> bool {
    sessions::signed_in(&org.store, token, Utc::now())
        .unwrap()
        .is_some()
}

fn open_sessions(org: &testkit::Org, user_id: i64) -> i64 {
    rusqlite::Connection::open(org.store.path())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sessions WHERE user_id = ?1 AND ended_at IS NULL",
            [user_id],
            |r| r.get(0),
        )
        .unwrap()
}

/// A second open session for a user, as another device would hold.
fn another_session(org: &testkit::Org, user_id: i64) {
    rusqlite::Connection::open(org.store.path())
        .unwrap()
        .execute(
            "INSERT INTO sessions (user_id, token_hash, created_at, last_used_at)
             VALUES (?1, 'elsewhere', ?2, ?2)",
            rusqlite::params![user_id, Utc::now().to_rfc3339()],
        )
        .unwrap();
}

#[test]
fn an_admin_sets_a_members_password_and_their_sessions_end() {
    let mut org = team();
    let mia = org.user(MIA);
    let session = sign_in(&mut org, MIA, PW).unwrap();
    let admin = org.actor(ADAM);

    sessions::set_user_password(&mut org.store, &admin, mia.id, &Password::new(NEW_PW)).unwrap();
    assert!(!still_signed_in(&org, &session), "her session ended");
    assert!(matches!(
        sign_in(&mut org, MIA, PW),
        Err(SignInError::InvalidCredentials)
    ));
    sign_in(&mut org, MIA, NEW_PW).unwrap();
    let trail = audit::for_user(&org.store, mia.id).unwrap();
    let set = trail
        .iter()
        .find(|e| e.action == "user.password_set")
        .unwrap();
    assert_eq!(set.actor, "adam <adam@northwind.example>");
    assert_eq!(set.detail, "1 open session(s) ended");
}

#[test]
fn a_password_reset_is_refused_where_the_rules_say_and_changes_nothing() {
    let mut org = team();
    org.add("gus@northwind.example", Role::Member, SignInMethod::Google);
    let owner_id = org.user(testkit::OWNER_EMAIL).id;
    let mia = org.user(MIA);
    let adam = org.user(ADAM);
    let gus = org.user("gus@northwind.example");
    let mia_session = sign_in(&mut org, MIA, PW).unwrap();
    let audit_before = org.count("audit_entries");
    let strong = Password::new(NEW_PW);

    for (by, target, code) in [
        (org.actor(MIA), adam.id, "needs_admin"),
        (org.actor(ADAM), owner_id, "needs_owner"),
        (org.actor(ADAM), adam.id, "own_password"),
        (org.actor(ADAM), gus.id, "no_password_sign_in"),
        (org.owner(), 9999, "unknown_user"),
    ] {
        let err = sessions::set_user_password(&mut org.store, &by, target, &strong).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
    }
    let admin = org.actor(ADAM);
    let err = sessions::set_user_password(
        &mut org.store,
        &admin,
        mia.id,
        &Password::new("mia12345678"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "weak_password");

    assert_eq!(org.count("audit_entries"), audit_before);
    assert!(still_signed_in(&org, &mia_session));
    sign_in(&mut org, ADAM, PW).unwrap();
    sign_in(&mut org, MIA, PW).unwrap();
}

#[test]
fn changing_ones_own_password_keeps_this_session_and_ends_the_others() {
    let mut org = team();
    let mia = org.user(MIA);
    let session = sign_in(&mut org, MIA, PW).unwrap();
    another_session(&org, mia.id);
    assert_eq!(open_sessions(&org, mia.id), 2);

    sessions::change_own_password(
        &mut org.store,
        &session,
        &Password::new(PW),
        &Password::new(NEW_PW),
    )
    .unwrap();
    assert!(still_signed_in(&org, &session), "this session survives");
    assert_eq!(open_sessions(&org, mia.id), 1, "the other one ended");
    let trail = audit::for_user(&org.store, mia.id).unwrap();
    assert_eq!(trail[0].action, "user.password_changed");
    assert_eq!(trail[0].actor, "mia <mia@northwind.example>");
    assert_eq!(
        trail[0].detail,
        "Changed their own password; 1 other session(s) ended"
    );

    assert!(matches!(
        sign_in(&mut org, MIA, PW),
        Err(SignInError::InvalidCredentials)
    ));
    sign_in(&mut org, MIA, NEW_PW).unwrap();
}

#[test]
fn a_wrong_current_password_is_refused_and_counts_toward_the_lockout() {
    let mut org = team();
    let mia = org.user(MIA);
    let session = sign_in(&mut org, MIA, PW).unwrap();
    let audit_before = org.count("audit_entries");
    let change = |org: &mut testkit::Org, current: &str| {
        sessions::change_own_password(
            &mut org.store,
            &session,
            &Password::new(current),
            &Password::new(NEW_PW),
        )
    };

    let err = change(&mut org, "not my password 1").unwrap_err();
    assert_eq!(err.code(), "wrong_password");
    assert_eq!(err.to_string(), "Your current password is not right.");
    for _ in 2..sessions::FAILURES_BEFORE_LOCKOUT {
        assert_eq!(
            change(&mut org, "not my password 1").unwrap_err().code(),
            "wrong_password"
        );
    }
    let err = change(&mut org, "not my password 1").unwrap_err();
    assert!(matches!(err, SignInError::Locked { minutes: 1 }), "{err:?}");
    // Locked means locked: the right password is refused too, here and at sign-in.
    assert_eq!(change(&mut org, PW).unwrap_err().code(), "sign_in_locked");
    assert!(matches!(
        sign_in(&mut org, MIA, PW),
        Err(SignInError::Locked { .. })
    ));

    assert!(
        still_signed_in(&org, &session),
        "the window stays signed in"
    );
    let trail = audit::for_user(&org.store, mia.id).unwrap();
    assert_eq!(trail[0].action, "user.sign_in_locked");
    assert_eq!(
        org.count("audit_entries"),
        audit_before + 1,
        "only the lockout is recorded"
    );
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    let hash_matches_old: bool = {
        let hash: String = conn
            .query_row(
                "SELECT password_hash FROM users WHERE id = ?1",
                [mia.id],
                |r| r.get(0),
            )
            .unwrap();
        uniasset_core::password::verify(&Password::new(PW), &hash)
    };
    assert!(hash_matches_old, "the password did not change");
}

#[test]
fn a_weak_new_password_or_an_ended_session_changes_nothing() {
    let mut org = team();
    let session = sign_in(&mut org, MIA, PW).unwrap();
    let err = sessions::change_own_password(
        &mut org.store,
        &session,
        &Password::new(PW),
        &Password::new("mia-northwind"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "weak_password");
    sessions::sign_out(&mut org.store, &session).unwrap();
    let err = sessions::change_own_password(
        &mut org.store,
        &session,
        &Password::new(PW),
        &Password::new(NEW_PW),
    )
    .unwrap_err();
    assert_eq!(err.code(), "session_ended");
    sign_in(&mut org, MIA, PW).unwrap();
}
