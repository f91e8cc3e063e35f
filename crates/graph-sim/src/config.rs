//! The simulated tenant and its one registered application.

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
        }
    }
}
