//! Leavers (R-A2): deactivated people who still hold assets, and what they hold.

use serde::{Deserialize, Serialize};

use super::deactivations::{latest_deactivation, DeactivationTrigger};
use super::LeaversError;
use crate::access::Actor;
use crate::assets::{self, Asset};
use crate::directory::{self, DeactivationReason, User};
use crate::store::Store;

/// A deactivated person who still holds assets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Leaver {
    pub user: User,
    pub reason: DeactivationReason,
    /// What started it: disabled or deleted in Entra, by hand, or offboarded here.
    pub trigger: DeactivationTrigger,
    pub deactivated_at: String,
    /// "Microsoft Entra ID sync, run #12", or the person who deactivated them.
    pub deactivated_by: String,
    pub assets: Vec<Asset>,
}

/// Every deactivated person who still holds assets, the most urgent first: the earliest
/// return due date among what they hold (overdue ones first, then those due soonest), then
/// the most recently deactivated (Owner and Admin: they are the ones who get assets back).
pub fn leavers(store: &Store, by: &Actor) -> Result<Vec<Leaver>, LeaversError> {
    by.require_admin("see leavers")?;
    let conn = store.conn();
    let ids: Vec<i64> = {
        let mut stmt = conn.prepare(
            "SELECT u.id, (SELECT min(h.return_due) FROM asset_holdings h
                           WHERE h.user_id = u.id AND h.ended_at IS NULL) AS due
             FROM users u WHERE u.status = 'deactivated'
                 AND EXISTS (SELECT 1 FROM assets a WHERE a.assigned_to = u.id)
             ORDER BY due IS NULL, due, u.deactivated_at DESC, u.id",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut found = Vec::new();
    for id in ids {
        let user = directory::user_by_id(conn, id)?;
        let (reason, trigger, deactivated_at, deactivated_by) = match latest_deactivation(conn, id)?
        {
            Some(d) => (d.reason, d.trigger, d.at, d.by),
            // Deactivated before the audit trail existed: the user row is all there is.
            None => {
                let reason = user
                    .deactivation_reason
                    .unwrap_or(DeactivationReason::Manual);
                (
                    reason,
                    DeactivationTrigger::of(reason),
                    user.deactivated_at.clone().unwrap_or_default(),
                    user.deactivated_by.clone().unwrap_or_default(),
                )
            }
        };
        found.push(Leaver {
            assets: assets::assets_of_user(store, id)?,
            user,
            reason,
            trigger,
            deactivated_at,
            deactivated_by,
        });
    }
    Ok(found)
}

/// How many leavers' assets are overdue today (Home, the tray).
pub fn overdue_count(store: &Store) -> Result<u32, LeaversError> {
    let today = crate::clock::now().date_naive().to_string();
    Ok(store.conn().query_row(
        "SELECT count(*) FROM asset_holdings WHERE ended_at IS NULL AND return_due < ?1",
        [today],
        |r| r.get(0),
    )?)
}

/// How many deactivated people still hold assets (the sidebar's count).
pub fn count(store: &Store) -> Result<u32, LeaversError> {
    Ok(store.conn().query_row(
        "SELECT count(DISTINCT a.assigned_to) FROM assets a JOIN users u ON u.id = a.assigned_to
         WHERE u.status = 'deactivated'",
        [],
        |r| r.get(0),
    )?)
}
