//! The Microsoft Entra ID connection (R-E1…R-E5): tenant, app, cloud, the secret in the
//! keychain, the auto-deprovision setting and its mass-deactivation guard.

mod accounts;
mod check_interval;
mod connect;
mod deactivation;
mod end_sessions;
mod expiry;
mod form;
mod grant;
mod managers;
mod matching;
mod offboard;
pub mod people;
mod reactivation;
mod renewal;
mod settings;
mod setup;

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::access::AccessError;
use crate::graph::{ClientOptions, GraphClient, GraphError};
use crate::organization::OrganizationError;
use crate::secrets::{Keychain, SecretError};
use crate::store::{Store, StoreError};
// Clouds and their endpoints belong to the Graph client; the connection names them.
pub use crate::graph::cloud;
use cloud::{Cloud, EndpointError, Endpoints};

pub use crate::graph::device_code::{CancelSignIn, DeviceCodePrompt};
pub use accounts::known_state;
pub(crate) use accounts::{known_states, known_states_of};
pub use check_interval::{
    set_check_interval, turn_on_refused, CHECK_INTERVAL_MINUTES, DEFAULT_CHECK_MINUTES,
};
pub(crate) use connect::adopt_unassigned_links;
pub use connect::{connect, disconnect, test};
pub use deactivation::deactivate;
pub(crate) use end_sessions::{
    catch_up as end_sessions_catch_up, since_in as end_sessions_since_in,
};
pub use end_sessions::{sessions_end, set_end_sessions, SessionsEnd, SessionsOutcome};
pub(crate) use expiry::secret_notice_in;
pub use form::{field_problems, FieldProblem, FormField};
pub use grant::{begin_grant, finish_grant, Feature, Granted};
pub use managers::manager_from_entra;
pub(crate) use managers::note_leavers_managers;
pub use matching::{match_accounts, MatchReport, Unmatched};
pub use offboard::{offboard, OffboardChoice, Offboarding};
pub use people::{
    add_people, people, provision, set_auto_add_users, EntraPeople, EntraPerson, LeftAlone,
    ProvisionOutcome, ProvisionReport,
};
pub use reactivation::{reactivate, EntraCheck, ReactivationError};
pub use renewal::{begin_renewal, finish_renewal, SecretRenewal};
pub(crate) use settings::{auto_deprovision_in, turn_off_auto_deprovision_in};
pub use settings::{save, set_auto_deprovision, set_run_deadline, settings, RUN_DEADLINE_MINUTES};
pub use setup::{begin_setup, finish_setup, AdminSignIn, SetupTarget};

/// Days before the secret's expiry date from which UniAsset warns.
pub const SECRET_WARNING_DAYS: i64 = 14;
/// Days before the secret's expiry date from which UniAsset offers to renew it.
pub const SECRET_RENEWAL_DAYS: i64 = 30;

