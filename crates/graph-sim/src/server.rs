//! The `Simulator` handle: a server on its own thread and runtime, plus the knobs.

use crate::applications::RegisteredApp;
use crate::approval;
use crate::config::TenantConfig;
use crate::counts::RequestCounts;
use crate::directory::Directory;
use crate::faults::Faults;
use crate::routes::router;
use crate::state::{lock, Shared};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// A running Graph and Entra sign-in simulator on 127.0.0.1. Stops when dropped.
pub struct Simulator {
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Starts on a free port. The server has its own thread and tokio runtime, so
    /// synchronous tests, async tests and a Tauri app can all use it alike.
    pub fn start(config: TenantConfig) -> std::io::Result<Simulator> {
        Simulator::start_on(config, 0)
    }

    /// Starts on `port` (0 picks a free one), for the `graph-sim` binary.
    pub fn start_on(config: TenantConfig, port: u16) -> std::io::Result<Simulator> {
        // Bound here rather than on the server thread, so the port is known and
        // accepting (into the backlog) before `start` returns.
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let base_url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
        let shared = Arc::new(Shared::new(config, base_url));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("graph-sim")
            .enable_all()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let app = router(shared.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("graph-sim".into())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::select! {
                        _ = axum::serve(listener, app) => {}
                        _ = stopped => {}
                    }
                });
                // Open connections and sleeping requests are abandoned, not awaited:
                // dropping a simulator must be quick even mid-request.
                runtime.shutdown_timeout(Duration::from_millis(100));
            })?;
        Ok(Simulator {
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`: both the sign-in base URL and the Graph base URL.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The tenant's current directory id (see `switch_tenant`).
    pub fn tenant_id(&self) -> String {
        lock(&self.shared.tenant_id).clone()
    }

    /// Makes the same URLs answer for a different tenant, as when connection settings end
    /// up pointing at another organization's directory: a new directory id (returned), an
    /// empty directory (none of the old object ids exist), and every token and delta link
    /// issued so far refused. The verified domains, app and secret stay valid, so the same
    /// connection settings still get tokens, now naming the new tenant.
    pub fn switch_tenant(&self) -> String {
        let tenant_id = uuid::Uuid::new_v4().to_string();
        *lock(&self.shared.tenant_id) = tenant_id.clone();
        *lock(&self.shared.directory) = Directory::default();
        lock(&self.shared.failing_users).clear();
        self.expire_tokens();
        self.expire_delta_tokens();
        tenant_id
    }

    /// `expires_in` of access tokens issued from now on, however absurd (tokens whose
    /// lifetime the clock cannot hold never expire).
    pub fn set_token_lifetime(&self, secs: u64) {
        self.shared
            .token_lifetime_secs
            .store(secs, Ordering::Relaxed);
    }

    pub fn client_id(&self) -> String {
        self.shared.config.client_id.clone()
    }

    pub fn client_secret(&self) -> String {
        self.shared.config.client_secret.clone()
    }

    /// Grants the pre-configured app one more of Graph's application permissions by name
    /// ("User.RevokeSessions.All"), as an administrator's consent in the portal does. Tokens
    /// issued from now on carry it. Panics on a permission the simulator does not offer.
    pub fn grant_app_role(&self, value: &str) {
        assert!(
            self.try_grant_app_role(value),
            "graph-sim offers no app role {value}"
        );
    }

    /// `grant_app_role`, false for a permission the simulator does not offer.
    pub fn try_grant_app_role(&self, value: &str) -> bool {
        lock(&self.shared.registry).grant_role(&self.shared.config.client_id, value)
    }

    /// Adds an enabled or disabled user; returns its object id (a lowercase GUID).
    pub fn add_user(&self, user_principal_name: &str, mail: Option<&str>, enabled: bool) -> String {
        lock(&self.shared.directory).add(user_principal_name, mail, enabled)
    }

    /// Adds a guest account (`userType` Guest, invited from another organization); returns
    /// its object id. Guests' UPNs look like `ann_fabrikam.com#EXT#@contoso.onmicrosoft.com`
    /// and their mail is their own organization's address.
    pub fn add_guest(
        &self,
        user_principal_name: &str,
        mail: Option<&str>,
        enabled: bool,
    ) -> String {
        lock(&self.shared.directory).add_account(
            &uuid::Uuid::new_v4().to_string(),
            user_principal_name,
            mail,
            enabled,
            true,
        )
    }

    /// Renames a user (`displayName`; new users are named after their UPN's local part).
    /// Delta reports the change. Panics on an unknown id.
    pub fn set_display_name(&self, id: &str, display_name: &str) {
        lock(&self.shared.directory).set_display_name(id, display_name);
    }

    /// Sets a user's `createdDateTime` (new users get the time they were added), as for an
    /// account created long ago. Not a change delta reports. Panics on an unknown id.
    pub fn set_created(&self, id: &str, created: chrono::DateTime<chrono::Utc>) {
        lock(&self.shared.directory).set_created(id, created);
    }

    /// Adds accounts with fixed ids (with mail equal to the UPN), soft-deleting those so marked.
    pub fn seed(&self, accounts: &[crate::SeedAccount]) {
        for account in accounts {
            let id = lock(&self.shared.directory).add_account(
                &account.id,
                &account.upn,
                Some(&account.upn),
                account.enabled,
                account.guest,
            );
            if let Some(name) = &account.name {
                self.set_display_name(&id, name);
            }
            if !account.roles.is_empty() {
                let roles: Vec<&str> = account.roles.iter().map(String::as_str).collect();
                self.set_roles(&id, &roles);
            }
            if account.deleted {
                self.soft_delete(&id);
            }
        }
    }

    /// Makes direct reads of one user (GET and `$batch` items) fail with a 500, or heal.
    pub fn set_user_failing(&self, id: &str, failing: bool) {
        let mut failing_users = lock(&self.shared.failing_users);
        if failing {
            failing_users.insert(id.to_lowercase());
        } else {
            failing_users.remove(&id.to_lowercase());
        }
    }

    /// Adds a user with a given object id, as a seeded demo tenant needs the same ids on
    /// every start. Panics if the id is taken.
    pub fn add_user_with_id(
        &self,
        id: &str,
        user_principal_name: &str,
        mail: Option<&str>,
        enabled: bool,
    ) -> String {
        lock(&self.shared.directory).add_with_id(id, user_principal_name, mail, enabled)
    }

    /// Adds `count` enabled users `user00001@domain`, … (numbering continues across
    /// calls), with mail equal to the UPN; returns their ids in order.
    pub fn add_users(&self, count: usize, domain: &str) -> Vec<String> {
        lock(&self.shared.directory).add_generated(count, domain)
    }

    /// Panics if `id` was never added (a bug in the caller). No-op on a hard-deleted user.
    pub fn set_enabled(&self, id: &str, enabled: bool) {
        lock(&self.shared.directory).set_enabled(id, enabled);
    }

    /// Moves the user to the recycle bin (restorable). Panics on an unknown id.
    pub fn soft_delete(&self, id: &str) {
        lock(&self.shared.directory).soft_delete(id);
    }

    /// Deletes the user permanently. Panics on an unknown id.
    pub fn hard_delete(&self, id: &str) {
        lock(&self.shared.directory).hard_delete(id);
    }

    /// Brings a soft-deleted user back. Panics on an unknown id.
    pub fn restore(&self, id: &str) {
        lock(&self.shared.directory).restore(id);
    }

    /// Whether the account is enabled (a deleted one keeps its last state). Panics on an
    /// unknown id.
    pub fn is_enabled(&self, id: &str) -> bool {
        lock(&self.shared.directory).account(id).enabled
    }

    /// When `revokeSignInSessions` last ended the account's sessions. Panics on an unknown id.
    pub fn sessions_revoked_at(&self, id: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        lock(&self.shared.directory).account(id).sessions_revoked
    }

    /// Makes `manager` the manager of `id` (`GET /users/{id}/manager`), or takes it away
    /// (None: Graph then answers 404). Panics on an unknown id.
    pub fn set_manager(&self, id: &str, manager: Option<&str>) {
        lock(&self.shared.directory).set_manager(id, manager);
    }

    /// Gives an account directory roles by display name ("Global Administrator",
    /// "Application Administrator", "Cloud Application Administrator", "User
    /// Administrator", …), replacing those it had; names Entra does not know grant nothing.
    /// Sign-ins approved from now on carry them. Panics on an unknown id.
    pub fn set_roles(&self, id: &str, roles: &[&str]) {
        lock(&self.shared.directory).set_roles(id, roles);
    }

    /// Approves a device code sign-in as the account `upn`, as the verification page
    /// does; the error is what that page would say (unknown, expired or used code,
    /// unknown or disabled account).
    pub fn approve_device_code(&self, user_code: &str, upn: &str) -> Result<(), String> {
        approval::approve(&self.shared, user_code, upn)
    }

    /// Declines a device code sign-in, as "Cancel sign-in" on the verification page does.
    pub fn decline_device_code(&self, user_code: &str) -> Result<(), String> {
        approval::decline(&self.shared, user_code)
    }

    /// User codes of sign-ins waiting for approval (not expired), oldest first.
    pub fn pending_device_codes(&self) -> Vec<String> {
        lock(&self.shared.device_codes).pending()
    }

    /// The tenant's app registrations, the pre-configured one first.
    pub fn applications(&self) -> Vec<RegisteredApp> {
        lock(&self.shared.registry).registered()
    }

    /// While true, the token endpoint answers AADSTS7000222 to the pre-configured app's
    /// right secret.
    pub fn set_secret_expired(&self, expired: bool) {
        self.shared.secret_expired.store(expired, Ordering::Relaxed);
    }

    /// While false, the users endpoints answer 403 Authorization_RequestDenied, whatever
    /// the token's roles.
    pub fn set_permission_granted(&self, granted: bool) {
        self.shared
            .permission_granted
            .store(granted, Ordering::Relaxed);
    }

    /// Every access token issued so far is expired from now on.
    pub fn expire_tokens(&self) {
        lock(&self.shared.tokens).expire_all();
    }

    /// Every delta and delta-page token issued so far gets 410 syncStateNotFound.
    pub fn expire_delta_tokens(&self) {
        let current = self.shared.delta_generation.load(Ordering::Relaxed);
        self.shared
            .delta_generation
            .store(current.wrapping_add(1), Ordering::Relaxed);
    }

    pub fn set_faults(&self, faults: Faults) {
        lock(&self.shared.faults).set(faults);
    }

    pub fn counts(&self) -> RequestCounts {
        *lock(&self.shared.counts)
    }

    pub fn reset_counts(&self) {
        *lock(&self.shared.counts) = RequestCounts::default();
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Simulator;
    use crate::TenantConfig;
    use std::net::TcpStream;

    #[test]
    fn is_shareable_and_stops_listening_when_dropped() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Simulator>();

        let simulator = Simulator::start(TenantConfig::default()).unwrap();
        let address = simulator
            .base_url()
            .trim_start_matches("http://")
            .to_string();
        assert!(TcpStream::connect(&address).is_ok());
        drop(simulator);
        assert!(TcpStream::connect(&address).is_err());
    }
}
