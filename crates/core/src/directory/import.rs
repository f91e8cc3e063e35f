//! CSV import of users: every row valid or nothing imported, with every bad row reported by
//! its line number and reason. A preview reads the same rows through the same checks.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use rusqlite::Connection;

use serde::Serialize;

use super::{describe, ensure_unique, insert, DirectoryError, NewUser, Role, ValidUser};
use crate::access::{AccessError, Actor};
use crate::audit;
use crate::store::{Store, StoreError};

/// The columns an import file has, in this order in the template.
pub const CSV_HEADER: &str = "email,name,role,sign_in,entra_object_id";
const REQUIRED: [&str; 4] = ["email", "name", "role", "sign_in"];
const OPTIONAL: [&str; 1] = ["entra_object_id"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RowProblem {
    #[ts(type = "number")]
    pub line: u64,
    pub reason: String,
}

/// A row that would be imported, as it will be stored (trimmed, the Entra id canonical).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ImportRow {
    #[ts(type = "number")]
    pub line: u64,
    pub user: NewUser,
}

/// What importing a file would do: every row with users is either in `rows` (good) or in
/// `problems` (bad, with its line and reason). Only a file without problems imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ImportPreview {
    pub rows: Vec<ImportRow>,
    pub problems: Vec<RowProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ImportSummary {
    pub imported: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("The file's header must be \"{CSV_HEADER}\": {0}. Nothing was imported.")]
    Header(String),
    #[error("The file has no users below its header. Nothing was imported.")]
    Empty,
    #[error("The file could not be read: {0}. Nothing was imported.")]
    Unreadable(String),
    #[error("{} row(s) have problems; nothing was imported.\n{}", .0.len(), list(.0))]
    Rows(Vec<RowProblem>),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for ImportError {
    fn code(&self) -> &'static str {
        match self {
            ImportError::Header(_) | ImportError::Empty | ImportError::Rows(_) => "invalid_csv",
            ImportError::Unreadable(_) => "unreadable_file",
            ImportError::Access(e) => e.code(),
            ImportError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        ImportError::Store(e.into())
    }
}

