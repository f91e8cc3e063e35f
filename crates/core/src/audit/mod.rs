//! The audit trail: an append-only record of who did what, attributed to people even
//! after they are deactivated (R-D3), each entry chained to the one before by its hash.

mod chain;
mod check;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::access::{self, AccessError, Actor};
use crate::spreadsheet::safe_cell;
use crate::store::audit_hash::Content;
use crate::store::{Store, StoreError};
use crate::timestamp;

pub use chain::{ChainBreak, ChainHead};
pub use check::{check_and_keep, check_due, trail_words, verdict, TrailVerdict};

/// The trail's head in a database of its own (a backup's copy, a restore's staging file);
/// None when its chain is broken.
pub(crate) fn head_in(conn: &Connection) -> Result<Option<ChainHead>, StoreError> {
    Ok(chain::verify_in(conn)?.ok())
}

/// What is about to be recorded; `action` is a stable dotted name such as `user.deactivated`.
pub struct Entry {
    action: &'static str,
    subject_user_id: Option<i64>,
    asset_id: Option<i64>,
    detail: String,
}

impl Entry {
    pub fn user(action: &'static str, user_id: i64) -> Entry {
        Entry {
            action,
            subject_user_id: Some(user_id),
            asset_id: None,
            detail: String::new(),
        }
    }

    pub fn asset(action: &'static str, asset_id: i64) -> Entry {
        Entry {
            action,
            subject_user_id: None,
            asset_id: Some(asset_id),
            detail: String::new(),
        }
    }

