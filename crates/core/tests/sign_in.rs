//! Signing in (R-D4): Argon2id check, refusal of deactivated users, sessions that end.

mod common;

use uniasset_core::access::Actor;
use uniasset_core::directory::{self, Role, SignInMethod};
use uniasset_core::organization::Plan;
use uniasset_core::password::Password;
use uniasset_core::sessions::{self, SignInError};
use uniasset_core::ErrorCode;

const PW: &str = "granite willow comet 9";

fn org_with_member(sign_in: SignInMethod) -> (common::Org, i64) {
    let mut org = common::org(Plan::Team);
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
    let signed =
        sessions::sign_in(&mut org.store, "MIA@northwind.example", &Password::new(PW)).unwrap();
    assert_eq!(signed.user.id, id);
    let actor = sessions::authenticate(&org.store, &signed.token).unwrap();
    assert_eq!(actor.user_id(), Some(id));

    let err = sessions::sign_in(
        &mut org.store,
        "mia@northwind.example",
        &Password::new("granite willow comet 8"),
    )
    .unwrap_err();
    assert!(matches!(err, SignInError::InvalidCredentials));
    let err = sessions::sign_in(
        &mut org.store,
        "nobody@northwind.example",
        &Password::new(PW),
    )
    .unwrap_err();
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
        let signed =
            sessions::sign_in(&mut org.store, "mia@northwind.example", &Password::new(PW)).unwrap();
        let owner = org.owner();
        directory::deactivate(&mut org.store, &owner, id).unwrap();

        let err = sessions::sign_in(&mut org.store, "mia@northwind.example", &Password::new(PW))
            .unwrap_err();
        assert_eq!(err.code(), "account_deactivated");
        assert_eq!(
            err.to_string(),
            "This account is deactivated. Contact an administrator of your organization."
        );
        let err = sessions::authenticate(&org.store, &signed.token).unwrap_err();
        assert!(
            matches!(err, SignInError::SessionEnded),
            "deactivation ends open sessions"
        );
        let open: i64 = rusqlite::Connection::open(org.store.path())
            .unwrap()
            .query_row(
                "SELECT count(*) FROM sessions WHERE user_id = ?1 AND ended_at IS NULL",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(open, 0);
    }
}

#[test]
fn an_owner_without_a_password_is_told_how_to_get_one() {
    let mut org = common::org(Plan::Team);
    org.add(
        "sso@northwind.example",
        Role::Member,
        SignInMethod::Microsoft,
    );
    let err =
        sessions::sign_in(&mut org.store, "sso@northwind.example", &Password::new(PW)).unwrap_err();
    assert!(matches!(err, SignInError::NoPassword));
    assert!(err.to_string().contains("uniasset users set-password"));
}

#[test]
fn sign_out_ends_the_session() {
    let (mut org, _) = org_with_member(SignInMethod::Password);
    let signed =
        sessions::sign_in(&mut org.store, "mia@northwind.example", &Password::new(PW)).unwrap();
    sessions::sign_out(&mut org.store, &signed.token).unwrap();
    assert!(matches!(
        sessions::authenticate(&org.store, &signed.token),
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
        common::OWNER_EMAIL,
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
