//! Who is acting, and what they may do (R-D5). Every rule that needs an Owner or Admin asks
//! here, so the rule holds for the window, the tray and the command line alike.

use crate::text_enum::text_enum;

text_enum! {
    Role, "role", "owner, admin or member" {
        Owner => "owner",
        Admin => "admin",
        Member => "member",
    }
}

/// A signed-in person, as read from the store when their session was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user_id: i64,
    pub display_name: String,
    pub email: String,
    pub role: Role,
}

/// Whoever performs an action; audit entries name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Person(Person),
    /// The `uniasset` tool, acting with the authority of the OS account that owns the data.
    CommandLine,
    /// The first-run screen creating the organization and its Owner.
    FirstRunSetup,
    /// The deprovision sync acting on Entra ID's word.
    EntraSync,
    /// Sign-in throttling locking an email out after repeated failures: nobody proved who
    /// they were, so no person is named.
    SignInProtection,
    /// The app's own timetable acting with nobody at the keyboard (the daily backup).
    Scheduler,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccessError {
    #[error("Only an Owner or Admin can {0}.")]
    NeedsAdmin(&'static str),
    #[error("Only an Owner can {0}.")]
    NeedsOwner(&'static str),
}

impl crate::ErrorCode for AccessError {
    fn code(&self) -> &'static str {
        match self {
            AccessError::NeedsAdmin(_) => "needs_admin",
            AccessError::NeedsOwner(_) => "needs_owner",
        }
    }
}

impl Actor {
    /// How audit trails and deactivation records name this actor.
    pub fn label(&self) -> String {
        match self {
            Actor::Person(p) => format!("{} <{}>", p.display_name, p.email),
            Actor::CommandLine => "command line".to_owned(),
            Actor::FirstRunSetup => "first-run setup".to_owned(),
            Actor::EntraSync => "Microsoft Entra ID sync".to_owned(),
            Actor::SignInProtection => "sign-in protection".to_owned(),
            Actor::Scheduler => "UniAsset's scheduler".to_owned(),
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Actor::Person(p) => Some(p.user_id),
            _ => None,
        }
    }

    /// `action` completes "Only an Owner or Admin can …".
    pub fn require_admin(&self, action: &'static str) -> Result<(), AccessError> {
        match self {
            Actor::Person(p) if p.role == Role::Member => Err(AccessError::NeedsAdmin(action)),
            Actor::Person(_) | Actor::CommandLine => Ok(()),
            Actor::FirstRunSetup
            | Actor::EntraSync
            | Actor::SignInProtection
            | Actor::Scheduler => Err(AccessError::NeedsAdmin(action)),
        }
    }

    /// `action` completes "Only an Owner can …".
    pub fn require_owner(&self, action: &'static str) -> Result<(), AccessError> {
        match self {
            Actor::Person(p) if p.role == Role::Owner => Ok(()),
            Actor::CommandLine => Ok(()),
            _ => Err(AccessError::NeedsOwner(action)),
        }
    }
}

/// Starting UniAsset at login is what keeps the nightly sync running for the whole
/// organization after a restart (R-T5), so only an Owner or Admin turns it on or off.
pub fn check_start_at_login(by: &Actor) -> Result<(), AccessError> {
    by.require_admin("turn starting UniAsset at login on or off")
}

pub fn check_idle_timeout(by: &Actor) -> Result<(), AccessError> {
    by.require_admin("change when idle sessions end")
}

pub fn check_integrations(by: &Actor) -> Result<(), AccessError> {
    by.require_admin("manage Microsoft Entra ID")
}

/// The organization's name and plan are the Owner's: the plan decides what the
/// organization pays for and whether automatic deprovisioning may run at all.
pub fn check_organization(by: &Actor) -> Result<(), AccessError> {
    by.require_owner("rename the organization or change its plan")
}

pub fn check_audit_log(by: &Actor) -> Result<(), AccessError> {
    by.require_admin("read the audit log")
}

/// Diagnostics and the log hold the sync runs' results and the people they name, which
/// only Owners and Admins see in the window.
pub fn check_backups(by: &Actor) -> Result<(), AccessError> {
    by.require_admin("make backups or change where and how often they are made")
}

/// Restoring replaces the whole organization, and the passphrase decides who can ever read
/// the copies: the Owner's alone.
pub fn check_backup_keys(by: &Actor) -> Result<(), AccessError> {
    by.require_owner("restore a backup or set the backup passphrase")
}

pub fn check_support(by: &Actor) -> Result<(), AccessError> {
    by.require_admin("copy diagnostics or open the logs folder")
}

/// An update replaces the program everyone's organization runs on.
pub fn check_updates(by: &Actor) -> Result<(), AccessError> {
    by.require_admin("check for or install updates")
}

/// What the signed-in person may manage in Settings, from the same checks the commands
/// make, so the window offers exactly what will be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SettingsAccess {
    /// The Integrations tab (Microsoft Entra ID).
    pub integrations: bool,
    pub start_at_login: bool,
    pub idle_timeout: bool,
    /// Renaming the organization and changing its plan (Settings → General).
    pub organization: bool,
    /// Settings → Audit log.
    pub audit_log: bool,
    /// Settings → General: Copy diagnostics and Open logs folder.
    pub support: bool,
    /// Settings → General → Backups: Back up now, the folder, how often and how many.
    pub backups: bool,
    /// Restoring a backup and setting its passphrase.
    pub backup_keys: bool,
    /// Settings → General → Updates.
    pub updates: bool,
}

