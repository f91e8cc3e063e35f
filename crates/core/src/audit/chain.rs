//! The audit trail's hash chain (R-X5): every entry carries a SHA-256 over its own content
//! and the hash of the entry before it, so an entry edited, deleted or slipped in afterwards
//! breaks the chain at that point. The chain alone cannot show the newest entries cut off or
//! the whole trail rewritten by someone who recomputes every hash: the head hash kept outside
//! the database (in each backup's manifest and each evidence export) shows those.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::store::audit_hash::{Stored, GENESIS, STORED};
use crate::store::StoreError;

/// The newest entry's id (0 for none) and hash (`GENESIS` for none): where the next one links.
pub(crate) fn head_in(conn: &Connection) -> Result<(i64, String), StoreError> {
    let head = conn
        .query_row(
            "SELECT id, hash FROM audit_entries ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?)),
        )
        .optional()?;
    Ok(match head {
        Some((id, hash)) => (id, hash.unwrap_or_else(|| GENESIS.to_owned())),
        None => (0, GENESIS.to_owned()),
    })
}

/// The whole trail checked: how many entries, and the newest one's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ChainHead {
    #[ts(type = "number")]
    pub entries: u64,
    /// Hex SHA-256 of the newest entry (64 zeros for an empty trail).
    pub head: String,
}

/// Where and how the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ChainBreak {
    #[error("Audit entry #{id} does not match its hash: it was changed after it was recorded.")]
    Edited {
        #[ts(type = "number")]
        id: i64,
    },
    #[error("Audit entry #{id} does not follow {}: entries between them were deleted, or #{id} was inserted afterwards.", after.map_or("the start of the trail".to_owned(), |a| format!("entry #{a}")))]
    Broken {
        #[ts(type = "number")]
        id: i64,
        #[ts(type = "number | null")]
        after: Option<i64>,
    },
    #[error("Audit entry #{id} has no hash: it was inserted outside UniAsset.")]
    Unchained {
        #[ts(type = "number")]
        id: i64,
    },
}

impl ChainBreak {
    /// The first entry that does not match.
    pub fn entry(&self) -> i64 {
        match self {
            ChainBreak::Edited { id }
            | ChainBreak::Broken { id, .. }
            | ChainBreak::Unchained { id } => *id,
        }
    }
}

impl crate::ErrorCode for ChainBreak {
    fn code(&self) -> &'static str {
        "audit_chain_broken"
    }
}

/// Checks every entry, oldest first, against its hash and its link to the one before.
pub(super) fn verify_in(conn: &Connection) -> Result<Result<ChainHead, ChainBreak>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {STORED}, prev_hash, hash FROM audit_entries ORDER BY id"
    ))?;
    let mut rows = stmt.query([])?;
    let mut previous: Option<(i64, String)> = None;
    let mut entries = 0u64;
    while let Some(r) = rows.next()? {
        let row = Stored::read(r)?;
        let (prev_hash, hash): (Option<String>, Option<String>) = (r.get(8)?, r.get(9)?);
        let (Some(prev_hash), Some(hash)) = (prev_hash, hash) else {
            return Ok(Err(ChainBreak::Unchained { id: row.id }));
        };
        let expected_prev = previous.as_ref().map_or(GENESIS, |(_, h)| h.as_str());
        if prev_hash != expected_prev {
            return Ok(Err(ChainBreak::Broken {
                id: row.id,
                after: previous.map(|(id, _)| id),
            }));
        }
        if row.content(&prev_hash).hash() != hash {
            return Ok(Err(ChainBreak::Edited { id: row.id }));
        }
        previous = Some((row.id, hash));
        entries += 1;
    }
    Ok(Ok(ChainHead {
        entries,
        head: previous.map_or_else(|| GENESIS.to_owned(), |(_, h)| h),
    }))
}
