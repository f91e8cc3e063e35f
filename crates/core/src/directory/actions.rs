//! What a person may do to a user, decided once: the commands enforce these checks, and
//! the Users page shows exactly the actions they allow (R-D5).

use serde::{Deserialize, Serialize};

use super::error::DirectoryError;
use super::user::{SignInMethod, User, UserStatus};
use crate::access::Actor;
use crate::access::Role;

/// The ⋮ menu of one user's row, as the signed-in person may use it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UserActions {
    pub deactivate: bool,
    pub reactivate: bool,
    /// Mark or unmark "never deactivate automatically".
    pub protect: bool,
    /// Change their name, role, sign-in method or Entra link.
    pub edit: bool,
    /// Set a new password for someone else (one's own is changed with the current one).
    pub set_password: bool,
    /// "Check now": read their Microsoft account from Entra at once (R-S13).
    pub check: bool,
    /// "Offboard…": disable their account in Entra, end their sessions, deactivate (R-E8).
    pub offboard: bool,
    /// "Manager…": who hears about the assets they hold after leaving (R-D10).
    pub manager: bool,
    /// "Manager…" may read it from Microsoft Entra ID: they are linked.
    pub manager_from_entra: bool,
}

impl UserActions {
    /// `active_owners`: how many Owners are active now (the last can never be deactivated).
    pub fn of(by: &Actor, user: &User, active_owners: u32) -> UserActions {
        let linked = user.entra_linked();
        UserActions {
            deactivate: may_deactivate(by, user, active_owners).is_ok(),
            reactivate: may_reactivate(by, user).is_ok(),
            protect: may_protect(by, user).is_ok(),
            edit: may_edit(by, user).is_ok(),
            set_password: may_set_password(by, user).is_ok(),
            check: by.require_admin("check a person in Entra").is_ok() && linked,
            offboard: linked && !user.protected && may_deactivate(by, user, active_owners).is_ok(),
            manager: by.require_admin("set people's managers").is_ok(),
            manager_from_entra: linked && by.require_admin("set people's managers").is_ok(),
        }
    }
}

/// Acting on an Owner takes an Owner.
fn may_act_on(
    by: &Actor,
    user: &User,
    doing: &'static str,
    on_owner: &'static str,
) -> Result<(), DirectoryError> {
    by.require_admin(doing)?;
    if user.role == Role::Owner {
        by.require_owner(on_owner)?;
    }
    Ok(())
}

pub(super) fn may_deactivate(
    by: &Actor,
    user: &User,
    active_owners: u32,
) -> Result<(), DirectoryError> {
    may_act_on(by, user, "deactivate users", "deactivate an Owner")?;
    if by.user_id() == Some(user.id) {
        return Err(DirectoryError::SelfDeactivation);
    }
    can_be_deactivated(user, active_owners)
}

/// Whoever deactivates (a person or the sync): not twice, and never the last active Owner.
pub(super) fn can_be_deactivated(user: &User, active_owners: u32) -> Result<(), DirectoryError> {
    if user.status == UserStatus::Deactivated {
        return Err(DirectoryError::AlreadyDeactivated(user.email.clone()));
    }
    if user.role == Role::Owner && active_owners <= 1 {
        return Err(DirectoryError::LastOwner(user.email.clone()));
    }
    Ok(())
}

pub(super) fn may_reactivate(by: &Actor, user: &User) -> Result<(), DirectoryError> {
    may_act_on(by, user, "reactivate users", "reactivate an Owner")?;
    if user.status == UserStatus::Active {
        return Err(DirectoryError::AlreadyActive(user.email.clone()));
    }
    Ok(())
}

pub(super) fn may_protect(by: &Actor, user: &User) -> Result<(), DirectoryError> {
    may_act_on(
        by,
        user,
        "protect users from automatic deactivation",
        "change an Owner's protection",
    )
}

/// Adding and importing people (the Users page offers them when this allows).
pub(super) fn may_add(by: &Actor) -> Result<(), DirectoryError> {
    Ok(by.require_admin("add users")?)
}

/// Whether `by` may edit `user` at all; which roles they may give is checked against the
/// edit itself (see `edit_user`).
pub(super) fn may_edit(by: &Actor, user: &User) -> Result<(), DirectoryError> {
    may_act_on(by, user, "edit users", "edit an Owner")
}

/// Someone else's password, for a user who signs in with one. A person changes their own
/// with their current password instead, so a left-open window cannot be used to take over
/// its owner's account.
pub(crate) fn may_set_password(by: &Actor, user: &User) -> Result<(), DirectoryError> {
    if by.user_id() == Some(user.id) {
        return Err(DirectoryError::OwnPassword);
    }
    may_act_on(
        by,
        user,
        "set other people's passwords",
        "set an Owner's password",
    )?;
    if user.sign_in != SignInMethod::Password {
        return Err(DirectoryError::NoPasswordSignIn {
            email: user.email.clone(),
            method: user.sign_in,
        });
    }
    Ok(())
}
