//! What the alerts say: plain text for a small-business owner, naming people, the assets to
//! get back and where to look in UniAsset. Every value from the store is cleaned of control
//! characters first (R-X3): a name stored before that rule could otherwise forge lines such
//! as "Bcc: …" in the body.

use rusqlite::OptionalExtension;

use crate::directory::reason_words;
use crate::store::{Store, StoreError};
use crate::sync::{LineOutcome, RunRecord, RunResult};
use crate::text::replace_controls;

/// Hours without a successful run after which the owner is told.
pub const STALE_AFTER_HOURS: i64 = 48;

const WHERE_TO_LOOK: &str = "Settings → Integrations → Microsoft Entra ID";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// What it is about, for a chat webhook's JSON body: "test", "deactivated", "held",
    /// "failed", "stale" or "reminder".
    pub event: &'static str,
    pub subject: String,
    pub body: String,
}

pub(super) fn organization_name(store: &Store) -> Result<String, StoreError> {
    Ok(store
        .conn()
        .query_row("SELECT name FROM organization WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .map_or_else(
            || "your organization".to_owned(),
            |name: String| replace_controls(&name).into_owned(),
        ))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn see_run(id: Option<i64>) -> String {
    match id {
        Some(id) => format!(
            "See run #{id} in UniAsset: {WHERE_TO_LOOK} (or run `uniasset entra runs --run {id}`)."
        ),
        None => format!("See the latest runs in UniAsset: {WHERE_TO_LOOK}."),
    }
}

/// "Send test": an email, or a post to the chat channel.
pub(super) fn test(store: &Store, chat: bool) -> Result<Message, StoreError> {
    let (what, alerts) = if chat {
        ("message", "alerts in this channel")
    } else {
        ("email", "email alerts")
    };
    Ok(Message {
        event: "test",
        subject: format!("UniAsset: test {what}"),
        body: format!(
            "This is a test {what} from UniAsset for {}.\n\nIf you can read it, UniAsset's {alerts} reach you: you will hear when the Microsoft Entra ID sync deactivates people (and which assets to get back from them), when a sync is held for review or fails, and when no sync has succeeded for {STALE_AFTER_HOURS} hours.\n",
            organization_name(store)?
        ),
    })
}

/// A person the run deactivated and the assets still assigned to them.
struct Leaver {
    name: String,
    email: String,
    reason: Option<&'static str>,
    assets: Vec<(String, String)>,
}

fn leavers(store: &Store, run: &RunRecord) -> Result<Vec<Leaver>, StoreError> {
    let mut assets = store
        .conn()
        .prepare("SELECT tag, name FROM assets WHERE assigned_to = ?1 ORDER BY tag")?;
    let mut out = Vec::new();
    for line in run
        .lines
        .iter()
        .filter(|l| l.outcome == LineOutcome::Deactivated)
    {
        let name = match line.user_id {
            Some(id) => store
                .conn()
                .query_row("SELECT display_name FROM users WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?,
            None => None,
        };
        let held = match line.user_id {
            Some(id) => assets
                .query_map([id], |r| {
                    let (tag, name): (String, String) = (r.get(0)?, r.get(1)?);
                    Ok((
                        replace_controls(&tag).into_owned(),
                        replace_controls(&name).into_owned(),
                    ))
                })?
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let name = name.unwrap_or_else(|| line.email.clone());
        out.push(Leaver {
            name: replace_controls(&name).into_owned(),
            email: replace_controls(&line.email).into_owned(),
            reason: line.reason.map(reason_words),
            assets: held,
        });
    }
    Ok(out)
}

/// The alert a finished run calls for, if any.
pub(super) fn for_run(store: &Store, run: &RunRecord) -> Result<Option<Message>, StoreError> {
    let org = organization_name(store)?;
    let number = run.id.map(|id| format!(" #{id}")).unwrap_or_default();
    match run.result {
        RunResult::HeldForReview => {
            let held = run
                .lines
                .iter()
                .filter(|l| l.outcome == LineOutcome::Held)
                .count();
            let people = plural(held, "person", "people");
            Ok(Some(Message {
                event: "held",
                subject: format!("UniAsset: a sync is held for review — it would deactivate {people}"),
                body: format!(
                    "A sync is held for review: it would deactivate {people} in {org}, more than the mass-deactivation guard allows at once. Nobody was deactivated.\n\nAn Owner or Admin should check the list and apply or dismiss the run in UniAsset: {WHERE_TO_LOOK}.\n\n{}\n",
                    see_run(run.id)
                ),
            }))
        }
        RunResult::Failed => Ok(Some(Message {
            event: "failed",
            subject: "UniAsset: the Microsoft Entra ID sync failed".to_owned(),
            body: format!(
                "The Microsoft Entra ID sync{number} for {org} failed, so nobody was deactivated by it.\n\nWhat went wrong: {}\n\n{}\n",
                replace_controls(run.error.as_deref().unwrap_or("UniAsset recorded no error text.")),
                see_run(run.id)
            ),
        })),
        RunResult::Succeeded | RunResult::CompletedWithErrors => {
            let leavers = leavers(store, run)?;
            if leavers.is_empty() {
                return Ok(None);
            }
            let asset_count: usize = leavers.iter().map(|l| l.assets.len()).sum();
            let to_recover = match asset_count {
                0 => "no assets to recover".to_owned(),
                n => format!("{} to recover", plural(n, "asset", "assets")),
            };
            let who = match leavers.as_slice() {
                [one] => format!("{} was", one.name),
                many => format!("{} were", plural(many.len(), "person", "people")),
            };
            let mut body = format!(
                "The Microsoft Entra ID sync{number} deactivated {} in {org}. Their assets stay assigned to them in UniAsset until you check them in.\n",
                plural(leavers.len(), "person", "people")
            );
            for l in &leavers {
                body.push_str(&format!("\n{} <{}>\n", l.name, l.email));
                if let Some(reason) = l.reason {
                    body.push_str(&format!("  Why: {reason}\n"));
                }
                if l.assets.is_empty() {
                    body.push_str("  Assets to get back: none\n");
                } else {
                    body.push_str("  Assets to get back:\n");
                    for (tag, name) in &l.assets {
                        body.push_str(&format!("    - {tag}  {name}\n"));
                    }
                }
            }
            body.push_str(&format!("\n{}\n", see_run(run.id)));
            Ok(Some(Message {
                event: "deactivated",
                subject: format!("UniAsset: {who} deactivated — {to_recover}"),
                body,
            }))
        }
        RunResult::Running => Ok(None),
    }
}

/// No successful run since `from` (RFC 3339), `quiet` ago.
pub(super) fn stale(
    store: &Store,
    from: &str,
    quiet: chrono::Duration,
) -> Result<Message, StoreError> {
    Ok(Message {
        event: "stale",
        subject: format!("UniAsset: no successful sync for {STALE_AFTER_HOURS} hours"),
        body: format!(
            "No successful sync for {STALE_AFTER_HOURS} hours: the Microsoft Entra ID sync for {} has not succeeded since {from} ({} hours ago), although auto-deprovision is on. People disabled in Entra meanwhile still have access to UniAsset.\n\nCheck that UniAsset is running on the computer that runs the nightly sync, and look at the latest runs in UniAsset: {WHERE_TO_LOOK}. This email is sent once; you will hear again only after a sync succeeds and another {STALE_AFTER_HOURS} hours pass without one.\n",
            organization_name(store)?,
            quiet.num_hours()
        ),
    })
}
