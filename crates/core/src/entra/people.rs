//! People from Microsoft Entra ID (R-D8): the tenant's enabled member accounts not yet in
//! UniAsset, added as Microsoft-linked users. Guests, disabled and deleted accounts are never
//! offered nor added, and an address is never duplicated: an unlinked Microsoft user with
//! that address is linked instead, and a password or Google user is left as is and listed.
//! The same rules serve the window (`people`, `add_people`), the command line (`provision`)
//! and sync runs with "Add new Entra users automatically" on (`plan_in`, `apply_in`).

use std::collections::HashSet;

use chrono::{DateTime, SubsecRound, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{client, connection, connection_in, EntraError};
use crate::access::{Actor, Role};
use crate::audit;
use crate::directory::{self, describe, NewUser, SignInMethod, User};
use crate::graph::{ClientOptions, EntraAccount};
use crate::store::{Store, StoreError};
use crate::text;
use crate::text_enum::text_enum;
use crate::timestamp;

/// The most people the "Add people" list shows; past it, `more` asks for a narrower search.
pub const PEOPLE_SHOWN: usize = 200;

text_enum! {
    /// What adding an Entra account to UniAsset does.
    ProvisionOutcome, "outcome", "add, link or left_alone" {
        /// A new Microsoft sign-in user, linked to the account.
        Add => "add",
        /// An existing Microsoft sign-in user with that address, not yet linked, is linked.
        Link => "link",
        /// A UniAsset user with that address stays as is (a password or Google user, or one
        /// linked to another Entra account).
        LeftAlone => "left_alone",
    }
}

/// An enabled member account of the tenant, not linked to anyone in UniAsset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntraPerson {
    pub object_id: String,
    pub display_name: String,
    /// The address UniAsset would use: the account's mail, else its userPrincipalName.
    pub email: String,
    pub outcome: ProvisionOutcome,
    /// Why, for a link or a person left alone.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntraPeople {
    pub people: Vec<EntraPerson>,
    /// More accounts match than are shown: refine the search.
    pub more: bool,
}

/// Someone not added nor linked, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct LeftAlone {
    /// The address, or the object id of an account Entra no longer has.
    pub email: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ProvisionReport {
    pub added: Vec<User>,
    pub linked: Vec<User>,
    pub left_alone: Vec<LeftAlone>,
}

/// What adding one account does, decided against the users in the store.
pub(crate) enum Plan {
    Add(NewUser),
    Link(User),
    LeftAlone(String),
}

/// One account's plan, with the address it goes by.
pub(crate) struct Planned {
    pub account: EntraAccount,
    pub email: String,
    pub plan: Plan,
}

/// The tenant's enabled member accounts not linked to anyone in UniAsset, at most
/// `PEOPLE_SHOWN`, each with what adding them would do. `search` narrows them by name
/// (words starting with it) or address (starting with it). Owner or Admin. (`&mut` keeps the
/// future sendable: a SQLite connection is not `Sync`.)
pub async fn people(
    store: &mut Store,
    by: &Actor,
    search: Option<&str>,
) -> Result<EntraPeople, EntraError> {
    by.require_admin("add people from Microsoft Entra ID")?;
    let graph = client(store, ClientOptions::default())?;
    let linked = linked_object_ids(store.conn())?;
    let mut found = Vec::new();
    graph
        .enabled_members(search, |account| {
            if !linked.contains(&account.object_id.to_lowercase()) {
                found.push(account);
            }
            found.len() <= PEOPLE_SHOWN
        })
        .await?;
    let more = found.len() > PEOPLE_SHOWN;
    found.truncate(PEOPLE_SHOWN);
    let mut people = Vec::with_capacity(found.len());
    for account in found {
        let planned = plan(store.conn(), account, Role::Member)?;
        let (outcome, note) = match &planned.plan {
            Plan::Add(_) => (ProvisionOutcome::Add, None),
            Plan::Link(user) => (
                ProvisionOutcome::Link,
                Some(format!(
                    "{} is already in UniAsset without an Entra link: adding links them.",
                    user.email
                )),
            ),
            Plan::LeftAlone(reason) => (ProvisionOutcome::LeftAlone, Some(reason.clone())),
        };
        people.push(EntraPerson {
            object_id: planned.account.object_id.clone(),
            display_name: display_name(&planned.account, &planned.email),
            email: planned.email,
            outcome,
            note,
        });
    }
    people.sort_by_key(|p| (p.display_name.to_lowercase(), p.email.to_lowercase()));
    Ok(EntraPeople { people, more })
}