/// What the connect form sends; the secret travels separately and is never stored here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ConnectionInput {
    /// The directory (tenant) ID, a GUID, or a verified domain such as contoso.onmicrosoft.com.
    pub tenant: String,
    /// The application (client) ID, a GUID.
    pub client_id: String,
    pub cloud: Cloud,
    /// Only for a custom cloud.
    pub login_url: Option<String>,
    pub graph_url: Option<String>,
    /// Optional, YYYY-MM-DD: UniAsset warns 14 days before.
    pub secret_expires_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Connection {
    pub tenant: String,
    pub client_id: String,
    pub cloud: Cloud,
    pub endpoints: Endpoints,
    pub secret_expires_on: Option<String>,
    pub connected_at: String,
    pub connected_by: String,
    /// The tenant's GUID as Microsoft reports it (None for connections made before
    /// UniAsset recorded it; the next run learns it).
    pub tenant_id: Option<String>,
    /// The app registration was made by "Set it up for me" (not entered by hand).
    pub set_up_by_uniasset: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct MassDeactivationGuard {
    /// A run holds for review when it would deactivate more than this many users…
    pub min_users: u32,
    /// …and more than this percentage of the users it checked.
    pub percent: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntraSettings {
    pub connection: Option<Connection>,
    pub auto_deprovision: bool,
    /// When auto-deprovision was last turned on.
    pub enabled_at: Option<String>,
    pub guard: MassDeactivationGuard,
    /// A run not finished after this many minutes ends as failed and deactivates nobody.
    pub run_deadline_minutes: u32,
    /// Set when the client secret expires within 14 days or has expired.
    pub secret_warning: Option<String>,
    /// The secret expires within 30 days or has expired (its date known): "Renew secret"
    /// is offered.
    pub renewal_due: bool,
    /// The sentence offering renewal, naming the date, while `renewal_due`.
    pub secret_renewal: Option<String>,
    /// "Add new Entra users automatically": each sync run (the nightly one included) also
    /// adds enabled member accounts created in Entra since `auto_add_since`, as Members.
    pub auto_add_new_users: bool,
    /// When adding new users automatically was last turned on.
    pub auto_add_since: Option<String>,
    /// The connection came back from a backup on a computer whose keychain lacks its client
    /// secret (secrets are never in backups): connect again with the secret, or Set it up
    /// for me. Automatic runs stay off until then.
    pub secret_needed: bool,
    /// "Also check for changes every N minutes while UniAsset is running" (issue 15); None:
    /// off, only the nightly run checks.
    pub check_every_minutes: Option<u32>,
    /// "End their Microsoft sessions" (issue 25): since when it is on; None: off.
    pub end_sessions_since: Option<String>,
    /// While on: why sessions cannot be ended yet (the permission is missing).
    pub end_sessions_blocked: Option<String>,
    /// Why "Offboard…" cannot disable accounts in Entra yet (the permission is missing); None
    /// when it can, or while not known.
    pub offboard_blocked: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum EntraError {
    #[error(
        "{} is not a tenant ID (a GUID) or a verified domain (such as contoso.onmicrosoft.com).",
        crate::text::excerpt(.0)
    )]
    InvalidTenant(String),
    #[error("{} is not an application (client) ID: it is a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e.", crate::text::excerpt(.0))]
    InvalidClientId(String),
    #[error("The client secret is empty.")]
    EmptySecret,
    #[error("This looks like the secret's ID, not its Value. In App registrations → Certificates & secrets, copy the Value column (it is shown only right after the secret is created; if it is hidden now, create a new secret).")]
    SecretIdNotValue,
    #[error("The secret contains spaces or line breaks, so it was not copied whole. Copy the Value again with the copy button beside it.")]
    SecretHasSpaces,
    #[error("This is the Directory (tenant) ID. The Application (client) ID is the other ID on the app's Overview page.")]
    TenantIdAsClientId,
    #[error("{account} signed in, but may not {needs} Nothing was left in Microsoft Entra ID.")]
    AdminRoleNeeded {
        account: String,
        /// What was refused and who may do it, ending with what to do instead.
        needs: &'static str,
    },
    #[error("{account} belongs to a different Microsoft Entra ID organization than the one connected. Sign in with an administrator of the connected tenant. Nothing was changed.")]
    OtherTenant { account: String },
    #[error("The app registration UniAsset signs in with (client ID {client_id}) is no longer in the tenant, so its secret cannot be renewed. Disconnect, then use \"Set it up for me\" again. Nothing was changed.")]
    AppRegistrationGone { client_id: String },
    #[error("UniAsset did not start a sign-in to finish, or it was already used. Start again.")]
    NoSignInPending,
    #[error(
        "{error} Also, {left}: remove it in the Microsoft Entra admin center, App registrations."
    )]
    LeftBehind {
        error: Box<EntraError>,
        left: String,
    },
    #[error("\"{}\" is not a date: use YYYY-MM-DD.", crate::text::excerpt(.0))]
    InvalidDate(String),
    #[error("The mass-deactivation guard's percentage must be between 0 and 100 (got {0}).")]
    InvalidGuard(u32),
    #[error("A run's time limit must be between 1 and 1440 minutes (got {0}).")]
    InvalidDeadline(u32),
    #[error("Frequent checks run every 5 to 60 minutes (got {0}).")]
    InvalidCheckInterval(u32),
    #[error("Frequent checks look for changes between the nightly runs, so they need auto-deprovisioning on. Turn auto-deprovisioning on first.")]
    NeedsAutoDeprovision,
    #[error("{} does not sign in with a Microsoft account linked to Microsoft Entra ID, so UniAsset cannot offboard them there. Deactivate them instead.", crate::text::excerpt(.0))]
    NotLinked(String),
    #[error("{} is marked \"never deactivate automatically\" (a break-glass or service account), so UniAsset does not offboard them. Remove the mark first if they really leave.", crate::text::excerpt(.0))]
    ProtectedFromOffboarding(String),
    /// Entra refused to disable the account; nothing was changed here.
    #[error("{0} Nothing was changed here; you may deactivate them here anyway.")]
    DisableRefused(String),
    #[error(transparent)]
    Directory(#[from] crate::directory::DirectoryError),
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    #[error("Microsoft Entra ID is not connected yet, so there is nobody to check. Connect it first (Set it up for me takes one sign-in).")]
    NotConnected,
    #[error("The Microsoft Entra ID connection changed while this was going (disconnected or connected again). Nothing was changed; try again.")]
    ConnectionChanged,
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for EntraError {
    fn code(&self) -> &'static str {
        match self {
            EntraError::InvalidTenant(_) => "invalid_tenant",
            EntraError::InvalidClientId(_) => "invalid_client_id",
            EntraError::EmptySecret => "empty_secret",
            EntraError::SecretIdNotValue => "secret_id_not_value",
            EntraError::SecretHasSpaces => "secret_has_spaces",
            EntraError::TenantIdAsClientId => "tenant_id_as_client_id",
            EntraError::AdminRoleNeeded { .. } => "entra_admin_role_needed",
            EntraError::OtherTenant { .. } => "entra_other_tenant",
            EntraError::AppRegistrationGone { .. } => "entra_app_registration_gone",
            EntraError::NoSignInPending => "entra_no_sign_in_pending",
            EntraError::LeftBehind { error, .. } => error.code(),
            EntraError::InvalidDate(_) => "invalid_date",
            EntraError::InvalidGuard(_) => "invalid_guard",
            EntraError::InvalidDeadline(_) => "invalid_deadline",
            EntraError::InvalidCheckInterval(_) => "invalid_check_interval",
            EntraError::NeedsAutoDeprovision => "needs_auto_deprovision",
            EntraError::NotLinked(_) => "not_linked",
            EntraError::ProtectedFromOffboarding(_) => "protected_user",
            EntraError::DisableRefused(_) => "entra_refused",
            EntraError::Directory(e) => e.code(),
            EntraError::Endpoint(_) => "invalid_endpoint",
            EntraError::NotConnected => "entra_not_connected",
            EntraError::ConnectionChanged => "connection_changed",
            EntraError::Graph(e) => e.code(),
            EntraError::Secret(e) => e.code(),
            EntraError::Access(e) => e.code(),
            EntraError::Organization(e) => e.code(),
            EntraError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for EntraError {
    fn from(e: rusqlite::Error) -> Self {
        EntraError::Store(e.into())
    }
}

pub fn connection(store: &Store) -> Result<Option<Connection>, StoreError> {
    connection_in(store.conn())
}

/// The saved connection, read through any connection or transaction.
pub(crate) fn connection_in(conn: &rusqlite::Connection) -> Result<Option<Connection>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT tenant, client_id, cloud, login_url, graph_url, secret_expires_on, connected_at, connected_by, tenant_id,
                    set_up_by IS NOT NULL
             FROM entra_connection WHERE id = 1",
            [],
            |r| {
                Ok(Connection {
                    tenant: r.get(0)?,
                    client_id: r.get(1)?,
                    cloud: r.get(2)?,
                    endpoints: Endpoints { login_url: r.get(3)?, graph_url: r.get(4)? },
                    secret_expires_on: r.get(5)?,
                    connected_at: r.get(6)?,
                    connected_by: r.get(7)?,
                    tenant_id: r.get(8)?,
                    set_up_by_uniasset: r.get(9)?,
                })
            },
        )
        .optional()?)
}

