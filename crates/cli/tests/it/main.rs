//! The command line's tests, one binary: the real `uniasset` run as a process on a data
//! directory. A module per area; `common` runs the binary.

mod alerts;
mod assets;
mod backup;
mod cli;
mod common;
mod entra;
mod offboarding;
mod org_audit;
mod report;
mod status;
