//! The organization (R-D1): one per data directory, with its plan (R-D6) and its first Owner.

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use std::ops::RangeInclusive;
use std::path::PathBuf;

use crate::access::{AccessError, Actor};
use crate::audit;
use crate::directory::{self, NewUser, Role, SignInMethod, UserProblem};
use crate::password::{self, Password, PasswordError};
use crate::store::{Store, StoreError};
use crate::text_enum::text_enum;
use crate::timestamp;

text_enum! {
    /// What the organization pays for; auto-deprovisioning needs Enterprise.
    Plan, "plan", "free, team or enterprise" {
        Free => "free",
        Team => "team",
        Enterprise => "enterprise",
    }
}

impl Plan {
    pub fn title(self) -> &'static str {
        match self {
            Plan::Free => "Free",
            Plan::Team => "Team",
            Plan::Enterprise => "Enterprise",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Organization {
    pub name: String,
    pub plan: Plan,
    pub created_at: String,
    /// A demo organization, connected to the built-in simulated Entra tenant.
    pub demo: bool,
    /// A session unused for this long has ended (R-X2); Owners and Admins choose it.
    pub idle_timeout_minutes: u32,
}

/// How long a session may sit unused, unless an Owner or Admin says otherwise.
pub const DEFAULT_IDLE_TIMEOUT_MINUTES: u32 = 15;
/// From a minute to a working day.
pub const IDLE_TIMEOUT_MINUTES: RangeInclusive<u32> = 1..=480;

/// What first-run setup (or `uniasset org init`) asks for.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewOrganization {
    pub name: String,
    pub plan: Plan,
    pub owner_email: String,
    pub owner_name: String,
    /// Optional only on the command line (`create`): such an Owner cannot sign in until a
    /// password is set. First-run setup in the window (`create_first_run`) requires it.
    pub owner_password: Option<Password>,
}

const MAX_NAME: usize = 120;

#[derive(Debug, thiserror::Error)]
pub enum OrganizationError {
    #[error("This data directory already holds the organization \"{}\".", crate::text::excerpt(.0))]
    AlreadySetUp(String),
    #[error("No organization is set up in {} yet. Run first-run setup or `uniasset org init`.", .0.display())]
    NotSetUp(PathBuf),
    #[error("The organization needs a name.")]
    EmptyName,
    #[error("The organization's name must be at most {MAX_NAME} characters.")]
    NameTooLong,
    /// R-X3.
    #[error("{}", crate::text::sentence(.0))]
    NameControl(crate::text::ControlCharacter),
    #[error("The Owner's account is not valid: {}", directory::describe(.0))]
    InvalidOwner(Vec<UserProblem>),
    #[error("{action} needs the Enterprise plan; this organization is on the {} plan.", .plan.title())]
    NeedsEnterprise { action: &'static str, plan: Plan },
    #[error("The Owner needs a password: without one, nobody could sign in to UniAsset.")]
    OwnerNeedsPassword,
    #[error(
        "Choose between {} and {} minutes without use before a session ends.",
        IDLE_TIMEOUT_MINUTES.start(),
        IDLE_TIMEOUT_MINUTES.end()
    )]
    IdleTimeoutOutOfRange,
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for OrganizationError {
    fn code(&self) -> &'static str {
        use OrganizationError::*;
        match self {
            AlreadySetUp(_) => "organization_exists",
            NotSetUp(_) => "organization_missing",
            EmptyName | NameTooLong | NameControl(_) => "invalid_organization_name",
            InvalidOwner(_) => "invalid_user",
            NeedsEnterprise { .. } => "needs_enterprise",
            OwnerNeedsPassword => "owner_password_required",
            IdleTimeoutOutOfRange => "invalid_idle_timeout",
            Access(e) => e.code(),
            Password(e) => e.code(),
            Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for OrganizationError {
    fn from(e: rusqlite::Error) -> Self {
        OrganizationError::Store(e.into())
    }
}

/// The organization, if one has been set up.
pub fn find(store: &Store) -> Result<Option<Organization>, StoreError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT name, plan, created_at, demo, idle_timeout_minutes FROM organization WHERE id = 1",
            [],
            |r| {
                Ok(Organization {
                    name: r.get(0)?,
                    plan: r.get(1)?,
                    created_at: r.get(2)?,
                    demo: r.get(3)?,
                    idle_timeout_minutes: r.get(4)?,
                })
            },
        )
        .optional()?)
}

pub fn get(store: &Store) -> Result<Organization, OrganizationError> {
    find(store)?.ok_or_else(|| OrganizationError::NotSetUp(store.data_dir().to_owned()))
}

/// Refuses `action` unless the organization is on the Enterprise plan (R-D6).
pub fn require_enterprise(store: &Store, action: &'static str) -> Result<(), OrganizationError> {
    let plan = get(store)?.plan;
    if plan == Plan::Enterprise {
        Ok(())
    } else {
        Err(OrganizationError::NeedsEnterprise { action, plan })
    }
}

