//! A Microsoft Graph and Entra sign-in simulator on loopback, speaking the documented
//! wire format for what UniAsset uses: the client-credentials token endpoint, users
//! with `$select`/`$filter`/`$search`/`$count`/paging, `$batch`, `users/delta`, Graph's error shapes,
//! throttling, and seeded faults; and for setting itself up, device code sign-in, app
//! registrations, service principals, app role assignments and client secrets. Tests, benchmarks and the demo organization run
//! against it instead of a real tenant.

mod applications;
mod approval;
mod auth;
mod config;
mod counts;
mod cursor;
mod device_code;
mod directory;
mod directory_roles;
mod entra_error;
mod faults;
mod filter;
mod reply;
mod routes;
mod search;
mod seed;
mod select;
mod server;
mod state;
mod tokens;
mod user;

pub use applications::RegisteredApp;
pub use config::TenantConfig;
pub use counts::RequestCounts;
pub use faults::Faults;
pub use seed::SeedAccount;
pub use server::Simulator;
