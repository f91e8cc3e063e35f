//! The simulated tenant, its pre-configured application and the sign-in timings.

use rand::distr::{Alphanumeric, SampleString};

/// Who the simulator pretends to be, and the knobs that shape its replies.
#[derive(Clone, Debug)]
pub struct TenantConfig {
    /// Directory (tenant) id, a lowercase GUID.
    pub tenant_id: String,
    /// Verified domains, also accepted as `{tenant}` in the token URL.
    pub domains: Vec<String>,
    /// Application (client) id of the app registration, a lowercase GUID.
    pub client_id: String,
    pub client_secret: String,
    /// Objects per `users/delta` page.
    pub delta_page_size: usize,
    /// `expires_in` of issued access tokens (changeable later with
    /// `Simulator::set_token_lifetime`).
    pub token_lifetime_secs: u64,
    /// Seed of the RNG that decides faults and shuffles `$batch` replies.
    pub seed: u64,
    /// `interval` of device code sign-ins: the least time between two polls of one code.
    pub device_code_interval_secs: u64,
    /// `expires_in` of device code sign-ins (Entra gives 15 minutes).
    pub device_code_lifetime_secs: u64,
}

impl Default for TenantConfig {
    fn default() -> Self {
        TenantConfig {
            tenant_id: uuid::Uuid::new_v4().to_string(),
            domains: vec!["contoso.onmicrosoft.com".to_string()],
            client_id: uuid::Uuid::new_v4().to_string(),
            // Entra secrets are 40 characters; their exact alphabet does not matter here.
            client_secret: Alphanumeric.sample_string(&mut rand::rng(), 40),
            delta_page_size: 200,
            token_lifetime_secs: 3599,
            seed: 1,
            device_code_interval_secs: 5,
            device_code_lifetime_secs: 900,
        }
    }
}
