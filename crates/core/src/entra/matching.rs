//! "Match Microsoft accounts" (R-E5): links Microsoft sign-in users who have no Entra
//! object id yet, by their address as userPrincipalName or mail. Only an exact, single
//! match links; everything else is listed for the administrator.

use futures_util::stream::{self, StreamExt};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use super::{client, EntraError};
use crate::access::Actor;
use crate::audit;
use crate::graph::ClientOptions;
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Matched {
    pub email: String,
    pub entra_object_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Unmatched {
    pub email: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct MatchReport {
    pub matched: Vec<Matched>,
    pub unmatched: Vec<Unmatched>,
}

pub async fn match_accounts(store: &mut Store, by: &Actor) -> Result<MatchReport, EntraError> {
    by.require_admin("match Microsoft accounts")?;
    let started_with = super::connection(store)?;
    let graph = client(store, ClientOptions::default())?;
    // Links are stamped with the tenant that answers these lookups, not whatever is saved
    // when the write happens.
    let tenant_id = graph.tenant_id().await?;
    let unlinked: Vec<(i64, String, Option<String>)> = {
        let mut stmt = store.conn().prepare(
            // Unlinked users, and users linked in another tenant than the connected one.
            "SELECT id, email, entra_object_id FROM users WHERE sign_in = 'microsoft'
               AND (entra_object_id IS NULL OR entra_tenant_id <> ?1)
             ORDER BY email",
        )?;
        let rows = stmt.query_map([&tenant_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let concurrency = ClientOptions::default().concurrency;
    let found: Vec<_> = stream::iter(unlinked.into_iter().map(|(id, email, old)| {
        let graph = &graph;
        async move {
            let ids = graph.find_by_address(&email).await;
            (id, email, old, ids)
        }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;

    let mut report = MatchReport::default();
    let tx = store.write()?;
    if super::connection_in(&tx)? != started_with {
        return Err(EntraError::ConnectionChanged);
    }
    for (user_id, email, old, ids) in found {
        let reason = match ids.as_deref() {
            Ok([oid]) => {
                let taken: Option<String> = tx
                    .query_row(
                        "SELECT email FROM users WHERE entra_object_id = ?1 AND id <> ?2",
                        rusqlite::params![oid, user_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                match taken {
                    Some(other) => format!("its Entra account is already linked to {other}"),
                    None => {
                        tx.execute(
                            "UPDATE users SET entra_object_id = ?2, entra_tenant_id = ?3 WHERE id = ?1",
                            rusqlite::params![user_id, oid, tenant_id],
                        )?;
                        let mut detail = format!("Entra object id {oid} in tenant {tenant_id}");
                        if let Some(old) = &old {
                            detail.push_str(&format!(" (was {old}, linked in another tenant)"));
                        }
                        audit::record(
                            &tx,
                            by,
                            audit::Entry::user("user.linked_to_entra", user_id).detail(detail),
                        )?;
                        report.matched.push(Matched {
                            email,
                            entra_object_id: oid.clone(),
                        });
                        continue;
                    }
                }
            }
            Ok([]) => "no Entra user has this address as userPrincipalName or mail".to_owned(),
            Ok(_) => "several Entra users have this address; link the right one by its object id"
                .to_owned(),
            Err(e) => e.to_string(),
        };
        report.unmatched.push(Unmatched { email, reason });
    }
    tx.commit().map_err(StoreError::from)?;
    report.matched.sort_by(|a, b| a.email.cmp(&b.email));
    report.unmatched.sort_by(|a, b| a.email.cmp(&b.email));
    Ok(report)
}
