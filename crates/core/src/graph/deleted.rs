//! Entra's deleted items (the recycle bin): positive evidence that an account was deleted.
//! A "not found" on its own can be a passing glitch (replication lag right after a change);
//! an account found among the deleted items was deleted.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::{GraphClient, Reply};
use super::GraphError;

const BATCH_SIZE: usize = 20;

#[derive(Deserialize)]
struct BatchReply {
    responses: Vec<BatchItem>,
}

#[derive(Deserialize)]
struct BatchItem {
    id: String,
    status: u16,
    #[serde(default)]
    body: serde_json::Value,
}

impl GraphClient {
    /// For each account, whether it is among the directory's deleted items, read through
    /// `$batch` (`GET /directory/deletedItems/{id}`). An error leaves that account in doubt.
    pub async fn in_deleted_items(
        &self,
        object_ids: &[String],
    ) -> HashMap<String, Result<bool, GraphError>> {
        let mut results = HashMap::new();
        let mut pending = object_ids.to_vec();
        for attempt in 0..=self.options.max_attempts {
            let chunks: Vec<Vec<String>> =
                pending.chunks(BATCH_SIZE).map(<[String]>::to_vec).collect();
            let answers = stream::iter(chunks.into_iter().map(|chunk| self.deleted_batch(chunk)))
                .buffer_unordered(self.options.concurrency.max(1))
                .collect::<Vec<_>>()
                .await;
            pending = Vec::new();
            for (id, answer) in answers.into_iter().flatten() {
                match answer {
                    Err(GraphError::Throttled { .. }) if attempt < self.options.max_attempts => {
                        pending.push(id)
                    }
                    other => {
                        results.insert(id, other);
                    }
                }
            }
            if pending.is_empty() {
                break;
            }
            let pause = self.options.min_backoff * 2u32.saturating_pow(attempt as u32);
            tokio::time::sleep(pause.min(Duration::from_secs(30))).await;
        }
        results
    }

    async fn deleted_batch(&self, ids: Vec<String>) -> Vec<(String, Result<bool, GraphError>)> {
        let requests: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let path = format!(
                    "/directory/deletedItems/{}?$select=id",
                    super::users::encode(id)
                );
                json!({"id": (i + 1).to_string(), "method": "GET", "url": path})
            })
            .collect();
        let body = json!({ "requests": requests });
        let reply = match self
            .request::<BatchReply>(Method::POST, &self.graph_url("/$batch"), Some(&body))
            .await
        {
            Ok(Reply::Found(reply)) => reply,
            Ok(Reply::NotFound) => {
                let e = GraphError::Malformed {
                    detail: "the $batch endpoint was not found".into(),
                };
                return ids.into_iter().map(|id| (id, Err(e.clone()))).collect();
            }
            Err(e) => return ids.into_iter().map(|id| (id, Err(e.clone()))).collect(),
        };
        let mut by_index: HashMap<String, BatchItem> = reply
            .responses
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        ids.into_iter()
            .enumerate()
            .map(|(i, id)| {
                let found = by_index.remove(&(i + 1).to_string());
                let outcome = found
                    .map(|item| deleted_outcome(&id, &item))
                    .unwrap_or_else(|| {
                        Err(GraphError::Malformed {
                            detail: "a $batch reply left out a request".into(),
                        })
                    });
                (id, outcome)
            })
            .collect()
    }
}

fn deleted_outcome(asked: &str, item: &BatchItem) -> Result<bool, GraphError> {
    let code = item
        .body
        .pointer("/error/code")
        .and_then(|c| c.as_str())
        .unwrap_or("")
        .to_owned();
    match item.status {
        200 => match item.body.get("id").and_then(|v| v.as_str()) {
            Some(id) if id.eq_ignore_ascii_case(asked) => Ok(true),
            answered => Err(GraphError::WrongUser {
                asked: asked.to_owned(),
                answered: answered.unwrap_or_default().to_owned(),
            }),
        },
        404 if code == "Request_ResourceNotFound" => Ok(false),
        // Retried by the caller a few times, then left in doubt.
        429 | 502 | 503 | 504 => Err(GraphError::Throttled {
            waited: Duration::ZERO,
        }),
        403 => Err(GraphError::PermissionMissing { code }),
        status => Err(GraphError::Unexpected {
            status,
            code,
            message: item
                .body
                .pointer("/error/message")
                .and_then(|m| m.as_str())
                .unwrap_or("")
                .to_owned(),
        }),
    }
}