/// "Test connection" on the saved connection, with the secret from the keychain. (`&mut`
/// keeps the future sendable: a SQLite connection is not `Sync`.)
pub async fn test_saved(store: &mut Store) -> Result<(), EntraError> {
    Ok(client(store, ClientOptions::default())?
        .test_connection()
        .await?)
}

/// The saved connection and its keychain entry, without reading the secret yet.
pub fn saved(store: &Store) -> Result<(Connection, Keychain), EntraError> {
    let connection = connection(store)?.ok_or(EntraError::NotConnected)?;
    Ok((connection, Keychain::for_store(store)?))
}

/// A Graph client for `connection`, its secret read on a blocking thread: a keychain that
/// waits for someone to unlock it then holds up no other work, and a deadline can end it.
pub async fn client_for(
    connection: Connection,
    keychain: Keychain,
    options: ClientOptions,
) -> Result<GraphClient, EntraError> {
    let secret = tokio::task::spawn_blocking(move || keychain.load())
        .await
        .map_err(|e| SecretError::Unavailable(e.to_string()))??;
    Ok(GraphClient::new(
        connection.endpoints,
        &connection.tenant,
        &connection.client_id,
        secret,
        options,
    )?)
}

/// A Graph client for the saved connection.
pub fn client(store: &Store, options: ClientOptions) -> Result<GraphClient, EntraError> {
    let c = connection(store)?.ok_or(EntraError::NotConnected)?;
    let secret = Keychain::for_store(store)?.load()?;
    Ok(GraphClient::new(
        c.endpoints,
        &c.tenant,
        &c.client_id,
        secret,
        options,
    )?)
}
