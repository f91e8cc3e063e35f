//! Documents attached to assets: metadata in the database, the file itself in the data
//! directory under `documents/`, named by its SHA-256 so identical uploads share one copy.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{asset, AssetError};
use crate::access::Actor;
use crate::audit;
use crate::data_dir;
use crate::store::{Store, StoreError};
use crate::timestamp;

pub use crate::data_dir::DOCUMENTS_DIR;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Document {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub asset_id: Option<i64>,
    pub file_name: String,
    pub sha256: String,
    #[ts(type = "number")]
    pub size_bytes: i64,
    pub uploaded_at: String,
}

/// Copies `source` into the data directory and records it against the asset.
pub fn attach_document(
    store: &mut Store,
    by: &Actor,
    asset_id: i64,
    source: &Path,
) -> Result<Document, AssetError> {
    let uploader = by
        .user_id()
        .ok_or(AssetError::NeedsPerson("upload documents"))?;
    let tag = asset(store, asset_id)?.tag;
    let file_name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| AssetError::File(format!("{} is not a file", source.display())))?;
    crate::text::refuse_controls("file name", &file_name)?;
    let mut bytes = Vec::new();
    std::fs::File::open(source)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| AssetError::File(format!("{}: {e}", source.display())))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let dir = store.data_dir().join(DOCUMENTS_DIR);
    data_dir::create_private_dir(&dir).map_err(|e| AssetError::File(e.to_string()))?;
    let stored = dir.join(&sha256);
    if !stored.exists() {
        // Write beside, then rename: a crash never leaves a half-written file under its final name.
        let partial = dir.join(format!("{sha256}.partial"));
        data_dir::open_private_file(&partial, true)
            .and_then(|mut f| f.write_all(&bytes))
            .and_then(|_| std::fs::rename(&partial, &stored))
            .map_err(|e| AssetError::File(e.to_string()))?;
    }
    let uploaded_at = timestamp::now();
    let tx = store.write()?;
    tx.execute(
        "INSERT INTO documents (asset_id, uploaded_by, file_name, sha256, size_bytes, uploaded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![
            asset_id,
            uploader,
            file_name,
            sha256,
            bytes.len() as i64,
            uploaded_at
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(
        &tx,
        by,
        audit::Entry::asset("asset.document_attached", asset_id)
            .detail(format!("Attached {file_name} to {tag}")),
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(Document {
        id,
        asset_id: Some(asset_id),
        file_name,
        sha256,
        size_bytes: bytes.len() as i64,
        uploaded_at,
    })
}

/// Documents a user uploaded, newest first.
pub fn documents_of_user(store: &Store, user_id: i64) -> Result<Vec<Document>, StoreError> {
    documents(store, "uploaded_by", user_id)
}

/// Documents attached to an asset, newest first.
pub fn documents_of_asset(store: &Store, asset_id: i64) -> Result<Vec<Document>, AssetError> {
    asset(store, asset_id)?;
    Ok(documents(store, "asset_id", asset_id)?)
}

/// Where a document's file is, to open it; refused when the file has gone from the data
/// directory (restored from an incomplete backup, say).
pub fn document_path(store: &Store, document_id: i64) -> Result<PathBuf, AssetError> {
    Ok(stored(store, document_id)?.1)
}

/// A copy of a document's file under its own name, to hand to the system's application:
/// Windows and macOS choose the application by the name's extension, and a stored file is
/// named by its SHA-256. The copy is in the data directory (private, like the original);
/// opening the next document replaces it.
pub fn document_to_open(store: &Store, document_id: i64) -> Result<PathBuf, AssetError> {
    let (file_name, stored) = stored(store, document_id)?;
    let folder = store.data_dir().join(data_dir::OPENED_DIR);
    // A copy a viewer still holds open (Windows refuses to remove it) is left for later.
    let _ = std::fs::remove_dir_all(&folder);
    let folder = folder.join(document_id.to_string());
    let copy = folder.join(name_to_open(&file_name));
    data_dir::create_private_dir(&folder)
        .and_then(|_| std::fs::read(&stored))
        .and_then(|bytes| data_dir::open_private_file(&copy, true)?.write_all(&bytes))
        .map_err(|e| AssetError::DocumentNotCopied {
            file_name,
            detail: e.to_string(),
        })?;
    Ok(copy)
}

/// A document's name and its stored file, which must still be there.
fn stored(store: &Store, document_id: i64) -> Result<(String, PathBuf), AssetError> {
    let (file_name, sha256): (String, String) = store
        .conn()
        .query_row(
            "SELECT file_name, sha256 FROM documents WHERE id = ?1",
            [document_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or(AssetError::UnknownDocument(document_id))?;
    let path = store.data_dir().join(DOCUMENTS_DIR).join(&sha256);
    if !path.is_file() {
        return Err(AssetError::DocumentMissing {
            file_name,
            path: path.display().to_string(),
        });
    }
    Ok((file_name, path))
}

/// `file_name` as every system accepts it: no folder separators or characters Windows
/// refuses, no trailing dot or space, no device name (CON, NUL, COM1, …).
fn name_to_open(file_name: &str) -> String {
    let cleaned: String = file_name
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim_end_matches(['.', ' ']).trim_start();
    let stem = cleaned
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.ends_with(|c: char| c.is_ascii_digit()));
    match (cleaned.is_empty(), device) {
        (true, _) => "document".to_owned(),
        (false, true) => format!("_{cleaned}"),
        (false, false) => cleaned.to_owned(),
    }
}

fn documents(store: &Store, column: &str, id: i64) -> Result<Vec<Document>, StoreError> {
    let mut stmt = store.conn().prepare(&format!(
        "SELECT id, asset_id, file_name, sha256, size_bytes, uploaded_at FROM documents
         WHERE {column} = ?1 ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map([id], |r| {
        Ok(Document {
            id: r.get(0)?,
            asset_id: r.get(1)?,
            file_name: r.get(2)?,
            sha256: r.get(3)?,
            size_bytes: r.get(4)?,
            uploaded_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::name_to_open;

    #[test]
    fn a_name_to_open_is_one_every_system_accepts() {
        assert_eq!(name_to_open("receipt.pdf"), "receipt.pdf");
        assert_eq!(name_to_open("Q3: invoice?.pdf"), "Q3_ invoice_.pdf");
        assert_eq!(name_to_open("..\\a/b.txt"), ".._a_b.txt");
        assert_eq!(name_to_open("notes. "), "notes");
        assert_eq!(name_to_open("CON.txt"), "_CON.txt");
        assert_eq!(name_to_open("com1"), "_com1");
        assert_eq!(name_to_open("Company.pdf"), "Company.pdf");
        assert_eq!(name_to_open(" . "), "document");
    }
}
