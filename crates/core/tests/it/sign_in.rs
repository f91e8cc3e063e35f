//! Signing in (R-D4): Argon2id check, refusal of deactivated users, sessions that end.
//! Under attack (R-X2): lockouts after repeated failures, unknown emails answered like wrong
//! passwords, idle sessions that end, one session per person.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use uniasset_core::access::Actor;
use uniasset_core::directory::{self, Role, SignInMethod};
use uniasset_core::organization::{self, Plan};
use uniasset_core::password::Password;
use uniasset_core::sessions::{self, SignInError, SignedIn};
use uniasset_core::store::Store;
use uniasset_core::ErrorCode;

const PW: &str = "granite willow comet 9";
const MIA: &str = "mia@northwind.example";

fn t0() -> DateTime<Utc> {
    "2025-06-02T09:00:00Z".parse().unwrap()
}

fn minutes(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

fn try_sign_in(
    store: &mut Store,
    email: &str,
    pw: &str,
    now: DateTime<Utc>,
) -> Result<SignedIn, SignInError> {
    sessions::sign_in(store, email, &Password::new(pw), now)
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

fn lockout_audits(org: &testkit::Org) -> Vec<(Option<i64>, String, String)> {
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT subject_user_id, actor_label, detail FROM audit_entries
             WHERE action = 'user.sign_in_locked' ORDER BY id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// Four wrong attempts at `now`, each refused as incorrect, then the fifth: locked.
fn fail_until_locked(store: &mut Store, email: &str, now: DateTime<Utc>) -> SignInError {
    for _ in 1..sessions::FAILURES_BEFORE_LOCKOUT {
        let err = try_sign_in(store, email, "wrong guess 123", now).unwrap_err();
        assert!(matches!(err, SignInError::InvalidCredentials), "{err:?}");
    }
    try_sign_in(store, email, "wrong guess 123", now).unwrap_err()
}

fn org_with_member(sign_in: SignInMethod) -> (testkit::Org, i64) {
    let mut org = testkit::org(Plan::Team);
    let user = org.add("mia@northwind.example", Role::Member, sign_in);
    sessions::set_password(
        &mut org.store,
        &Actor::CommandLine,
        "mia@northwind.example",
        &Password::new(PW),
    )
    .unwrap();
    (org, user.id)
}

#[test]
fn the_right_password_signs_in_and_a_wrong_one_does_not() {
    let (mut org, id) = org_with_member(SignInMethod::Password);
    let signed = try_sign_in(&mut org.store, "MIA@northwind.example", PW, t0()).unwrap();
    assert_eq!(signed.user.id, id);
    let actor = sessions::authenticate(&org.store, &signed.token, t0()).unwrap();
    assert_eq!(actor.user_id(), Some(id));

    let err = try_sign_in(&mut org.store, MIA, "granite willow comet 8", t0()).unwrap_err();
    assert!(matches!(err, SignInError::InvalidCredentials));
    let err = try_sign_in(&mut org.store, "nobody@northwind.example", PW, t0()).unwrap_err();
    assert!(
        matches!(err, SignInError::InvalidCredentials),
        "unknown emails look like wrong passwords"
    );
}

#[test]
fn a_deactivated_user_cannot_sign_in_whatever_the_method() {
    for method in [
        SignInMethod::Password,
        SignInMethod::Google,
        SignInMethod::Microsoft,
    ] {
        let (mut org, id) = org_with_member(method);
        let signed = try_sign_in(&mut org.store, MIA, PW, t0()).unwrap();
        let owner = org.owner();
        directory::deactivate(&mut org.store, &owner, id).unwrap();

        let err = try_sign_in(&mut org.store, MIA, PW, t0()).unwrap_err();
        assert_eq!(err.code(), "account_deactivated");
        assert_eq!(
            err.to_string(),
            "This account is deactivated. Contact an administrator of your organization."
        );
        let err = sessions::authenticate(&org.store, &signed.token, t0()).unwrap_err();
        assert!(
            matches!(err, SignInError::SessionEnded),
            "deactivation ends open sessions"
        );
        assert_eq!(open_sessions(&org, id), 0);
    }
}

#[test]
fn an_account_without_a_password_answers_like_a_wrong_password() {
    let mut org = testkit::org(Plan::Team);
    org.add(
        "sso@northwind.example",
        Role::Member,
        SignInMethod::Microsoft,
    );
    let err = try_sign_in(&mut org.store, "sso@northwind.example", PW, t0()).unwrap_err();
    assert!(matches!(err, SignInError::InvalidCredentials));
    assert!(err
        .to_string()
        .contains("need a password from an administrator"));
}

#[test]
fn sign_out_ends_the_session() {
    let (mut org, _) = org_with_member(SignInMethod::Password);
    let signed = try_sign_in(&mut org.store, MIA, PW, t0()).unwrap();
    sessions::sign_out(&mut org.store, &signed.token).unwrap();
    assert!(matches!(
        sessions::authenticate(&org.store, &signed.token, t0()),
        Err(SignInError::SessionEnded)
    ));
}

#[test]
fn members_set_only_their_own_password() {
    let (mut org, _) = org_with_member(SignInMethod::Password);
    let mia = org.actor("mia@northwind.example");
    sessions::set_password(
        &mut org.store,
        &mia,
        "mia@northwind.example",
        &Password::new("new granite willow 10"),
    )
    .unwrap();
    let err = sessions::set_password(
        &mut org.store,
        &mia,
        testkit::OWNER_EMAIL,
        &Password::new("evil granite willow 10"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    let err = sessions::set_password(
        &mut org.store,
        &mia,
        "mia@northwind.example",
        &Password::new("123456789012"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "weak_password");
}

#[test]
fn five_failures_lock_the_email_out_for_a_growing_time() {
    let (mut org, id) = org_with_member(SignInMethod::Password);
    let err = fail_until_locked(&mut org.store, MIA, t0());
    assert!(matches!(err, SignInError::Locked { minutes: 1 }), "{err:?}");
    assert_eq!(err.code(), "sign_in_locked");
    assert_eq!(
        err.to_string(),
        "Too many failed attempts to sign in with this email. Try again in 1 minute."
    );
    // Even the right password waits: the point is to stop guessing.
    let err = try_sign_in(&mut org.store, MIA, PW, t0() + TimeDelta::seconds(30)).unwrap_err();
    assert!(matches!(err, SignInError::Locked { minutes: 1 }), "{err:?}");

    // Each further lockout in a row lasts twice as long, up to 15 minutes.
    let mut now = t0();
    for (lockout, expected) in [(2, 2), (3, 4), (4, 8), (5, 15), (6, 15)] {
        now += minutes(16);
        let err = fail_until_locked(&mut org.store, MIA, now);
        assert!(
            matches!(err, SignInError::Locked { minutes } if minutes == expected),
            "lockout {lockout}: {err:?}"
        );
        let err = try_sign_in(
            &mut org.store,
            MIA,
            PW,
            now + minutes(expected) - TimeDelta::seconds(1),
        )
        .unwrap_err();
        assert!(matches!(err, SignInError::Locked { minutes: 1 }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "Too many failed attempts to sign in with this email. Try again in 1 minute."
        );
    }
    assert!(try_sign_in(&mut org.store, MIA, PW, now + minutes(15)).is_ok());

    let audits = lockout_audits(&org);
    assert_eq!(audits.len(), 6, "each lockout is audited");
    assert!(audits
        .iter()
        .all(|(subject, actor, _)| *subject == Some(id) && actor == "sign-in protection"));
    assert!(
        audits[0].2.starts_with(
            "5 failed sign-ins in a row; locked for 1 minute (until 2025-06-02T09:01:00.000Z)"
        ),
        "{}",
        audits[0].2
    );
    assert!(
        audits[5].2.contains("locked for 15 minutes"),
        "{}",
        audits[5].2
    );
    // Mia's Details show the lockouts.
    let trail = uniasset_core::audit::for_user(&org.store, id).unwrap();
    assert_eq!(
        trail
            .iter()
            .filter(|e| e.action == "user.sign_in_locked")
            .count(),
        6
    );
}

#[test]
fn a_lockout_survives_a_restart_and_binds_every_process() {
    let (mut org, _) = org_with_member(SignInMethod::Password);
    fail_until_locked(&mut org.store, MIA, t0());
    // Another process (the command line, or the app restarted) opens its own connection.
    let mut other = Store::open(org.dir.path()).unwrap();
    let err = try_sign_in(
        &mut other,
        "Mia@Northwind.example",
        PW,
        t0() + TimeDelta::seconds(59),
    )
    .unwrap_err();
    assert!(matches!(err, SignInError::Locked { minutes: 1 }), "{err:?}");
    drop(other);
    drop(org.store);
    let mut reopened = Store::open(org.dir.path()).unwrap();
    assert!(try_sign_in(&mut reopened, MIA, PW, t0() + TimeDelta::seconds(30)).is_err());
    assert!(try_sign_in(&mut reopened, MIA, PW, t0() + minutes(1)).is_ok());
}

#[test]
fn a_success_clears_the_count_and_a_quiet_day_forgets_past_lockouts() {
    let (mut org, _) = org_with_member(SignInMethod::Password);
    for _ in 0..4 {
        assert!(try_sign_in(&mut org.store, MIA, "wrong guess 123", t0()).is_err());
    }
    try_sign_in(&mut org.store, MIA, PW, t0()).unwrap();
    for _ in 0..4 {
        let err = try_sign_in(&mut org.store, MIA, "wrong guess 123", t0()).unwrap_err();
        assert!(matches!(err, SignInError::InvalidCredentials), "{err:?}");
    }

    // Two lockouts in a row, then a day without failures: the next is 1 minute again.
    let (mut org, _) = org_with_member(SignInMethod::Password);
    fail_until_locked(&mut org.store, MIA, t0());
    let err = fail_until_locked(&mut org.store, MIA, t0() + minutes(2));
    assert!(matches!(err, SignInError::Locked { minutes: 2 }), "{err:?}");
    let err = fail_until_locked(&mut org.store, MIA, t0() + TimeDelta::hours(25));
    assert!(matches!(err, SignInError::Locked { minutes: 1 }), "{err:?}");
}

#[test]
fn unknown_emails_and_accounts_without_a_password_are_throttled_alike() {
    let mut org = testkit::org(Plan::Team);
    org.add(
        "sso@northwind.example",
        Role::Member,
        SignInMethod::Microsoft,
    );
    // An unknown email gets the wrong-password answer and then the same lockout, so
    // neither tells an outsider which addresses have accounts.
    let err = fail_until_locked(&mut org.store, "ghost@northwind.example", t0());
    assert!(matches!(err, SignInError::Locked { minutes: 1 }), "{err:?}");
    for _ in 1..sessions::FAILURES_BEFORE_LOCKOUT {
        let err = try_sign_in(&mut org.store, "sso@northwind.example", PW, t0()).unwrap_err();
        assert!(matches!(err, SignInError::InvalidCredentials), "{err:?}");
    }
    let err = try_sign_in(&mut org.store, "sso@northwind.example", PW, t0()).unwrap_err();
    assert!(matches!(err, SignInError::Locked { minutes: 1 }), "{err:?}");

    let audits = lockout_audits(&org);
    assert_eq!(audits.len(), 2);
    assert_eq!(audits[0].0, None, "no account to attach it to");
    assert!(
        audits[0]
            .2
            .contains("as ghost@northwind.example (no such account)"),
        "{}",
        audits[0].2
    );
    assert_eq!(audits[1].0, Some(org.user("sso@northwind.example").id));
    // The owner was never involved: their account signs in as usual.
    assert!(try_sign_in(
        &mut org.store,
        testkit::OWNER_EMAIL,
        testkit::OWNER_PASSWORD,
        t0()
    )
    .is_ok());
}

#[test]
fn an_unknown_email_takes_as_long_as_a_wrong_password() {
    let mut org = testkit::org(Plan::Team);
    org.add(
        "sso@northwind.example",
        Role::Member,
        SignInMethod::Microsoft,
    );
    let store = &mut org.store;
    let timed = |store: &mut Store, email: &str| {
        let start = Instant::now();
        let err = try_sign_in(store, email, "wrong guess 123", t0()).unwrap_err();
        assert!(matches!(err, SignInError::InvalidCredentials), "{err:?}");
        start.elapsed()
    };
    // The three kinds take turns and each keeps its fastest try, so a burst of load on a
    // busy machine slows all of them rather than one. Fewer rounds than the lockout allows.
    let (mut wrong, mut unknown, mut no_password) = (Duration::MAX, Duration::MAX, Duration::MAX);
    for round in 0..sessions::FAILURES_BEFORE_LOCKOUT - 1 {
        wrong = wrong.min(timed(store, testkit::OWNER_EMAIL));
        unknown = unknown.min(timed(store, &format!("ghost{round}@northwind.example")));
        no_password = no_password.min(timed(store, "sso@northwind.example"));
    }
    // Without the dummy hash an unknown email answers in well under a millisecond, while an
    // Argon2 check takes tens of them: a quarter leaves room for noise and still catches it.
    for (what, took) in [("unknown email", unknown), ("no password", no_password)] {
        assert!(
            took * 4 > wrong,
            "{what} took {took:?}, a wrong password {wrong:?}"
        );
    }
}

#[test]
fn an_overlong_password_is_refused_before_any_work_and_not_counted() {
    let (mut org, _) = org_with_member(SignInMethod::Password);
    let huge = "x".repeat(1024 * 1024);
    for _ in 0..sessions::FAILURES_BEFORE_LOCKOUT + 1 {
        let err = try_sign_in(&mut org.store, MIA, &huge, t0()).unwrap_err();
        assert_eq!(err.code(), "password_too_long");
        assert_eq!(
            err.to_string(),
            "The password must be at most 256 characters long."
        );
    }
    assert!(
        try_sign_in(&mut org.store, MIA, PW, t0()).is_ok(),
        "not locked out"
    );
}

#[test]
fn a_session_unused_for_the_idle_time_has_ended() {
    let (mut org, _) = org_with_member(SignInMethod::Password);
    assert_eq!(
        organization::get(&org.store).unwrap().idle_timeout_minutes,
        15,
        "the default"
    );
    let signed = try_sign_in(&mut org.store, MIA, PW, t0()).unwrap();
    let token = &signed.token;
    // Each use counts: 14 minutes, then 14 more, is never 15 idle.
    sessions::authenticate(&org.store, token, t0() + minutes(14)).unwrap();
    sessions::authenticate(&org.store, token, t0() + minutes(28)).unwrap();
    // Asking who is signed in is not a use.
    let status =
        uniasset_core::app_status::status(&org.store, Some(token), t0() + minutes(40)).unwrap();
    assert_eq!(status.signed_in.unwrap().email, MIA);
    let err = sessions::authenticate(&org.store, token, t0() + minutes(43)).unwrap_err();
    assert!(matches!(err, SignInError::SessionEnded), "{err:?}");
    let status =
        uniasset_core::app_status::status(&org.store, Some(token), t0() + minutes(43)).unwrap();
    assert_eq!(status.signed_in, None);
    assert_eq!(open_sessions(&org, signed.user.id), 0, "ended in the store");

    // A longer idle time later does not bring it back.
    let owner = org.owner();
    organization::set_idle_timeout(&mut org.store, &owner, 480).unwrap();
    assert!(sessions::authenticate(&org.store, token, t0() + minutes(44)).is_err());
}

#[test]
fn a_clock_set_back_does_not_age_a_session() {
    let (mut org, _) = org_with_member(SignInMethod::Password);
    let signed = try_sign_in(&mut org.store, MIA, PW, t0()).unwrap();
    sessions::authenticate(&org.store, &signed.token, t0() + minutes(10)).unwrap();
    sessions::authenticate(&org.store, &signed.token, t0() + minutes(5)).unwrap();
    // Last used at +10 still, not +5: ends 15 minutes after that.
    sessions::authenticate(&org.store, &signed.token, t0() + minutes(24)).unwrap();
}

#[test]
fn owners_and_admins_choose_the_idle_time_within_range() {
    let (mut org, _) = org_with_member(SignInMethod::Password);
    let signed = try_sign_in(&mut org.store, MIA, PW, t0()).unwrap();
    let mia = org.actor(MIA);
    let err = organization::set_idle_timeout(&mut org.store, &mia, 60).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    let owner = org.owner();
    for bad in [0, 481, -5, i64::MAX] {
        let err = organization::set_idle_timeout(&mut org.store, &owner, bad).unwrap_err();
        assert_eq!(err.code(), "invalid_idle_timeout", "{bad}");
        assert_eq!(
            err.to_string(),
            "Choose between 1 and 480 minutes without use before a session ends."
        );
    }
    let changed = organization::set_idle_timeout(&mut org.store, &owner, 60).unwrap();
    assert_eq!(changed.idle_timeout_minutes, 60);
    // Open sessions follow the new value at once.
    sessions::authenticate(&org.store, &signed.token, t0() + minutes(59)).unwrap();
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    let detail: String = conn
        .query_row(
            "SELECT detail FROM audit_entries WHERE action = 'organization.idle_timeout_changed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(detail, "Sessions end after 60 minutes without use (was 15)");
}

#[test]
fn a_new_sign_in_ends_the_previous_sessions_of_that_person_only() {
    let (mut org, id) = org_with_member(SignInMethod::Password);
    let owners = try_sign_in(
        &mut org.store,
        testkit::OWNER_EMAIL,
        testkit::OWNER_PASSWORD,
        t0(),
    )
    .unwrap();
    let first = try_sign_in(&mut org.store, MIA, PW, t0()).unwrap();
    let second = try_sign_in(&mut org.store, MIA, PW, t0() + minutes(1)).unwrap();
    assert_ne!(first.token, second.token);
    let ended: Result<_, SignInError> =
        sessions::authenticate(&org.store, &first.token, t0() + minutes(2));
    assert!(matches!(ended, Err(SignInError::SessionEnded)));
    assert_eq!(
        sessions::authenticate(&org.store, &second.token, t0() + minutes(2))
            .unwrap()
            .user_id(),
        Some(id)
    );
    assert_eq!(open_sessions(&org, id), 1);
    assert!(sessions::authenticate(&org.store, &owners.token, t0() + minutes(2)).is_ok());
}
