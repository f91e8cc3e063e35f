//! A backup's database is never adopted as it is (R-B6). Its schema must be exactly the one
//! UniAsset's migrations make for the version it claims, and its rows are then copied into a
//! new database made by those migrations: nothing UniAsset did not write (a trigger, a view,
//! an index, a table) can come along, and every row meets UniAsset's constraints again.
//! The backup's file is only ever read, by a connection that cannot write, so none of its
//! statements runs.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::Migrations;

use super::BackupError;
use crate::store::{StoreError, MIGRATIONS};
use crate::text;

/// Internal objects SQLite itself may keep in a database of ours; never copied.
const SQLITE_OWN: [(&str, &str); 3] = [
    ("table", "sqlite_sequence"),
    ("table", "sqlite_stat1"),
    ("table", "sqlite_stat4"),
];

/// (type, name) → its SQL, whitespace folded.
type Schema = BTreeMap<(String, String), String>;

/// Checks the backup's database `unpacked` (of schema `version`, as its manifest says) and
/// writes its rows into a new database at `into`, of the same version.
pub(super) fn rebuild(
    file: &Path,
    unpacked: &Path,
    into: &Path,
    version: usize,
) -> Result<(), BackupError> {
    let damaged = |detail: &str| BackupError::Damaged {
        file: file.to_owned(),
        detail: detail.to_owned(),
    };
    let altered = |detail: String| BackupError::Altered {
        file: file.to_owned(),
        detail,
    };
    let source = open_read_only(unpacked).map_err(|_| damaged("its database does not open"))?;
    let verdict: rusqlite::Result<Vec<String>> = source
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
    if !matches!(verdict.as_deref(), Ok([ok]) if ok == "ok") {
        return Err(damaged("its database fails SQLite's integrity check"));
    }
    let claimed: i64 = source
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|_| damaged("its database does not open"))?;
    if usize::try_from(claimed) != Ok(version) || version == 0 {
        return Err(damaged("its database does not match its manifest"));
    }
    let failed = |e: rusqlite::Error| BackupError::Rebuild {
        file: file.to_owned(),
        detail: StoreError::from(e).to_string(),
    };
    let mut reference = Connection::open_in_memory().map_err(failed)?;
    Migrations::from_slice(&MIGRATIONS[..version])
        .to_latest(&mut reference)
        .map_err(|e| BackupError::Rebuild {
            file: file.to_owned(),
            detail: e.to_string(),
        })?;
    let found = schema_of(&source, true)
        .map_err(|_| damaged("its database's list of tables cannot be read"))?;
    let expected = schema_of(&reference, false).map_err(failed)?;
    if let Some(difference) = first_difference(&found, &expected, version) {
        return Err(altered(difference));
    }
    drop(reference);
    drop(source);
    copy_rows(unpacked, into, version).map_err(|problem| match problem {
        Problem::Rows(detail) => altered(detail),
        Problem::Sqlite(e) => failed(e),
        Problem::Migration(detail) => BackupError::Rebuild {
            file: file.to_owned(),
            detail,
        },
    })
}

/// Read-only and immutable: no journal is read or written, no lock taken, no trigger can
/// fire (nothing is written through it).
fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(
        uri(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// `path` as an SQLite URI that opens it read-only and immutable; the characters a URI
/// gives meaning to are escaped.
fn uri(path: &Path) -> String {
    let mut escaped = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => escaped.push_str(&format!("%{:02x}", c as u32)),
            c => escaped.push(c),
        }
    }
    format!("file:{escaped}?mode=ro&immutable=1")
}

/// Every object in `conn`'s schema but SQLite's own. With `strict`, an object of SQLite's own
/// that it does not make by itself is kept, so it shows as foreign.
fn schema_of(conn: &Connection, strict: bool) -> rusqlite::Result<Schema> {
    let mut stmt = conn.prepare("SELECT type, name, sql FROM sqlite_master")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    let mut schema = Schema::new();
    for row in rows {
        let (kind, name, sql) = row?;
        let sqlites_own = SQLITE_OWN.contains(&(kind.as_str(), name.as_str()))
            || (kind == "index" && name.starts_with("sqlite_autoindex_") && sql.is_none());
        if sqlites_own || (!strict && name.starts_with("sqlite_")) {
            continue;
        }
        let sql = sql.unwrap_or_default();
        schema.insert(
            (kind, name),
            sql.split_whitespace().collect::<Vec<_>>().join(" "),
        );
    }
    Ok(schema)
}