    /// An entry about the organization as a whole (settings, the Entra connection).
    pub fn organization(action: &'static str) -> Entry {
        Entry {
            action,
            subject_user_id: None,
            asset_id: None,
            detail: String::new(),
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Entry {
        self.detail = detail.into();
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    #[ts(type = "number | null")]
    pub subject_user_id: Option<i64>,
    #[ts(type = "number | null")]
    pub asset_id: Option<i64>,
    /// Whom or what the entry is about: the subject user's "Name <email>", or the asset's tag.
    pub subject: Option<String>,
    pub detail: String,
}

/// Appends one entry, inside the caller's transaction so it commits with the change it records.
pub fn record(conn: &Connection, by: &Actor, entry: Entry) -> Result<(), StoreError> {
    insert(conn, by.user_id(), &by.label(), entry)
}

/// Appends one entry by someone named only by `label`: whoever restored a backup, who
/// may be nobody (or somebody else) in the restored database.
pub(crate) fn record_labelled(
    conn: &Connection,
    label: &str,
    entry: Entry,
) -> Result<(), StoreError> {
    insert(conn, None, label, entry)
}

/// Appends an entry linked to the newest one (see `chain`). Every caller writes inside a
/// write transaction, so no other writer can take the same id or link in between.
fn insert(
    conn: &Connection,
    user_id: Option<i64>,
    label: &str,
    entry: Entry,
) -> Result<(), StoreError> {
    let (last_id, prev_hash) = chain::head_in(conn)?;
    let at = timestamp::now();
    let id = last_id + 1;
    let hash = Content {
        id,
        at: &at,
        actor_user_id: user_id,
        actor_label: label,
        action: entry.action,
        subject_user_id: entry.subject_user_id,
        asset_id: entry.asset_id,
        detail: &entry.detail,
        prev_hash: &prev_hash,
    }
    .hash();
    conn.execute(
        "INSERT INTO audit_entries (id, at, actor_user_id, actor_label, action, subject_user_id,
             asset_id, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        rusqlite::params![
            id,
            at,
            user_id,
            label,
            entry.action,
            entry.subject_user_id,
            entry.asset_id,
            entry.detail,
            prev_hash,
            hash
        ],
    )?;
    Ok(())
}

/// Checks the whole trail (R-X5): Ok with the count and the head hash, or where it breaks.
pub fn verify(store: &Store, by: &Actor) -> Result<Result<ChainHead, ChainBreak>, AuditError> {
    access::check_audit_log(by)?;
    Ok(chain::verify_in(store.conn())?)
}

/// "Check the trail" in the audit log: the whole chain verified now, the verdict kept for Home.
pub fn check_now(store: &mut Store, by: &Actor) -> Result<TrailVerdict, AuditError> {
    access::check_audit_log(by)?;
    Ok(check_and_keep(store)?)
}

/// Entries a user performed or was the subject of, newest first.
pub fn for_user(store: &Store, user_id: i64) -> Result<Vec<AuditEntry>, StoreError> {
    let sql =
        format!("{SELECT} WHERE e.actor_user_id = ?1 OR e.subject_user_id = ?1 ORDER BY e.id DESC");
    let mut stmt = store.conn().prepare(&sql)?;
    let rows = stmt.query_map([user_id], entry_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An entry with its subject named, as every reader of the trail shows it.
const SELECT: &str =
    "SELECT e.id, e.at, e.actor_label, e.action, e.subject_user_id, e.asset_id, e.detail,
        CASE WHEN u.id IS NOT NULL THEN u.display_name || ' <' || u.email || '>' ELSE a.tag END
    FROM audit_entries e
    LEFT JOIN users u ON u.id = e.subject_user_id
    LEFT JOIN assets a ON a.id = e.asset_id";

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        subject_user_id: r.get(4)?,
        asset_id: r.get(5)?,
        detail: r.get(6)?,
        subject: r.get(7)?,
    })
}

/// Entries a page holds unless asked otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The most a page holds, however many are asked for.
pub const MAX_PAGE_SIZE: u32 = 500;

/// Which entries the audit log shows. Every field may be left out (or empty): no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
#[ts(export, optional_fields = nullable)]
pub struct AuditQuery {
    /// An email address: entries this person did or was the subject of.
    pub person: Option<String>,
    /// An action name such as `user.deactivated` (see `actions`).
    pub action: Option<String>,
    /// YYYY-MM-DD, UTC, inclusive.
    pub since: Option<String>,
    /// YYYY-MM-DD, UTC, inclusive.
    pub until: Option<String>,
    /// The `next` of the previous page: only entries older than this id.
    #[ts(type = "number | null", optional)]
    pub before: Option<i64>,
    /// Entries per page: 50 unless given, at most 500.
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next page; None on the last page.
    #[ts(type = "number | null")]
    pub next: Option<i64>,
    /// How many entries match the filters, on all pages.
    pub total: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("\"{}\" is not a date: use YYYY-MM-DD.", crate::text::excerpt(.0))]
    InvalidDate(String),
    #[error("The start date {since} is after the end date {until}: no entry can match.")]
    DateRange { since: NaiveDate, until: NaiveDate },
    #[error("No user has the email address \"{}\".", crate::text::excerpt(.0))]
    UnknownUser(String),
    #[error("Could not write the audit log: {0}")]
    Write(std::io::Error),
    #[error("Could not write the audit log to {}: {source}", .path.display())]
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for AuditError {
    fn code(&self) -> &'static str {
        match self {
            AuditError::InvalidDate(_) => "invalid_date",
            AuditError::DateRange { .. } => "invalid_date_range",
            AuditError::UnknownUser(_) => "unknown_user",
            AuditError::Write(_) | AuditError::WriteFile { .. } => "export_failed",
            AuditError::Access(e) => e.code(),
            AuditError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for AuditError {
    fn from(e: rusqlite::Error) -> Self {
        AuditError::Store(e.into())
    }
}

/// One page of the audit log, newest first (Owner and Admin). Pages are cut by id, not by
/// offset, so entries recorded while someone reads never shift a page or repeat one.
pub fn page(store: &Store, by: &Actor, query: &AuditQuery) -> Result<AuditPage, AuditError> {
    access::check_audit_log(by)?;
    let conn = store.conn();
    let filter = Filter::of(conn, query)?;
    let (sql, params) = filter.count_sql();
    let total: i64 = conn.query_row(&sql, rusqlite::params_from_iter(&params), |r| r.get(0))?;
    let limit = query
        .limit
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    // One more than the page holds tells whether another page follows.
    let (sql, params) = filter.entries_sql(query.before, Some(limit + 1));
    let mut stmt = conn.prepare(&sql)?;
    let mut entries = stmt
        .query_map(rusqlite::params_from_iter(&params), entry_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let next = if entries.len() > limit as usize {
        entries.truncate(limit as usize);
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(AuditPage {
        entries,
        next,
        total: u32::try_from(total).unwrap_or(u32::MAX),
    })
}

/// Every action name in the log, alphabetically, for the action filter.
pub fn actions(store: &Store, by: &Actor) -> Result<Vec<String>, AuditError> {
    access::check_audit_log(by)?;
    let mut stmt = store
        .conn()
        .prepare("SELECT DISTINCT action FROM audit_entries ORDER BY action")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Writes every entry matching `query`'s filters (its `before` and `limit` aside) as CSV,
/// newest first, every cell safe to open in a spreadsheet. Returns how many were written.
pub fn export_csv(
    store: &Store,
    by: &Actor,
    query: &AuditQuery,
    out: impl Write,
) -> Result<u32, AuditError> {
    access::check_audit_log(by)?;
    let conn = store.conn();
    let filter = Filter::of(conn, query)?;
    let (sql, params) = filter.entries_sql(None, None);
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(&params))?;
    let mut csv = csv::Writer::from_writer(out);
    let write = |e: csv::Error| AuditError::Write(e.into());
    csv.write_record(["time", "actor", "action", "subject", "details"])
        .map_err(write)?;
    let mut written = 0u32;
    while let Some(row) = rows.next()? {
        let e = entry_from_row(row)?;
        let subject = e.subject.as_deref().unwrap_or_default();
        let cells = [e.at.as_str(), &e.actor, &e.action, subject, &e.detail].map(safe_cell);
        csv.write_record(cells.iter().map(|c| c.as_bytes()))
            .map_err(write)?;
        written += 1;
    }
    csv.flush().map_err(AuditError::Write)?;
    Ok(written)
}

/// `export_csv` into the file at `path`, written beside it first and then renamed, so a
/// failed export never leaves a half-written file under the chosen name. The file is
/// readable by its owner only: it names people and what was done to them.
pub fn export_csv_file(
    store: &Store,
    by: &Actor,
    query: &AuditQuery,
    path: &Path,
) -> Result<u32, AuditError> {
    // Refused before anything is written.
    access::check_audit_log(by)?;
    crate::data_dir::export_file(
        path,
        |out| export_csv(store, by, query, out),
        |source| AuditError::WriteFile {
            path: path.to_owned(),
            source,
        },
    )
}

/// A query's filters, checked: the person resolved to their id, dates to the stamps that
/// bound them.
struct Filter {
    person: Option<i64>,
    action: Option<String>,
    /// Entries at or after this stamp.
    since: Option<String>,
    /// Entries before this stamp (the day after `until`).
    before_stamp: Option<String>,
}

impl Filter {
    fn of(conn: &Connection, query: &AuditQuery) -> Result<Filter, AuditError> {
        let given = |field: &Option<String>| {
            field
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let since = given(&query.since).map(|d| date(&d)).transpose()?;
        let until = given(&query.until).map(|d| date(&d)).transpose()?;
        if let (Some(since), Some(until)) = (since, until) {
            if since > until {
                return Err(AuditError::DateRange { since, until });
            }
        }
        let person = match given(&query.person) {
            // users.email compares without case (COLLATE NOCASE).
            Some(email) => Some(
                conn.query_row("SELECT id FROM users WHERE email = ?1", [&email], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or(AuditError::UnknownUser(email))?,
            ),
            None => None,
        };
        // Stamps are RFC 3339 in UTC, so text order is time order and a bare date sorts
        // before every stamp of that day.
        Ok(Filter {
            person,
            action: given(&query.action),
            since: since.map(|d| d.to_string()),
            before_stamp: until.and_then(|d| d.succ_opt()).map(|d| d.to_string()),
        })
    }

    /// How many entries match: each filter may use its own index.
    fn count_sql(&self) -> (String, Vec<Value>) {
        let mut clauses = Vec::new();
        let mut params = Vec::new();
        if let Some(id) = self.person {
            clauses.push("(e.actor_user_id = ? OR e.subject_user_id = ?)");
            params.extend([Value::Integer(id), Value::Integer(id)]);
        }
        self.others(&mut clauses, &mut params, None, true);
        (
            format!(
                "SELECT count(*) FROM audit_entries e {}",
                where_sql(&clauses)
            ),
            params,
        )
    }

    /// The matching entries older than `cursor`, newest first, at most `limit`. Every plan
    /// reads in id order and stops at the limit instead of sorting all matches: dates are
    /// checked row by row (`+e.at` keeps SQLite off the date index, which would need a
    /// sort), and a person's entries are the newest of those they did and those about
    /// them, each read from its own index.
    fn entries_sql(&self, cursor: Option<i64>, limit: Option<u32>) -> (String, Vec<Value>) {
        let limit_sql = if limit.is_some() { "LIMIT ?" } else { "" };
        let mut clauses = Vec::new();
        let mut params = Vec::new();
        if let Some(id) = self.person {
            let mut branch = |column: &str| {
                let mut inner = vec![column];
                params.push(Value::Integer(id));
                self.others(&mut inner, &mut params, cursor, false);
                params.extend(limit.map(|n| Value::Integer(n.into())));
                format!(
                    "SELECT id FROM (SELECT e.id FROM audit_entries e {} ORDER BY e.id DESC {limit_sql})",
                    where_sql(&inner)
                )
            };
            let by_them = branch("e.actor_user_id = ?");
            let about_them = branch("e.subject_user_id = ?");
            let person = format!("e.id IN ({by_them} UNION ALL {about_them})");
            params.extend(limit.map(|n| Value::Integer(n.into())));
            return (
                format!("{SELECT} WHERE {person} ORDER BY e.id DESC {limit_sql}"),
                params,
            );
        }
        self.others(&mut clauses, &mut params, cursor, false);
        params.extend(limit.map(|n| Value::Integer(n.into())));
        (
            format!(
                "{SELECT} {} ORDER BY e.id DESC {limit_sql}",
                where_sql(&clauses)
            ),
            params,
        )
    }

    /// The action, the dates (through the date index or not) and the cursor.
    fn others(
        &self,
        clauses: &mut Vec<&str>,
        params: &mut Vec<Value>,
        cursor: Option<i64>,
        date_index: bool,
    ) {
        if let Some(action) = &self.action {
            clauses.push("e.action = ?");
            params.push(Value::Text(action.clone()));
        }
        if let Some(since) = &self.since {
            clauses.push(if date_index {
                "e.at >= ?"
            } else {
                "+e.at >= ?"
            });
            params.push(Value::Text(since.clone()));
        }
        if let Some(before) = &self.before_stamp {
            clauses.push(if date_index { "e.at < ?" } else { "+e.at < ?" });
            params.push(Value::Text(before.clone()));
        }
        if let Some(cursor) = cursor {
            clauses.push("e.id < ?");
            params.push(Value::Integer(cursor));
        }
    }
}

/// `WHERE …` joining `clauses`, or nothing.
fn where_sql(clauses: &[&str]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    }
}

fn date(text: &str) -> Result<NaiveDate, AuditError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| AuditError::InvalidDate(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(conn: &Connection, sql: &str, params: &[Value]) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                r.get::<_, String>(3)
            })
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    /// 100,000 entries stay fast because no page sorts its matches: each reads in id order
    /// (the table itself or an index ending in the id) and stops at the page's end.
    #[test]
    fn every_filtered_page_reads_in_id_order_through_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let conn = store.conn();
        conn.execute(
            "INSERT INTO users (email, display_name, role, sign_in, created_at)
             VALUES ('ann@example.com', 'Ann', 'owner', 'password', '2024-01-01')",
            [],
        )
        .unwrap();
        let query = |person: bool, action: bool, since: bool, until: bool| AuditQuery {
            person: person.then(|| "ANN@example.com".into()),
            action: action.then(|| "user.deactivated".into()),
            since: since.then(|| "2024-01-01".into()),
            until: until.then(|| "2024-06-30".into()),
            ..AuditQuery::default()
        };
        // (query, what the page must read the entries through)
        let cases = [
            (query(false, false, false, false), vec!["e"]),
            (
                query(true, false, false, false),
                vec!["audit_entries_actor", "audit_entries_subject"],
            ),
            (
                query(false, true, false, false),
                vec!["audit_entries_action"],
            ),
            (query(false, false, true, false), vec!["e"]),
            (query(false, false, true, true), vec!["e"]),
            (query(false, true, true, true), vec!["audit_entries_action"]),
            (
                query(true, true, true, true),
                vec!["audit_entries_actor", "audit_entries_subject"],
            ),
        ];
        for (query, through) in cases {
            let filter = Filter::of(conn, &query).unwrap();
            for cursor in [None, Some(1000)] {
                let (sql, params) = filter.entries_sql(cursor, Some(51));
                let page = plan(conn, &sql, &params);
                println!("{query:?} cursor {cursor:?}:\n{page}\n");
                assert!(!page.contains("TEMP B-TREE"), "{query:?}: a sort\n{page}");
                for index in &through {
                    let reads = if *index == "e" {
                        page.lines().any(|l| {
                            l == "SCAN e" || l.starts_with("SEARCH e USING INTEGER PRIMARY KEY")
                        })
                    } else {
                        page.contains(&format!("INDEX {index} ("))
                    };
                    assert!(reads, "{query:?}: not through {index}\n{page}");
                }
            }
            let (sql, params) = filter.count_sql();
            let count = plan(conn, &sql, &params);
            println!("{query:?} count:\n{count}\n");
            assert!(
                count.contains("INDEX"),
                "{query:?}: count without an index\n{count}"
            );
        }
    }
}
