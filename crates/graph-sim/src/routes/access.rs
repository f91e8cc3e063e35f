//! Who may call what: the permission a token must carry for each kind of request, and
//! Graph's 403 for a caller without it.

use crate::directory_roles::{APP_ADMIN_ROLE_IDS, GRANT_ROLE_IDS};
use crate::reply::{GraphError, RequestIds};
use crate::state::Shared;
use crate::tokens::Grant;
use crate::user::User;
use axum::http::StatusCode;
use serde_json::Value;
use std::sync::atomic::Ordering;

/// Application permissions that allow reading users' accountEnabled.
const USER_READ_ROLES: [&str; 3] = ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All"];

pub(crate) const APPLICATION_READ_WRITE: &str = "Application.ReadWrite.All";
pub(crate) const APP_ROLE_ASSIGNMENT_READ_WRITE: &str = "AppRoleAssignment.ReadWrite.All";

fn forbidden(ids: &RequestIds) -> (StatusCode, Value) {
    (
        StatusCode::FORBIDDEN,
        ids.error_body(
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ),
    )
}

/// The 403 of a users endpoint, if due: the caller must be an application granted
/// User.Read.All (or broader), and `Simulator::set_permission_granted` must not have
/// taken the grant away.
pub(crate) fn denied_user_read(
    shared: &Shared,
    ids: &RequestIds,
    caller: &Grant,
) -> Option<(StatusCode, Value)> {
    (!granted_any(shared, caller, &USER_READ_ROLES)).then(|| forbidden(ids))
}

/// Ending a user's sessions: an application granted User.RevokeSessions.All (or broader).
pub(crate) fn may_revoke_sessions(
    shared: &Shared,
    ids: &RequestIds,
    caller: &Grant,
) -> Result<(), GraphError> {
    let roles = [
        "User.RevokeSessions.All",
        "User.ReadWrite.All",
        "Directory.ReadWrite.All",
    ];
    refuse_unless(granted_any(shared, caller, &roles), ids)
}

/// Setting `accountEnabled`: an application granted User.EnableDisableAccount.All with a
/// permission to read users, or User.ReadWrite.All; and never on a user holding an
/// administrator role, which takes a privileged role Entra does not give applications here.
pub(crate) fn may_enable_disable(
    shared: &Shared,
    ids: &RequestIds,
    caller: &Grant,
    target: &User,
) -> Result<(), GraphError> {
    let permitted = (granted_any(shared, caller, &["User.EnableDisableAccount.All"])
        && granted_any(shared, caller, &USER_READ_ROLES))
        || granted_any(shared, caller, &["User.ReadWrite.All"]);
    refuse_unless(permitted && target.roles.is_empty(), ids)
}

fn granted_any(shared: &Shared, caller: &Grant, roles: &[&str]) -> bool {
    shared.permission_granted.load(Ordering::Relaxed)
        && roles.iter().any(|role| caller.has_app_role(role))
}

/// Reading app registrations and service principals: a signed-in user (any role) who
/// consented to `Application.ReadWrite.All` (or `Application.Read.All`).
pub(crate) fn may_read_applications(ids: &RequestIds, caller: &Grant) -> Result<(), GraphError> {
    let allowed = ["Application.Read.All", APPLICATION_READ_WRITE]
        .iter()
        .any(|scope| caller.is_delegated_with(scope, &[]));
    refuse_unless(allowed, ids)
}

/// Writing app registrations and service principals: a signed-in user holding `scope` and
/// one of the roles that may register applications. An application's own token never may.
pub(crate) fn may_write(ids: &RequestIds, caller: &Grant, scope: &str) -> Result<(), GraphError> {
    refuse_unless(caller.is_delegated_with(scope, &APP_ADMIN_ROLE_IDS), ids)
}

/// Granting an app role (admin consent to an application permission): a Global
/// Administrator or Privileged Role Administrator holding `scope`.
pub(crate) fn may_grant(ids: &RequestIds, caller: &Grant, scope: &str) -> Result<(), GraphError> {
    refuse_unless(caller.is_delegated_with(scope, &GRANT_ROLE_IDS), ids)
}

fn refuse_unless(allowed: bool, ids: &RequestIds) -> Result<(), GraphError> {
    if allowed {
        return Ok(());
    }
    Err(forbidden(ids).into())
}
