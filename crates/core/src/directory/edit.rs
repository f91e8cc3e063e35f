//! Editing a user: name, role, sign-in method and Entra link, under the role rules (R-D5).

use serde::{Deserialize, Serialize};

use super::actions::may_edit;
use super::{
    active_owner_count, ensure_entra_id_free, sign_in_name, user_by_id, DirectoryError, NewUser,
    Role, SignInMethod, User, UserStatus,
};
use crate::access::Actor;
use crate::audit;
use crate::store::{Store, StoreError};

/// A user as they should be after the edit: the whole desired state, so a form sends what
/// it shows. The email is not editable (it is how people and imports find a user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UserEdit {
    pub display_name: String,
    pub role: Role,
    pub sign_in: SignInMethod,
    pub entra_object_id: Option<String>,
}

/// Changes a user. An Owner or Admin edits; an Admin cannot edit an Owner, and only an
/// Owner makes someone an Owner; the last active Owner stays an Owner. An edit that changes
/// nothing writes nothing.
pub fn edit_user(
    store: &mut Store,
    by: &Actor,
    user_id: i64,
    edit: &UserEdit,
) -> Result<User, DirectoryError> {
    by.require_admin("edit users")?;
    let tx = store.write()?;
    let user = user_by_id(&tx, user_id)?;
    may_edit(by, &user)?;
    if edit.role == Role::Owner && user.role != Role::Owner {
        by.require_owner("make someone an Owner")?;
    }
    if user.role == Role::Owner
        && edit.role != Role::Owner
        && user.status == UserStatus::Active
        && active_owner_count(&tx)? <= 1
    {
        return Err(DirectoryError::LastOwnerRole(user.email));
    }
    let valid = NewUser {
        email: user.email.clone(),
        display_name: edit.display_name.clone(),
        role: edit.role,
        sign_in: edit.sign_in,
        entra_object_id: edit.entra_object_id.clone(),
    }
    .validate()
    .map_err(DirectoryError::Invalid)?;
    if let Some(oid) = &valid.entra_object_id {
        ensure_entra_id_free(&tx, oid, Some(user.id))?;
    }
    let after = User {
        display_name: valid.display_name,
        role: valid.role,
        sign_in: valid.sign_in,
        entra_object_id: valid.entra_object_id,
        ..user.clone()
    };
    let changed = changes(&user, &after);
    if changed.is_empty() {
        return Ok(user);
    }
    tx.execute(
        // A new Entra link is made in the connected tenant, as when a user is added; an
        // unchanged one keeps its tenant. (SET reads the row as it was.)
        "UPDATE users SET display_name = ?2, role = ?3, sign_in = ?4, entra_object_id = ?5,
             entra_tenant_id = CASE
                 WHEN ?5 IS NULL THEN NULL
                 WHEN ?5 = entra_object_id THEN entra_tenant_id
                 ELSE (SELECT tenant_id FROM entra_connection WHERE id = 1) END
         WHERE id = ?1",
        rusqlite::params![
            user.id,
            after.display_name,
            after.role,
            after.sign_in,
            after.entra_object_id
        ],
    )?;
    audit::record(
        &tx,
        by,
        audit::Entry::user("user.edited", user.id).detail(changed.join("; ")),
    )?;
    let user = user_by_id(&tx, user_id)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(user)
}

/// What differs between two states of a user, for people to read: "role: Member → Admin".
pub fn changes(before: &User, after: &User) -> Vec<String> {
    let mut changed = Vec::new();
    let mut note = |what: &str, from: &str, to: &str| {
        if from != to {
            changed.push(format!("{what}: {from} → {to}"));
        }
    };
    note("name", &before.display_name, &after.display_name);
    note("role", role_word(before.role), role_word(after.role));
    note(
        "sign-in",
        sign_in_name(before.sign_in),
        sign_in_name(after.sign_in),
    );
    let link = |oid: &Option<String>| oid.clone().unwrap_or_else(|| "none".to_owned());
    note(
        "Entra object id",
        &link(&before.entra_object_id),
        &link(&after.entra_object_id),
    );
    changed
}

fn role_word(role: Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        Role::Admin => "Admin",
        Role::Member => "Member",
    }
}
