//! Test support shared by the core's, the command line's and the shell's tests; never part
//! of the product. Real parts only: an organization in a real SQLite file ([`org`]), a
//! tenant on the Graph simulator on 127.0.0.1 with the client secret in the real keychain
//! ([`tenant`]; run under scripts/with-keyring.sh), an SMTP server and a chat webhook on
//! loopback ([`smtp`], [`webhook`]); and what a data directory holds on disk ([`files`]).

pub mod files;
pub mod org;
pub mod smtp;
pub mod tenant;
pub mod webhook;

pub use org::{
    create_org, empty_store, org, owner_of, team, Org, ADMIN_EMAIL, MEMBER_EMAIL, OWNER_EMAIL,
    OWNER_PASSWORD,
};
