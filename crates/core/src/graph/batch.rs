//! Reading many single objects through `$batch`: 20 GETs per request, a few requests at a
//! time, each item matched to its request by id (replies come in any order), throttled
//! items sent again after their `Retry-After` within the run's budget. Each object gets an
//! answer or an error of its own. What is read, and what a reply means, is a `Read`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::{GraphClient, Reply};
use super::retry::{fits, parse_retry_after};
use super::GraphError;

/// Graph's documented ceiling of requests per `$batch`.
const BATCH_SIZE: usize = 20;

/// One kind of read by object id.
pub(super) trait Read {
    type Output: Clone;
    /// The item's URL, relative to the Graph version.
    fn path(id: &str) -> String;
    /// A 200 reply's body for the object `asked`.
    fn found(asked: &str, body: serde_json::Value) -> Result<Self::Output, GraphError>;
    /// The documented "no such object" (`404 Request_ResourceNotFound`).
    fn not_found() -> Self::Output;
}

#[derive(Deserialize)]
struct BatchReply {
    responses: Vec<BatchItem>,
}

#[derive(Deserialize)]
struct BatchItem {
    id: String,
    status: u16,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: serde_json::Value,
}

enum Outcome<T> {
    Done(Result<T, GraphError>),
    /// Throttled (429) or unavailable: tried again after the wait, if any was given.
    Retry {
        after: Option<Duration>,
        throttled: bool,
    },
}

impl GraphClient {
    pub(super) async fn read_batched<R: Read>(
        &self,
        object_ids: &[String],
    ) -> HashMap<String, Result<R::Output, GraphError>> {
        let mut results = HashMap::new();
        let mut pending: Vec<String> = object_ids.to_vec();
        let started = Instant::now();
        for attempt in 0..=self.options.max_attempts {
            if pending.is_empty() {
                break;
            }
            // Owned chunks: a closure over borrowed slices would not be `Send` for every lifetime.
            let chunks: Vec<Vec<String>> =
                pending.chunks(BATCH_SIZE).map(<[String]>::to_vec).collect();
            let replies: Vec<_> =
                stream::iter(chunks.into_iter().map(|chunk| self.batch::<R>(chunk)))
                    .buffer_unordered(self.options.concurrency.max(1))
                    .collect()
                    .await;
            let mut throttled = Vec::new();
            let mut wait = Duration::ZERO;
            for reply in replies {
                match reply {
                    Ok(items) => {
                        for (id, item) in items {
                            match item {
                                Outcome::Done(r) => {
                                    results.insert(id, r);
                                }
                                Outcome::Retry {
                                    after,
                                    throttled: was_throttled,
                                } => {
                                    if was_throttled {
                                        self.note_throttled();
                                    }
                                    wait = wait.max(after.unwrap_or_default());
                                    throttled.push(id);
                                }
                            }
                        }
                    }
                    Err((ids, e)) => results.extend(ids.into_iter().map(|id| (id, Err(e.clone())))),
                }
            }
            if !throttled.is_empty() {
                let backoff = self
                    .options
                    .min_backoff
                    .saturating_mul(2u32.saturating_pow(attempt as u32));
                let delay = if wait.is_zero() {
                    backoff.min(Duration::from_secs(30))
                } else {
                    wait
                };
                if !fits(delay, self.deadline) || attempt == self.options.max_attempts {
                    let e = GraphError::Throttled {
                        waited: started.elapsed(),
                    };
                    results.extend(throttled.into_iter().map(|id| (id, Err(e.clone()))));
                    break;
                }
                tokio::time::sleep(delay).await;
            }
            pending = throttled;
        }
        results
    }

    async fn batch<R: Read>(
        &self,
        ids: Vec<String>,
    ) -> Result<Vec<(String, Outcome<R::Output>)>, (Vec<String>, GraphError)> {
        let requests: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| json!({"id": (i + 1).to_string(), "method": "GET", "url": R::path(id)}))
            .collect();
        let body = json!({ "requests": requests });
        let reply = match self
            .request::<BatchReply>(Method::POST, &self.graph_url("/$batch"), Some(&body))
            .await
        {
            Ok(Reply::Found(reply)) => reply,
            Ok(Reply::NotFound) => {
                return Err((
                    ids,
                    GraphError::Unexpected {
                        status: 404,
                        code: "NotFound".into(),
                        message: "The $batch endpoint was not found.".into(),
                    },
                ))
            }
            Err(e) => return Err((ids, e)),
        };
        let mut by_index: HashMap<String, BatchItem> = reply
            .responses
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        Ok(ids
            .into_iter()
            .enumerate()
            .map(|(i, id)| {
                let outcome = match by_index.remove(&(i + 1).to_string()) {
                    Some(item) => outcome::<R>(&id, item),
                    None => Outcome::Done(Err(GraphError::Malformed {
                        detail: "a $batch reply left out a request".into(),
                    })),
                };
                (id, outcome)
            })
            .collect())
    }
}

fn outcome<R: Read>(asked: &str, item: BatchItem) -> Outcome<R::Output> {
    let code = || {
        item.body
            .pointer("/error/code")
            .and_then(|c| c.as_str())
            .unwrap_or("")
            .to_owned()
    };
    match item.status {
        200 => Outcome::Done(R::found(asked, item.body.clone())),
        404 if code() == "Request_ResourceNotFound" => Outcome::Done(Ok(R::not_found())),
        429 | 502 | 503 | 504 => {
            let after = item
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
                .and_then(|(_, v)| parse_retry_after(v));
            Outcome::Retry {
                after,
                throttled: item.status == 429,
            }
        }
        403 => Outcome::Done(Err(GraphError::PermissionMissing { code: code() })),
        status => Outcome::Done(Err(GraphError::Unexpected {
            status,
            code: code(),
            message: item
                .body
                .pointer("/error/message")
                .and_then(|m| m.as_str())
                .unwrap_or("")
                .to_owned(),
        })),
    }
}
