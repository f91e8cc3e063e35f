//! Learning each linked account's state at the lowest cost (R-S7): a delta read from the
//! saved link when there is one (cost independent of the tenant's size), otherwise a full
//! listing 999 users a page; plus a direct read of any account the listing did not show or
//! that no earlier run has seen. The same reads carry new accounts to add, when that is on:
//! learning them costs no request of its own.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::entra::people::is_new;
use crate::graph::{AccountState, DeltaChange, EntraAccount, GraphClient, GraphError};

pub struct Observation {
    /// States learned in this run; an error stands for "in doubt about this user".
    pub states: HashMap<String, Result<AccountState, GraphError>>,
    /// Where the next run's delta read starts.
    pub delta_link: String,
    /// Whether this run read the whole tenant (first run, or the saved link expired).
    pub full_read: bool,
    /// Accounts not linked to a tracked user that are new by `new_since` (enabled members
    /// created since then), in their latest state; empty when no `new_since` was given.
    pub new_accounts: Vec<EntraAccount>,
}

/// Keeps each new account once, in the state Graph reported last (delta may replay an
/// object), and drops one that a later item shows deleted, disabled or a guest.
struct NewAccounts {
    since: Option<DateTime<Utc>>,
    found: HashMap<String, EntraAccount>,
}

impl NewAccounts {
    fn see(&mut self, id: &str, account: Option<&EntraAccount>) {
        let Some(since) = self.since else { return };
        match account.filter(|a| is_new(a, since)) {
            Some(account) => {
                self.found.insert(id.to_lowercase(), account.clone());
            }
            None => {
                self.found.remove(&id.to_lowercase());
            }
        }
    }

    fn into_sorted(self) -> Vec<EntraAccount> {
        let mut accounts: Vec<EntraAccount> = self.found.into_values().collect();
        accounts.sort_by(|a, b| (a.created_at, &a.object_id).cmp(&(b.created_at, &b.object_id)));
        accounts
    }
}

/// What changed in the tenant since a saved delta link: each object as the reply gave it,
/// in order, and where the next read starts.
pub struct DeltaRead {
    pub items: Vec<(String, DeltaChange, Option<EntraAccount>)>,
    pub next: String,
}

/// Follows the saved delta link; None when Graph says it expired (the run reads in full).
pub async fn read_delta(graph: &GraphClient, link: &str) -> Result<Option<DeltaRead>, GraphError> {
    let mut items = Vec::new();
    let read = graph
        .delta_changes(link, |id, change, account| {
            items.push((id.to_owned(), change, account.cloned()));
        })
        .await;
    match read {
        Ok(next) => Ok(Some(DeltaRead { items, next })),
        Err(GraphError::DeltaExpired { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `delta`: what `read_delta` found, or None to read the tenant in full.
pub async fn observe(
    graph: &GraphClient,
    tracked: &[String],
    known: &HashMap<String, AccountState>,
    delta: Option<DeltaRead>,
    new_since: Option<DateTime<Utc>>,
) -> Result<Observation, GraphError> {
    let tracked_set: HashSet<&str> = tracked.iter().map(String::as_str).collect();
    let mut states = HashMap::new();
    let mut unsure: Vec<String> = Vec::new();
    let mut new = NewAccounts {
        since: new_since,
        found: HashMap::new(),
    };

    let incremental = delta.map(|read| {
        for (id, change, account) in &read.items {
            if let Some(id) = tracked_set.get(id.as_str()) {
                match change {
                    DeltaChange::State(s) => {
                        states.insert((*id).to_owned(), Ok(*s));
                    }
                    DeltaChange::Unknown => unsure.push((*id).to_owned()),
                }
            } else {
                new.see(id, account.as_ref());
            }
        }
        read.next
    });

    let (delta_link, full_read) = match incremental {
        Some(next) => {
            unsure.extend(
                tracked
                    .iter()
                    .filter(|id| !states.contains_key(*id) && !known.contains_key(*id))
                    .cloned(),
            );
            (next, false)
        }
        None => {
            states.clear();
            unsure.clear();
            new.found.clear();
            // Start the change feed before listing, so nothing that changes during the
            // listing is missed: the next delta read replays it.
            let next = graph.delta_from_now().await?;
            graph
                .for_each_account(|account| {
                    let id = account.object_id.as_str();
                    if let Some(id) = tracked_set.get(id) {
                        states.insert((*id).to_owned(), Ok(account.state()));
                    } else {
                        new.see(id, Some(account));
                    }
                })
                .await?;
            // Absence from a listing is not proof of deletion; a 404 on a direct read is.
            unsure.extend(
                tracked
                    .iter()
                    .filter(|id| !states.contains_key(*id))
                    .cloned(),
            );
            (next, true)
        }
    };

    unsure.sort();
    unsure.dedup();
    if !unsure.is_empty() {
        states.extend(graph.accounts(&unsure).await);
    }
    Ok(Observation {
        states,
        delta_link,
        full_read,
        new_accounts: new.into_sorted(),
    })
}

/// What a second look at accounts read as deleted found.
pub struct Confirmation {
    pub states: HashMap<String, Result<AccountState, GraphError>>,
    /// Not found, and not among the deleted items: deleted for good, or a passing glitch.
    pub missing: Vec<String>,
}

/// Checks accounts read as deleted against Entra's deleted items. Found there: deleted.
/// Not there: read again, since a passing "not found" must not deactivate anyone; an
/// account still not found counts as deleted for good only if an earlier run also found it
/// missing (`missing_before`), so time separates the two readings.
pub async fn confirm_deleted(
    graph: &GraphClient,
    object_ids: &[String],
    missing_before: &HashSet<String>,
) -> Confirmation {
    let bin = graph.in_deleted_items(object_ids).await;
    let mut states = HashMap::new();
    let mut reread = Vec::new();
    for (oid, found) in bin {
        match found {
            Ok(true) => {
                states.insert(oid, Ok(AccountState::Deleted));
            }
            Ok(false) => reread.push(oid),
            Err(e) => {
                states.insert(oid, Err(e));
            }
        }
    }
    let mut missing = Vec::new();
    if !reread.is_empty() {
        for (oid, state) in graph.accounts(&reread).await {
            let state = match state {
                Ok(AccountState::Deleted) if missing_before.contains(&oid.to_lowercase()) => {
                    Ok(AccountState::Deleted)
                }
                Ok(AccountState::Deleted) => {
                    missing.push(oid.clone());
                    Err(GraphError::NotConfirmed)
                }
                other => other,
            };
            states.insert(oid, state);
        }
    }
    Confirmation { states, missing }
}