/// The first way the backup's schema differs from UniAsset's, in words.
fn first_difference(found: &Schema, expected: &Schema, version: usize) -> Option<String> {
    for ((kind, name), sql) in found {
        match expected.get(&(kind.clone(), name.clone())) {
            None => {
                let article = if kind.starts_with('i') { "an" } else { "a" };
                return Some(format!(
                    "it has {article} {kind} \"{}\" that UniAsset's schema {version} does not have",
                    text::excerpt(name)
                ));
            }
            Some(ours) if ours != sql => {
                return Some(format!(
                    "its {kind} \"{}\" is not as UniAsset makes it",
                    text::excerpt(name)
                ))
            }
            Some(_) => {}
        }
    }
    expected
        .keys()
        .find(|key| !found.contains_key(*key))
        .map(|(kind, name)| format!("its {kind} \"{name}\" is missing"))
}

enum Problem {
    /// Rows that break UniAsset's rules, in words.
    Rows(String),
    Sqlite(rusqlite::Error),
    Migration(String),
}

impl From<rusqlite::Error> for Problem {
    fn from(e: rusqlite::Error) -> Self {
        Problem::Sqlite(e)
    }
}

/// Makes UniAsset's schema `version` at `into` and copies every column of every table from
/// `unpacked` (whose schema was found equal), in place of the rows the migrations seeded.
/// Our own triggers are set aside while rows go in, and foreign keys are checked once all
/// are in, so copying repeats nothing that happened when the rows were first written.
fn copy_rows(unpacked: &Path, into: &Path, version: usize) -> Result<(), Problem> {
    let mut conn = Connection::open_with_flags(
        into,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA foreign_keys = OFF;")?;
    Migrations::from_slice(&MIGRATIONS[..version])
        .to_latest(&mut conn)
        .map_err(|e| match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => Problem::Sqlite(err),
            other => Problem::Migration(other.to_string()),
        })?;
    let triggers = names_and_sql(&conn, "trigger")?;
    let tables = names_and_sql(&conn, "table")?;
    conn.execute("ATTACH DATABASE ?1 AS backup", [uri(unpacked)])?;
    let tx = conn.transaction()?;
    for (name, _) in &triggers {
        tx.execute_batch(&format!("DROP TRIGGER main.{}", quoted(name)))?;
    }
    for (table, _) in &tables {
        let columns: Vec<String> = tx
            .prepare("SELECT name FROM pragma_table_info(?1, 'main')")?
            .query_map([table], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let columns = columns
            .iter()
            .map(|c| quoted(c))
            .collect::<Vec<_>>()
            .join(", ");
        let table_q = quoted(table);
        // The rows the migrations seeded give way to the backup's own.
        tx.execute(&format!("DELETE FROM main.{table_q}"), [])?;
        tx.execute(
            &format!(
                "INSERT INTO main.{table_q} ({columns}) SELECT {columns} FROM backup.{table_q}"
            ),
            [],
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => Problem::Rows(format!(
                "rows in its table \"{table}\" break UniAsset's rules ({})",
                constraint(&e)
            )),
            _ => Problem::Sqlite(e),
        })?;
    }
    for (_, sql) in &triggers {
        tx.execute_batch(sql)?;
    }
    tx.commit()?;
    conn.execute("DETACH DATABASE backup", [])?;
    let orphan: Option<String> = conn
        .query_row(
            "SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(table) = orphan {
        return Err(Problem::Rows(format!(
            "rows in its table \"{table}\" refer to rows that are not there"
        )));
    }
    Ok(())
}

fn names_and_sql(conn: &Connection, kind: &str) -> rusqlite::Result<Vec<(String, String)>> {
    conn.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = ?1 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         ORDER BY rowid",
    )?
    .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Which kind of rule a row broke, in words; the constraint's own text is SQL.
fn constraint(e: &rusqlite::Error) -> &'static str {
    let text = e.to_string();
    if text.contains("UNIQUE") {
        "a value that must be unique is repeated"
    } else if text.contains("NOT NULL") {
        "a required value is empty"
    } else if text.contains("CHECK") {
        "a value is outside what UniAsset allows"
    } else {
        "a value breaks a rule of UniAsset's database"
    }
}