fn list(problems: &[RowProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  line {}: {}", p.line, p.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What importing the file at `path` would do, changing nothing.
pub fn preview_import_file(
    store: &Store,
    by: &Actor,
    path: &Path,
) -> Result<ImportPreview, ImportError> {
    by.require_admin("import users")?;
    let checked = check(store.conn(), by, open(path)?)?;
    Ok(ImportPreview {
        rows: checked
            .rows
            .into_iter()
            .map(|(line, user)| ImportRow {
                line,
                user: NewUser {
                    email: user.email,
                    display_name: user.display_name,
                    role: user.role,
                    sign_in: user.sign_in,
                    entra_object_id: user.entra_object_id,
                },
            })
            .collect(),
        problems: checked.problems,
    })
}

/// Imports the users in the file at `path`: all of them, or none.
pub fn import_file(
    store: &mut Store,
    by: &Actor,
    path: &Path,
) -> Result<ImportSummary, ImportError> {
    import_csv(store, by, open(path)?)
}

fn open(path: &Path) -> Result<File, ImportError> {
    File::open(path).map_err(|e| ImportError::Unreadable(format!("{}: {e}", path.display())))
}

/// Imports users from CSV text in one transaction.
pub fn import_csv(
    store: &mut Store,
    by: &Actor,
    input: impl Read,
) -> Result<ImportSummary, ImportError> {
    by.require_admin("import users")?;
    let tx = store.write()?;
    let Checked { rows, problems } = check(&tx, by, input)?;
    if !problems.is_empty() {
        return Err(ImportError::Rows(problems));
    }
    for (_, user) in &rows {
        let id = insert(&tx, user, None)?;
        audit::record(
            &tx,
            by,
            audit::Entry::user("user.added", id).detail(format!(
                "{} as {}, signs in with {} (CSV import)",
                user.email, user.role, user.sign_in
            )),
        )?;
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(ImportSummary {
        imported: rows.len() as u32,
    })
}

/// The file's rows, split into those that would import and those with problems.
struct Checked {
    rows: Vec<(u64, ValidUser)>,
    problems: Vec<RowProblem>,
}

/// Reads every row and checks it on its own, then the good ones against the users already
/// in `conn`; problems come in line order. Importing Owners takes an Owner.
fn check(conn: &Connection, by: &Actor, input: impl Read) -> Result<Checked, ImportError> {
    let Checked { rows, mut problems } = parse(input)?;
    if rows.iter().any(|(_, u)| u.role == Role::Owner) {
        by.require_owner("import Owners")?;
    }
    let mut good = Vec::with_capacity(rows.len());
    for (line, user) in rows {
        match ensure_unique(conn, &user) {
            Ok(()) => good.push((line, user)),
            Err(DirectoryError::Store(e)) => return Err(e.into()),
            Err(e) => problems.push(RowProblem {
                line,
                reason: e.to_string(),
            }),
        }
    }
    problems.sort_by_key(|p| p.line);
    Ok(Checked {
        rows: good,
        problems,
    })
}

/// Reads and validates every row without touching the store.
fn parse(input: impl Read) -> Result<Checked, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(input);
    let columns = columns(
        reader
            .headers()
            .map_err(|e| ImportError::Unreadable(e.to_string()))?,
    )?;

    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut seen_emails: HashMap<String, u64> = HashMap::new();
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                match e.kind() {
                    csv::ErrorKind::Io(_) => return Err(ImportError::Unreadable(e.to_string())),
                    csv::ErrorKind::Utf8 { .. } => problems.push(RowProblem {
                        line,
                        reason: "the row is not valid UTF-8 text; save the file as UTF-8".into(),
                    }),
                    _ => problems.push(RowProblem {
                        line,
                        reason: e.to_string(),
                    }),
                }
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != columns.count {
            problems.push(RowProblem {
                line,
                reason: format!("expected {} fields, found {}", columns.count, record.len()),
            });
            continue;
        }
        match row_user(&record, &columns) {
            Ok(user) => {
                let key = user.email.to_lowercase();
                if let Some(first) = seen_emails.insert(key, line) {
                    problems.push(RowProblem {
                        line,
                        reason: format!("the email {} is also on line {first}", user.email),
                    });
                } else if let Some(oid) = &user.entra_object_id {
                    if let Some(first) = seen_ids.insert(oid.clone(), line) {
                        problems.push(RowProblem {
                            line,
                            reason: format!("the Entra object id {oid} is also on line {first}"),
                        });
                        continue;
                    }
                }
                rows.push((line, user));
            }
            Err(reason) => problems.push(RowProblem { line, reason }),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(Checked { rows, problems })
}

struct Columns {
    index: HashMap<&'static str, usize>,
    count: usize,
}

fn columns(header: &csv::StringRecord) -> Result<Columns, ImportError> {
    let mut index = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.to_ascii_lowercase();
        let known = REQUIRED.iter().chain(OPTIONAL.iter()).find(|c| **c == name);
        match known {
            Some(c) if index.insert(*c, i).is_some() => {
                return Err(ImportError::Header(format!(
                    "the column \"{c}\" appears twice"
                )))
            }
            Some(_) => {}
            None => {
                return Err(ImportError::Header(format!(
                    "unknown column \"{}\"",
                    crate::text::excerpt(&name)
                )))
            }
        }
    }
    let missing: Vec<_> = REQUIRED
        .iter()
        .filter(|c| !index.contains_key(*c))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::Header(format!(
            "missing column(s) {}",
            missing.join(", ")
        )));
    }
    Ok(Columns {
        index,
        count: header.len(),
    })
}

fn row_user(record: &csv::StringRecord, columns: &Columns) -> Result<ValidUser, String> {
    let field = |name: &str| {
        columns
            .index
            .get(name)
            .and_then(|&i| record.get(i))
            .unwrap_or("")
    };
    // R-X3: a control character anywhere is reported by its column, before anything else.
    let mut columns_used: Vec<_> = columns.index.iter().collect();
    columns_used.sort_by_key(|(_, i)| **i);
    let controls: Vec<_> = columns_used
        .into_iter()
        .filter_map(|(name, _)| {
            crate::text::refuse_controls(&format!("column \"{name}\""), field(name)).err()
        })
        .map(super::UserProblem::Control)
        .collect();
    if !controls.is_empty() {
        return Err(describe(&controls));
    }
    let mut problems = Vec::new();
    let role = field("role")
        .parse()
        .map_err(|e| problems.push(super::UserProblem::UnknownValue(e)))
        .ok();
    let sign_in = field("sign_in")
        .parse()
        .map_err(|e| problems.push(super::UserProblem::UnknownValue(e)))
        .ok();
    let new = NewUser {
        email: field("email").to_owned(),
        display_name: field("name").to_owned(),
        role: role.unwrap_or(Role::Member),
        sign_in: sign_in.unwrap_or(super::SignInMethod::Microsoft),
        entra_object_id: Some(field("entra_object_id").to_owned()),
    };
    match new.validate() {
        Ok(user) if problems.is_empty() => Ok(user),
        Ok(_) => Err(describe(&problems)),
        Err(more) => {
            // A sign-in method we could not read says nothing about whether an Entra id fits.
            problems.extend(more.into_iter().filter(|p| {
                sign_in.is_some() || *p != super::UserProblem::EntraIdWithoutMicrosoft
            }));
            Err(describe(&problems))
        }
    }
}
