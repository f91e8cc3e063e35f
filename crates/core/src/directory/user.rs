//! A person in the directory: how they sign in, whether they are active, and why not.

use serde::{Deserialize, Serialize};

use crate::access::{Actor, Person, Role};
use crate::text_enum::text_enum;

text_enum! {
    /// How a user signs in; only `microsoft` users are checked against Entra ID.
    SignInMethod, "sign-in method", "password, google or microsoft" {
        Password => "password",
        Google => "google",
        Microsoft => "microsoft",
    }
}

text_enum! {
    UserStatus, "status", "active or deactivated" {
        Active => "active",
        Deactivated => "deactivated",
    }
}

text_enum! {
    /// Active people the organization cannot rely on as they are: those who sign in with a
    /// password but have none (they cannot sign in), and Microsoft people without an Entra
    /// link (the sync never checks them).
    AccountGap, "account gap", "cannot_sign_in or not_linked" {
        CannotSignIn => "cannot_sign_in",
        NotLinked => "not_linked",
    }
}

text_enum! {
    DeactivationReason, "deactivation reason", "disabled_in_entra, deleted_from_entra or manual" {
        DisabledInEntra => "disabled_in_entra",
        DeletedFromEntra => "deleted_from_entra",
        Manual => "manual",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct User {
    #[ts(type = "number")]
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub sign_in: SignInMethod,
    pub entra_object_id: Option<String>,
    pub status: UserStatus,
    pub deactivated_at: Option<String>,
    pub deactivated_by: Option<String>,
    pub deactivation_reason: Option<DeactivationReason>,
    pub created_at: String,
    /// "Never deactivate automatically": the sync reports this user but never deactivates
    /// them (break-glass and service accounts). Deactivating by hand still works.
    pub protected: bool,
    /// The tenant (GUID) the Entra link was made in; None until a connection adopts it.
    pub entra_tenant_id: Option<String>,
}

impl User {
    /// Signs in with Microsoft and is linked to an Entra account: the people a run checks,
    /// "Check now" reads and "Offboard…" disables there.
    pub fn entra_linked(&self) -> bool {
        self.sign_in == SignInMethod::Microsoft && self.entra_object_id.is_some()
    }

    /// This user acting, as the access rules see a person.
    pub fn as_actor(&self) -> Actor {
        Actor::Person(Person {
            user_id: self.id,
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            role: self.role,
        })
    }
}

/// How messages name a sign-in method.
pub fn sign_in_name(method: SignInMethod) -> &'static str {
    match method {
        SignInMethod::Password => "password",
        SignInMethod::Google => "Google",
        SignInMethod::Microsoft => "Microsoft",
    }
}
