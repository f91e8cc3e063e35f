//! The core's integration tests, one binary (as ripgrep has them): one link on two cores
//! instead of one per file. A module per area; shared set-up is in the testkit crate.
//! `clock.rs` and `graph_proxy.rs` stay binaries of their own (they change the process's
//! clock and proxy environment), as does `fault_injection.rs` (its own harness).

mod alerts;
mod asset_register;
mod audit_chain;
mod audit_log;
mod backup;
mod chat_alerts;
mod check_person;
mod clean_text;
mod deactivation_preserves;
mod demo;
mod diagnostics;
mod directory;
mod end_sessions;
mod entra;
mod entra_setup;
mod evidence;
mod frequent_checks;
mod graph_faults;
mod home;
mod import;
mod layers;
mod leavers;
mod managers;
mod offboard;
mod organization;
mod passwords;
mod people;
mod reminders;
mod returns;
mod run_scope;
mod sign_in;
mod store;
mod sync;
mod sync_cost;
mod tenant;
mod trust;
mod updates;
mod users;