/// Adds the chosen accounts with `role`, after reading each again from Entra: whatever the
/// caller sends, a guest, disabled or deleted account is not added (listed, with why). One
/// transaction; each added or linked user audited. Owner or Admin; an Owner for `Owner`.
pub async fn add_people(
    store: &mut Store,
    by: &Actor,
    object_ids: &[String],
    role: Role,
) -> Result<ProvisionReport, EntraError> {
    by.require_admin("add people from Microsoft Entra ID")?;
    if role == Role::Owner {
        by.require_owner("add people from Microsoft Entra ID as Owners")?;
    }
    let started_with = connection(store)?;
    let graph = client(store, ClientOptions::default())?;
    let tenant_id = graph.tenant_id().await?;

    let mut report = ProvisionReport::default();
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for id in object_ids {
        let id = id.trim();
        match uuid::Uuid::try_parse(id) {
            Ok(guid) if seen.insert(guid) => ids.push(guid.hyphenated().to_string()),
            Ok(_) => {}
            Err(_) => report.left_alone.push(LeftAlone {
                email: id.to_owned(),
                reason: "not an Entra object id (a GUID)".into(),
            }),
        }
    }
    let mut read = graph.accounts_detailed(&ids).await;
    let mut eligible = Vec::new();
    for id in ids {
        let (email, reason) = match read.remove(&id) {
            Some(Ok(Some(account))) if account.is_enabled_member() => {
                eligible.push(account);
                continue;
            }
            Some(Ok(Some(account))) => {
                let reason = if account.enabled {
                    "a guest account (userType Guest): guests are never added"
                } else {
                    "the account is disabled in Microsoft Entra ID"
                };
                (address(&account).unwrap_or(id), reason.to_owned())
            }
            Some(Ok(None)) => (
                id,
                "Microsoft Entra ID has no such account (deleted, or never there)".into(),
            ),
            Some(Err(e)) => (id, e.to_string()),
            None => (id, "Microsoft Graph did not answer for this account".into()),
        };
        report.left_alone.push(LeftAlone { email, reason });
    }

    let tx = store.write()?;
    if connection_in(&tx)? != started_with {
        return Err(EntraError::ConnectionChanged);
    }
    let applied = apply_in(&tx, by, &tenant_id, eligible, role, None)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(merge(report, applied))
}

/// Adds every enabled member account of the tenant not yet in UniAsset, as Members, for
/// the command line. A dry run does the same work in a transaction it then rolls back, so
/// it reports exactly what would happen (the users it shows were never stored). Running it
/// again adds nobody: everyone added is linked by then.
pub async fn provision(
    store: &mut Store,
    by: &Actor,
    dry_run: bool,
) -> Result<ProvisionReport, EntraError> {
    by.require_admin("add people from Microsoft Entra ID")?;
    let started_with = connection(store)?;
    let graph = client(store, ClientOptions::default())?;
    let tenant_id = graph.tenant_id().await?;
    let linked = linked_object_ids(store.conn())?;
    let mut accounts = Vec::new();
    graph
        .enabled_members(None, |account| {
            if !linked.contains(&account.object_id.to_lowercase()) {
                accounts.push(account);
            }
            true
        })
        .await?;
    let tx = store.write()?;
    if connection_in(&tx)? != started_with {
        return Err(EntraError::ConnectionChanged);
    }
    let report = apply_in(&tx, by, &tenant_id, accounts, Role::Member, None)?;
    if !dry_run {
        tx.commit().map_err(StoreError::from)?;
    }
    Ok(report)
}

