//! Versioned schema migrations (rusqlite_migration, tracked in `user_version`), with a
//! copy of the database taken before any migration changes an existing schema.

use std::path::Path;
use std::sync::LazyLock;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, SchemaVersion, M};

use super::error::StoreError;

/// Backups of the database taken before schema upgrades live here, in the data directory.
pub use crate::data_dir::BACKUP_DIR;

/// Every schema change, oldest first. Never edit a released entry; append a new one.
pub static MIGRATIONS: LazyLock<Vec<M<'static>>> = LazyLock::new(|| {
    vec![
        M::up(include_str!("migrations/001_initial.sql")),
        M::up(include_str!("migrations/002_entra.sql")),
        M::up(include_str!("migrations/003_demo.sql")),
        M::up(include_str!("migrations/004_trust.sql")),
        M::up(include_str!("migrations/005_sign_in.sql")),
        M::up(include_str!("migrations/006_session_end.sql")),
        M::up(include_str!("migrations/007_audit_log.sql")),
        M::up(include_str!("migrations/008_entra_people.sql")),
        M::up(include_str!("migrations/009_asset_register.sql")),
        M::up(include_str!("migrations/010_entra_first_seen.sql")),
        M::up(include_str!("migrations/011_email_alerts.sql")),
        M::up(include_str!("migrations/012_entra_setup.sql")),
        M::up(include_str!("migrations/013_backups.sql")),
        M::up(include_str!("migrations/014_frequent_checks.sql")),
        M::up(include_str!("migrations/015_alert_outbox.sql")),
        M::up(include_str!("migrations/016_home.sql")),
        M::up_with_hook(include_str!("migrations/017_audit_chain.sql"), |tx| {
            Ok(super::audit_hash::chain_existing(tx)?)
        }),
        M::up(include_str!("migrations/018_end_sessions.sql")),
        M::up(include_str!("migrations/019_check_person.sql")),
        M::up(include_str!("migrations/020_offboard.sql")),
        M::up(include_str!("migrations/021_audit_checks.sql")),
        M::up(include_str!("migrations/022_evidence_target.sql")),
        M::up(include_str!("migrations/023_asset_returns.sql")),
        M::up(include_str!("migrations/024_managers.sql")),
        M::up(include_str!("migrations/025_reminders.sql")),
        M::up(include_str!("migrations/026_chat_webhook.sql")),
        M::up(include_str!("migrations/027_linked_users_index.sql")),
        M::up(include_str!("migrations/028_updates.sql")),
    ]
});

/// Brings `conn` to the latest of `steps`, backing the file up first when it already holds
/// an older schema.
pub fn migrate(
    conn: &mut Connection,
    db_path: &Path,
    data_dir: &Path,
    steps: &[M<'_>],
) -> Result<(), StoreError> {
    let migrations = Migrations::from_slice(steps);
    let current = match migrations.current_version(conn).map_err(migration_error)? {
        SchemaVersion::NoneSet => 0,
        SchemaVersion::Inside(v) => v.get(),
        SchemaVersion::Outside(v) => {
            return Err(StoreError::NewerSchema {
                path: db_path.to_owned(),
                found: v.get(),
                known: steps.len(),
            })
        }
    };
    if current == steps.len() {
        return Ok(());
    }
    if current > 0 {
        backup(conn, data_dir, current)?;
    }
    migrations.to_latest(conn).map_err(migration_error)
}

fn backup(conn: &Connection, data_dir: &Path, version: usize) -> Result<(), StoreError> {
    let dir = data_dir.join(BACKUP_DIR);
    crate::data_dir::create_private_dir(&dir).map_err(|e| StoreError::Backup(e.to_string()))?;
    let stamp = crate::clock::now().format("%Y%m%dT%H%M%S%.3fZ");
    let target = dir.join(format!("uniasset-schema{version}-{stamp}.db"));
    // VACUUM INTO would create the copy with the default permissions; into an empty file
    // made private first, it keeps those.
    crate::data_dir::open_private_file(&target, true)
        .map_err(|e| StoreError::Backup(e.to_string()))?;
    // VACUUM INTO writes a consistent, compact copy even while WAL frames are pending.
    conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])
        .map_err(|e| StoreError::Backup(e.to_string()))?;
    Ok(())
}

fn migration_error(e: rusqlite_migration::Error) -> StoreError {
    match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => StoreError::from(err),
        other => StoreError::Migration(other.to_string()),
    }
}
