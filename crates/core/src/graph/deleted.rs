//! Entra's deleted items (the recycle bin): positive evidence that an account was deleted.
//! A "not found" on its own can be a passing glitch (replication lag right after a change);
//! an account found among the deleted items was deleted.

use std::collections::HashMap;

use super::batch::Read;
use super::client::GraphClient;
use super::users::encode;
use super::GraphError;

struct DeletedItem;

impl Read for DeletedItem {
    type Output = bool;

    fn path(id: &str) -> String {
        format!("/directory/deletedItems/{}?$select=id", encode(id))
    }

    fn found(asked: &str, body: serde_json::Value) -> Result<bool, GraphError> {
        match body.get("id").and_then(|v| v.as_str()) {
            Some(id) if id.eq_ignore_ascii_case(asked) => Ok(true),
            answered => Err(GraphError::WrongUser {
                asked: asked.to_owned(),
                answered: answered.unwrap_or_default().to_owned(),
            }),
        }
    }

    fn not_found() -> bool {
        false
    }
}

impl GraphClient {
    /// For each account, whether it is among the directory's deleted items
    /// (`GET /directory/deletedItems/{id}` through `$batch`). An error leaves it in doubt.
    pub async fn in_deleted_items(
        &self,
        object_ids: &[String],
    ) -> HashMap<String, Result<bool, GraphError>> {
        self.read_batched::<DeletedItem>(object_ids).await
    }
}
