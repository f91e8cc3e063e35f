//! State shared by the HTTP handlers and the `Simulator` handle on the caller's thread.

use crate::applications::Registry;
use crate::config::TenantConfig;
use crate::counts::RequestCounts;
use crate::device_code::DeviceCodes;
use crate::directory::Directory;
use crate::faults::FaultInjector;
use crate::tokens::{Grant, Tokens};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

pub(crate) struct Shared {
    /// As started; the tenant id and token lifetime below may change while running.
    pub(crate) config: TenantConfig,
    /// The directory id Entra reports now (see `Simulator::switch_tenant`).
    pub(crate) tenant_id: Mutex<String>,
    pub(crate) token_lifetime_secs: AtomicU64,
    /// `http://127.0.0.1:PORT`, the prefix of every absolute link the simulator hands out.
    pub(crate) base_url: String,
    pub(crate) directory: Mutex<Directory>,
    pub(crate) tokens: Mutex<Tokens>,
    /// Forces AADSTS7000222 for the pre-configured app (`Simulator::set_secret_expired`).
    pub(crate) secret_expired: AtomicBool,
    /// App registrations and service principals. Lock it before `tokens` when both are
    /// needed, never the other way round.
    pub(crate) registry: Mutex<Registry>,
    pub(crate) device_codes: Mutex<DeviceCodes>,
    pub(crate) permission_granted: AtomicBool,
    /// Stamped into every delta token. Starts random, so tokens from another simulator
    /// run are refused like expired ones, and changes on `expire_delta_tokens`.
    pub(crate) delta_generation: AtomicU64,
    pub(crate) faults: Mutex<FaultInjector>,
    pub(crate) counts: Mutex<RequestCounts>,
    /// Users whose direct reads (GET or `$batch` item) fail with a 500, to test that an
    /// error about one user touches nobody else.
    pub(crate) failing_users: Mutex<HashSet<String>>,
}

impl Shared {
    pub(crate) fn new(config: TenantConfig, base_url: String) -> Self {
        Shared {
            base_url,
            directory: Mutex::new(Directory::default()),
            tokens: Mutex::new(Tokens::default()),
            secret_expired: AtomicBool::new(false),
            registry: Mutex::new(Registry::new(&config.client_id, &config.client_secret)),
            device_codes: Mutex::new(DeviceCodes::default()),
            permission_granted: AtomicBool::new(true),
            delta_generation: AtomicU64::new(rand::random()),
            faults: Mutex::new(FaultInjector::new(config.seed)),
            counts: Mutex::new(RequestCounts::default()),
            failing_users: Mutex::new(HashSet::new()),
            tenant_id: Mutex::new(config.tenant_id.clone()),
            token_lifetime_secs: AtomicU64::new(config.token_lifetime_secs),
            config,
        }
    }

    /// Issues an access token for `grant` to `audience` with the current lifetime;
    /// returns it and its `expires_in`.
    pub(crate) fn issue(&self, grant: Grant, audience: &str) -> (String, u64) {
        let tenant_id = lock(&self.tenant_id).clone();
        let lifetime = self.token_lifetime_secs.load(Ordering::Relaxed);
        let token = lock(&self.tokens).issue(grant, &tenant_id, audience, lifetime);
        (token, lifetime)
    }

    /// Whether a sign-in (device code) may name `tenant`: this tenant, or Entra's
    /// multi-tenant aliases that let the user's account decide.
    pub(crate) fn is_sign_in_tenant(&self, tenant: &str) -> bool {
        ["organizations", "common"]
            .iter()
            .any(|alias| alias.eq_ignore_ascii_case(tenant))
            || self.is_tenant(tenant)
    }

    /// True when `tenant` names this tenant, by its current GUID or by a verified domain
    /// (both compared case-insensitively, as Entra does).
    pub(crate) fn is_tenant(&self, tenant: &str) -> bool {
        lock(&self.tenant_id).eq_ignore_ascii_case(tenant)
            || self
                .config
                .domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(tenant))
    }
}

/// Locks ignoring poison: a panicking test thread must not take the server down with it,
/// and no critical section here leaves its data half-updated on panic.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