/// First-run setup in the window: as `create`, but the Owner must have a password, since
/// the window is the only way in and nobody could sign in to it otherwise.
pub fn create_first_run(
    store: &mut Store,
    setup: &NewOrganization,
) -> Result<Organization, OrganizationError> {
    if setup.owner_password.is_none() {
        return Err(OrganizationError::OwnerNeedsPassword);
    }
    create(store, setup, &Actor::FirstRunSetup)
}

/// Creates the organization and its Owner in one transaction: both or neither. The Owner
/// may be left without a password (the command line's `org init`); the window calls
/// `create_first_run`, which refuses that.
pub fn create(
    store: &mut Store,
    setup: &NewOrganization,
    by: &Actor,
) -> Result<Organization, OrganizationError> {
    let name = checked_name(&setup.name)?;
    let owner = NewUser {
        email: setup.owner_email.clone(),
        display_name: setup.owner_name.clone(),
        role: Role::Owner,
        sign_in: SignInMethod::Password,
        entra_object_id: None,
    }
    .validate()
    .map_err(OrganizationError::InvalidOwner)?;
    let password_hash = match &setup.owner_password {
        Some(pw) => {
            password::check_strength(pw, &[&owner.email, &owner.display_name, name])?;
            Some(password::hash(pw)?)
        }
        None => None,
    };

    let tx = store.write()?;
    let existing: Option<String> = tx
        .query_row("SELECT name FROM organization WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(existing) = existing {
        return Err(OrganizationError::AlreadySetUp(existing));
    }
    let now = timestamp::now();
    tx.execute(
        "INSERT INTO organization (id, name, plan, created_at) VALUES (1, ?1, ?2, ?3)",
        rusqlite::params![name, setup.plan, now],
    )?;
    let owner_id = directory::insert(&tx, &owner, password_hash.as_deref())?;
    audit::record(
        &tx,
        by,
        audit::Entry::user("organization.created", owner_id).detail(format!(
            "Organization \"{name}\" on the {} plan",
            setup.plan.title()
        )),
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(Organization {
        name: name.to_owned(),
        plan: setup.plan,
        created_at: now,
        demo: false,
        idle_timeout_minutes: DEFAULT_IDLE_TIMEOUT_MINUTES,
    })
}

/// The name as it will be kept: trimmed, not empty, at most `MAX_NAME` characters.
fn checked_name(name: &str) -> Result<&str, OrganizationError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(OrganizationError::EmptyName);
    }
    if name.chars().count() > MAX_NAME {
        return Err(OrganizationError::NameTooLong);
    }
    crate::text::refuse_controls("organization's name", name)
        .map_err(OrganizationError::NameControl)?;
    Ok(name)
}

/// Renames the organization (an Owner's decision), under the same rules as at creation.
pub fn rename(
    store: &mut Store,
    by: &Actor,
    name: &str,
) -> Result<Organization, OrganizationError> {
    crate::access::check_organization(by)?;
    let name = checked_name(name)?;
    get(store)?;
    let tx = store.write()?;
    // Read under the write lock, so "was" names what this rename replaced.
    let before: String = tx.query_row("SELECT name FROM organization WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    if before != name {
        tx.execute("UPDATE organization SET name = ?1 WHERE id = 1", [name])?;
        audit::record(
            &tx,
            by,
            audit::Entry::organization("organization.renamed")
                .detail(format!("Renamed to \"{name}\" (was \"{before}\")")),
        )?;
    }
    tx.commit().map_err(StoreError::from)?;
    get(store)
}

/// Sets how many minutes a session may sit unused before it ends (an Owner's or Admin's
/// choice, within `IDLE_TIMEOUT_MINUTES`). Open sessions follow the new value at once.
pub fn set_idle_timeout(
    store: &mut Store,
    by: &Actor,
    minutes: i64,
) -> Result<Organization, OrganizationError> {
    crate::access::check_idle_timeout(by)?;
    let minutes = u32::try_from(minutes)
        .ok()
        .filter(|m| IDLE_TIMEOUT_MINUTES.contains(m))
        .ok_or(OrganizationError::IdleTimeoutOutOfRange)?;
    let before = get(store)?.idle_timeout_minutes;
    let tx = store.write()?;
    tx.execute(
        "UPDATE organization SET idle_timeout_minutes = ?1 WHERE id = 1",
        [minutes],
    )?;
    if before != minutes {
        audit::record(
            &tx,
            by,
            audit::Entry::organization("organization.idle_timeout_changed").detail(format!(
                "Sessions end after {minutes} minutes without use (was {before})"
            )),
        )?;
    }
    tx.commit().map_err(StoreError::from)?;
    get(store)
}