/// Turns "Add new Entra users automatically" on or off (Owner or Admin; on needs a
/// connection). Accounts created in Entra from the moment it is turned on count as new.
pub fn set_auto_add_users(store: &mut Store, by: &Actor, on: bool) -> Result<(), EntraError> {
    by.require_admin("change whether new Entra users are added automatically")?;
    let (current, _) = auto_add_in(store.conn())?;
    if on == current {
        return Ok(());
    }
    if on && connection(store)?.is_none() {
        return Err(EntraError::NotConnected);
    }
    let tx = store.write()?;
    tx.execute(
        "UPDATE deprovision_settings SET auto_add_users = ?1,
             auto_add_since = CASE WHEN ?1 THEN ?2 ELSE auto_add_since END",
        rusqlite::params![on, timestamp::now()],
    )?;
    let entry = if on {
        audit::Entry::organization("entra.auto_add_on").detail(
            "Each sync run adds enabled member accounts created in Entra from now on, as Members",
        )
    } else {
        audit::Entry::organization("entra.auto_add_off")
    };
    audit::record(&tx, by, entry)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

/// Whether new users are added automatically, and since when (read through any connection).
pub(crate) fn auto_add_in(conn: &Connection) -> Result<(bool, Option<String>), StoreError> {
    Ok(conn.query_row(
        "SELECT auto_add_users, auto_add_since FROM deprovision_settings WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// The moment from which accounts created in Entra are new, when adding them automatically
/// is on. Graph gives creation times to the second, so the moment is too: an account made
/// within the second before turning it on may count as new.
pub(crate) fn new_since(conn: &Connection) -> Result<Option<DateTime<Utc>>, StoreError> {
    let (on, since) = auto_add_in(conn)?;
    Ok(since
        .filter(|_| on)
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|s| s.to_utc().trunc_subsecs(0)))
}

/// Whether a run should add `account` automatically: an enabled member created since the
/// setting was turned on.
pub(crate) fn is_new(account: &EntraAccount, since: DateTime<Utc>) -> bool {
    account.is_enabled_member() && account.created_at.is_some_and(|c| c >= since)
}

/// What adding each account would do (for a dry run), decided in one read of the store.
pub(crate) fn plan_in(
    conn: &Connection,
    accounts: Vec<EntraAccount>,
    role: Role,
) -> Result<Vec<Planned>, StoreError> {
    let linked = linked_object_ids(conn)?;
    accounts
        .into_iter()
        .filter(|a| !linked.contains(&a.object_id.to_lowercase()))
        .map(|a| plan(conn, a, role))
        .collect()
}

/// Adds or links each account inside the caller's transaction, auditing each; `context`
/// (a sync run) goes into the audit details. Accounts already linked to someone are
/// skipped without a word: they are in UniAsset.
pub(crate) fn apply_in(
    conn: &Connection,
    by: &Actor,
    tenant_id: &str,
    accounts: Vec<EntraAccount>,
    role: Role,
    context: Option<&str>,
) -> Result<ProvisionReport, StoreError> {
    let suffix = context.map(|c| format!("; {c}")).unwrap_or_default();
    let mut report = ProvisionReport::default();
    for account in accounts {
        // Planned one at a time, so an account sharing an address with one added just
        // before is not added twice.
        if linked_object_ids_one(conn, &account.object_id)? {
            continue;
        }
        let planned = plan(conn, account, role)?;
        let oid = &planned.account.object_id;
        match planned.plan {
            Plan::Add(new) => {
                let valid = match new.validate() {
                    Ok(valid) => valid,
                    Err(problems) => {
                        report.left_alone.push(LeftAlone {
                            email: planned.email,
                            reason: describe(&problems),
                        });
                        continue;
                    }
                };
                let id = directory::insert(conn, &valid, None)?;
                super::accounts::note_enabled(conn, oid)?;
                audit::record(
                    conn,
                    by,
                    audit::Entry::user("user.added", id).detail(format!(
                        "{} as {}, signs in with {}, from Microsoft Entra ID (object id {oid}){suffix}",
                        valid.email, valid.role, valid.sign_in
                    )),
                )?;
                report.added.push(stored(conn, id)?);
            }
            Plan::Link(user) => {
                conn.execute(
                    "UPDATE users SET entra_object_id = ?2, entra_tenant_id = ?3
                     WHERE id = ?1 AND entra_object_id IS NULL",
                    rusqlite::params![user.id, oid, tenant_id],
                )?;
                super::accounts::note_enabled(conn, oid)?;
                audit::record(
                    conn,
                    by,
                    audit::Entry::user("user.linked_to_entra", user.id).detail(format!(
                        "Entra object id {oid} in tenant {tenant_id}, from Microsoft Entra ID by address{suffix}"
                    )),
                )?;
                report.linked.push(stored(conn, user.id)?);
            }
            Plan::LeftAlone(reason) => report.left_alone.push(LeftAlone {
                email: planned.email,
                reason,
            }),
        }
    }
    Ok(report)
}

fn stored(conn: &Connection, id: i64) -> Result<User, StoreError> {
    directory::user_by_id(conn, id).map_err(|e| match e {
        directory::DirectoryError::Store(e) => e,
        // Only just written in this transaction: it cannot be missing.
        _ => StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows),
    })
}

fn merge(mut first: ProvisionReport, then: ProvisionReport) -> ProvisionReport {
    first.added.extend(then.added);
    first.linked.extend(then.linked);
    first.left_alone.extend(then.left_alone);
    first
}

/// What adding `account` does, given who is in UniAsset now.
fn plan(conn: &Connection, account: EntraAccount, role: Role) -> Result<Planned, StoreError> {
    let Some(email) = address(&account) else {
        return Ok(Planned {
            email: account.object_id.clone(),
            plan: Plan::LeftAlone(
                "the account has neither a mail address nor a sign-in name".into(),
            ),
            account,
        });
    };
    let mut addresses: Vec<String> = [
        account.mail.as_deref(),
        account.user_principal_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(|a| a.trim().to_lowercase())
    .filter(|a| !a.is_empty())
    .collect();
    addresses.dedup();
    let mut holders: Vec<User> = Vec::new();
    for a in &addresses {
        if let Some(user) = directory::find_by_email_in(conn, a)? {
            if holders.iter().all(|h| h.id != user.id) {
                holders.push(user);
            }
        }
    }
    let plan = match holders.as_slice() {
        [] => Plan::Add(NewUser {
            display_name: display_name(&account, &email),
            email: email.clone(),
            role,
            sign_in: SignInMethod::Microsoft,
            entra_object_id: Some(account.object_id.clone()),
        }),
        [user] => match (user.sign_in, &user.entra_object_id) {
            (SignInMethod::Microsoft, None) => Plan::Link(user.clone()),
            (SignInMethod::Microsoft, Some(other)) => Plan::LeftAlone(format!(
                "{} is already in UniAsset, linked to another Entra account ({other}); left as is",
                user.email
            )),
            (method, _) => Plan::LeftAlone(format!(
                "{} is already in UniAsset and signs in with {}; left as is",
                user.email,
                match method {
                    SignInMethod::Password => "a password",
                    SignInMethod::Google => "Google",
                    SignInMethod::Microsoft => "Microsoft",
                }
            )),
        },
        several => Plan::LeftAlone(format!(
            "its addresses belong to {} UniAsset users ({}); left as is",
            several.len(),
            several
                .iter()
                .map(|u| u.email.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    };
    let email = match &plan {
        Plan::Link(user) => user.email.clone(),
        _ => email,
    };
    Ok(Planned {
        account,
        email,
        plan,
    })
}

/// The address UniAsset uses for an account: its mail, else its userPrincipalName. Control
/// characters from Graph become spaces (R-X3), which no valid address holds, so such an
/// account is left alone with the reason.
fn address(account: &EntraAccount) -> Option<String> {
    [
        account.mail.as_deref(),
        account.user_principal_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|a| !a.is_empty())
    .map(|a| text::replace_controls(a).into_owned())
}

/// The account's display name, control characters replaced by spaces (R-X3), or the
/// address's local part when it has none.
fn display_name(account: &EntraAccount, email: &str) -> String {
    let name = account
        .display_name
        .as_deref()
        .map(text::replace_controls)
        .unwrap_or_default();
    match name.trim() {
        "" => email.split('@').next().unwrap_or(email).to_owned(),
        name => name.to_owned(),
    }
}

/// Whether Graph sent this account's name or addresses with control characters, which
/// UniAsset replaced (a run's line says so).
pub(crate) fn had_controls(account: &EntraAccount) -> bool {
    [
        &account.display_name,
        &account.mail,
        &account.user_principal_name,
    ]
    .into_iter()
    .flatten()
    .any(|t| text::has_controls(t))
}

/// Object ids linked to any UniAsset user, lowercased.
fn linked_object_ids(conn: &Connection) -> Result<HashSet<String>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT lower(entra_object_id) FROM users WHERE entra_object_id IS NOT NULL")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn linked_object_ids_one(conn: &Connection, object_id: &str) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE entra_object_id = ?1)",
        [object_id],
        |r| r.get(0),
    )?)
}
