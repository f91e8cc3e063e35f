//! Accounts with fixed object ids, for tenants that must look the same on every start (the
//! demo organization's, a test's): the `--seed` file of the binary and `Simulator::seed`.

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SeedAccount {
    pub id: String,
    pub upn: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Soft-deleted: restorable, but GET answers 404.
    #[serde(default)]
    pub deleted: bool,
    /// A guest (`userType` Guest), invited from another organization.
    #[serde(default)]
    pub guest: bool,
    /// `displayName`; by default the UPN's local part.
    #[serde(default)]
    pub name: Option<String>,
    /// Directory roles by display name ("Global Administrator", "Application
    /// Administrator", …), as `Simulator::set_roles` takes them.
    #[serde(default)]
    pub roles: Vec<String>,
}

fn yes() -> bool {
    true
}
