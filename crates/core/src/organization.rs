//! The organization (R-D1): one per data directory, with its plan (R-D6) and its first Owner.

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::access::Actor;
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
}

/// What first-run setup (or `uniasset org init`) asks for.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewOrganization {
    pub name: String,
    pub plan: Plan,
    pub owner_email: String,
    pub owner_name: String,
    /// Optional on the command line: such an Owner cannot sign in until a password is set.
    pub owner_password: Option<Password>,
}

const MAX_NAME: usize = 120;

#[derive(Debug, thiserror::Error)]
pub enum OrganizationError {
    #[error("This data directory already holds the organization \"{0}\".")]
    AlreadySetUp(String),
    #[error("No organization is set up in this data directory yet. Run first-run setup or `uniasset org init`.")]
    NotSetUp,
    #[error("The organization needs a name.")]
    EmptyName,
    #[error("The organization's name must be at most {MAX_NAME} characters.")]
    NameTooLong,
    #[error("The Owner's account is not valid: {}", directory::describe(.0))]
    InvalidOwner(Vec<UserProblem>),
    #[error("{action} needs the Enterprise plan; this organization is on the {} plan.", .plan.title())]
    NeedsEnterprise { action: &'static str, plan: Plan },
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
            NotSetUp => "organization_missing",
            EmptyName | NameTooLong => "invalid_organization_name",
            InvalidOwner(_) => "invalid_user",
            NeedsEnterprise { .. } => "needs_enterprise",
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
            "SELECT name, plan, created_at, demo FROM organization WHERE id = 1",
            [],
            |r| {
                Ok(Organization {
                    name: r.get(0)?,
                    plan: r.get(1)?,
                    created_at: r.get(2)?,
                    demo: r.get(3)?,
                })
            },
        )
        .optional()?)
}

pub fn get(store: &Store) -> Result<Organization, OrganizationError> {
    find(store)?.ok_or(OrganizationError::NotSetUp)
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

/// Creates the organization and its Owner in one transaction: both or neither.
pub fn create(
    store: &mut Store,
    setup: &NewOrganization,
    by: &Actor,
) -> Result<Organization, OrganizationError> {
    let name = setup.name.trim();
    if name.is_empty() {
        return Err(OrganizationError::EmptyName);
    }
    if name.chars().count() > MAX_NAME {
        return Err(OrganizationError::NameTooLong);
    }
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
    })
}