impl SettingsAccess {
    pub fn of(by: &Actor) -> SettingsAccess {
        SettingsAccess {
            integrations: check_integrations(by).is_ok(),
            start_at_login: check_start_at_login(by).is_ok(),
            idle_timeout: check_idle_timeout(by).is_ok(),
            organization: check_organization(by).is_ok(),
            audit_log: check_audit_log(by).is_ok(),
            support: check_support(by).is_ok(),
            backups: check_backups(by).is_ok(),
            backup_keys: check_backup_keys(by).is_ok(),
            updates: check_updates(by).is_ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(role: Role) -> Actor {
        Actor::Person(Person {
            user_id: 1,
            display_name: "Ann".into(),
            email: "ann@example.com".into(),
            role,
        })
    }

    #[test]
    fn members_are_not_admins() {
        assert_eq!(
            person(Role::Member).require_admin("deactivate users"),
            Err(AccessError::NeedsAdmin("deactivate users"))
        );
        assert!(person(Role::Admin).require_admin("x").is_ok());
        assert!(person(Role::Owner).require_admin("x").is_ok());
        assert!(Actor::CommandLine.require_admin("x").is_ok());
        assert!(Actor::EntraSync.require_admin("x").is_err());
    }

    #[test]
    fn only_owners_and_admins_change_start_at_login() {
        let err = check_start_at_login(&person(Role::Member)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only an Owner or Admin can turn starting UniAsset at login on or off."
        );
        assert!(check_start_at_login(&person(Role::Admin)).is_ok());
        assert!(check_start_at_login(&person(Role::Owner)).is_ok());
        assert!(check_start_at_login(&Actor::SignInProtection).is_err());
    }

    #[test]
    fn admins_back_up_and_only_owners_restore_or_hold_the_passphrase() {
        let may = |actor: &Actor| {
            let a = SettingsAccess::of(actor);
            (a.backups, a.backup_keys)
        };
        assert_eq!(may(&person(Role::Owner)), (true, true));
        assert_eq!(may(&person(Role::Admin)), (true, false));
        assert_eq!(may(&person(Role::Member)), (false, false));
        assert_eq!(
            check_backup_keys(&person(Role::Admin))
                .unwrap_err()
                .to_string(),
            "Only an Owner can restore a backup or set the backup passphrase."
        );
    }

    #[test]
    fn only_owners_run_the_organization_and_admins_read_the_audit_log() {
        let may = |actor: &Actor| {
            let a = SettingsAccess::of(actor);
            (a.organization, a.audit_log)
        };
        assert_eq!(may(&person(Role::Owner)), (true, true));
        assert_eq!(may(&person(Role::Admin)), (false, true));
        assert_eq!(may(&person(Role::Member)), (false, false));
        assert_eq!(may(&Actor::CommandLine), (true, true));
        assert_eq!(may(&Actor::EntraSync), (false, false));
        assert_eq!(
            check_organization(&person(Role::Admin))
                .unwrap_err()
                .to_string(),
            "Only an Owner can rename the organization or change its plan."
        );
        assert_eq!(
            check_audit_log(&person(Role::Member))
                .unwrap_err()
                .to_string(),
            "Only an Owner or Admin can read the audit log."
        );
    }

    #[test]
    fn only_owners_act_on_owners() {
        assert!(person(Role::Admin).require_owner("x").is_err());
        assert!(person(Role::Owner).require_owner("x").is_ok());
    }

    #[test]
    fn labels_name_the_actor() {
        assert_eq!(person(Role::Owner).label(), "Ann <ann@example.com>");
        assert_eq!(Actor::EntraSync.label(), "Microsoft Entra ID sync");
        assert_eq!(Actor::CommandLine.label(), "command line");
    }
}
