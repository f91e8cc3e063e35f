//! Reading users' accounts: one user's status, many users by `$batch`, every user by
//! paging, the enabled members (searched), and changes since last time by delta.

use std::collections::{HashMap, HashSet};

use reqwest::Method;
use serde::Deserialize;

use super::batch::Read;
use super::client::{GraphClient, Query, Reply};
use super::GraphError;
use crate::text_enum::text_enum;

const SELECT: &str = "$select=id,accountEnabled";
/// What the listing and the change feed read of each account: its state, and what adding
/// the person to UniAsset needs (a guest or a member, name, addresses, when it was made).
/// Graph fixes a delta query's `$select` into its links, so a saved link made with another
/// selection must not be followed (see `DELTA_FIELDS`).
const DETAILS: &str =
    "$select=id,accountEnabled,userType,displayName,mail,userPrincipalName,createdDateTime";
/// The selection saved delta links carry; a link saved with another one starts over.
pub const DELTA_FIELDS: &str = DETAILS;
/// Graph's documented ceiling of `$top` for /users.
const PAGE_SIZE: usize = 999;
/// Far more pages than any tenant fills (20 million users at 999 a page); a listing that
/// goes on past this is a fault on Microsoft's side, not a large tenant.
const MAX_LIST_PAGES: usize = 20_000;
/// Delta pages carry fewer objects than listing pages, so the ceiling is higher.
const MAX_DELTA_PAGES: usize = 50_000;

text_enum! {
    /// What Entra says of an account.
    AccountState, "account state", "enabled, disabled or deleted" {
        Enabled => "enabled",
        Disabled => "disabled",
        /// Deleted (soft or hard): Graph answers 404, or a delta reports it removed.
        Deleted => "deleted",
    }
}

impl AccountState {
    pub fn parse(s: &str) -> Option<AccountState> {
        s.parse().ok()
    }

    fn from_enabled(enabled: bool) -> AccountState {
        if enabled {
            AccountState::Enabled
        } else {
            AccountState::Disabled
        }
    }
}

/// One object in a delta reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeltaChange {
    State(AccountState),
    /// Changed, but the reply did not carry `accountEnabled`: read the user to know.
    Unknown,
}

/// An account as Graph lists it, with what adding the person to UniAsset needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraAccount {
    pub object_id: String,
    pub enabled: bool,
    /// False for guests (`userType` Guest) and accounts of no stated type.
    pub member: bool,
    pub display_name: Option<String>,
    pub mail: Option<String>,
    pub user_principal_name: Option<String>,
    /// `createdDateTime`; None for accounts made before Microsoft recorded it (2018).
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl EntraAccount {
    pub fn state(&self) -> AccountState {
        AccountState::from_enabled(self.enabled)
    }

    /// An enabled member account: what UniAsset offers and adds. Guests and disabled
    /// accounts never are (deleted ones are not listed at all).
    pub fn is_enabled_member(&self) -> bool {
        self.enabled && self.member
    }
}

/// A user as read with `DETAILS` (listing, delta, `$batch`); `None` where Graph left a
/// property out.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Detailed {
    id: String,
    account_enabled: Option<bool>,
    user_type: Option<String>,
    display_name: Option<String>,
    mail: Option<String>,
    user_principal_name: Option<String>,
    created_date_time: Option<String>,
    #[serde(rename = "@removed")]
    removed: Option<serde_json::Value>,
}

impl Detailed {
    /// The account, when the reply carried its state.
    fn account(&self) -> Option<EntraAccount> {
        Some(EntraAccount {
            object_id: self.id.clone(),
            enabled: self.account_enabled?,
            member: self
                .user_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("Member")),
            display_name: self.display_name.clone(),
            mail: self.mail.clone(),
            user_principal_name: self.user_principal_name.clone(),
            created_at: self
                .created_date_time
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.to_utc()),
        })
    }
}

#[derive(Deserialize)]
struct UserState {
    id: String,
    #[serde(rename = "accountEnabled")]
    account_enabled: Option<bool>,
}

#[derive(Deserialize)]
struct Page<T> {
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
    #[serde(rename = "@odata.deltaLink")]
    delta_link: Option<String>,
}

impl GraphClient {
    /// Gets a token and reads one user, as "Test connection" does (R-E2).
    pub async fn test_connection(&self) -> Result<(), GraphError> {
        let url = self.graph_url(&format!("/users?$top=1&{SELECT}"));
        self.request::<Page<UserState>>(Method::GET, &url, None)
            .await
            .map(|_| ())
    }

    /// One user's state, read live.
    pub async fn account(&self, object_id: &str) -> Result<AccountState, GraphError> {
        let url = self.graph_url(&format!("/users/{}?{SELECT}", encode(object_id)));
        match self.request::<UserState>(Method::GET, &url, None).await? {
            Reply::NotFound => Ok(AccountState::Deleted),
            Reply::Found(user) => state_of_asked(object_id, &user),
        }
    }

    /// Many users' states through `$batch`, 20 per request, a few requests at a time.
    /// Throttled items are sent again after their `Retry-After`; each user gets an answer
    /// or an error of their own.
    pub async fn accounts(
        &self,
        object_ids: &[String],
    ) -> HashMap<String, Result<AccountState, GraphError>> {
        self.read_batched::<UserRead>(object_ids).await
    }

    /// Reads every user in the tenant, 999 per page, handing each account to `each`.
    pub async fn for_each_account(
        &self,
        mut each: impl FnMut(&EntraAccount),
    ) -> Result<(), GraphError> {
        let url = self.graph_url(&format!("/users?{DETAILS}&$top={PAGE_SIZE}"));
        self.list(url, Query::Default, "the list of users", |account| {
            each(&account);
            true
        })
        .await
    }

    /// The tenant's enabled member accounts (never guests, disabled or deleted ones), 999
    /// a page, handed to `each` until it returns false. `search` narrows them to names with
    /// a word starting with it, or addresses starting with it (Graph's `$search`, an
    /// advanced query).
    pub async fn enabled_members(
        &self,
        search: Option<&str>,
        mut each: impl FnMut(EntraAccount) -> bool,
    ) -> Result<(), GraphError> {
        let filter = encode("accountEnabled eq true and userType eq 'Member'");
        let mut url = self.graph_url(&format!(
            "/users?{DETAILS}&$filter={filter}&$top={PAGE_SIZE}"
        ));
        let mut query = Query::Default;
        // Graph's $search syntax has no escape for a double quote: such characters go.
        let text: String = search
            .unwrap_or_default()
            .chars()
            .filter(|c| *c != '"' && *c != '\\')
            .collect();
        let text = text.trim();
        if !text.is_empty() {
            let terms = ["displayName", "mail", "userPrincipalName"]
                .map(|property| format!("\"{property}:{text}\""))
                .join(" OR ");
            url.push_str(&format!("&$search={}&$count=true", encode(&terms)));
            query = Query::Advanced;
        }
        self.list(url, query, "the list of users", |account| {
            // Graph applied the filter; checked again, as adding a guest would be wrong.
            !account.is_enabled_member() || each(account)
        })
        .await
    }

    /// Follows a listing's pages, handing each account that carries its state to `each`
    /// until it returns false. One odd account without `accountEnabled` must not fail the
    /// whole listing; a tracked one missing here is read directly afterwards.
    async fn list(
        &self,
        mut url: String,
        query: Query,
        listing: &'static str,
        mut each: impl FnMut(EntraAccount) -> bool,
    ) -> Result<(), GraphError> {
        let mut pages = PageGuard::new(listing, MAX_LIST_PAGES);
        loop {
            pages.visit(&url)?;
            let page: Page<Detailed> = self.found(&url, query).await?;
            for account in page.value.iter().filter_map(Detailed::account) {
                if !each(account) {
                    return Ok(());
                }
            }
            match page.next_link {
                Some(next) => url = self.checked_link(&next)?,
                None => return Ok(()),
            }
        }
    }

    /// A delta link that starts "now": later changes only, without reading everyone.
    pub async fn delta_from_now(&self) -> Result<String, GraphError> {
        let url = self.graph_url(&format!("/users/delta?{DETAILS}&$deltatoken=latest"));
        self.follow_delta(url, |_, _, _| {}).await
    }

    /// Follows a delta link to its end, handing each changed user to `each` (with the
    /// account when the reply carried its state); returns the next delta link.
    /// `GraphError::DeltaExpired` means a full read is needed.
    pub async fn delta_changes(
        &self,
        link: &str,
        each: impl FnMut(&str, DeltaChange, Option<&EntraAccount>),
    ) -> Result<String, GraphError> {
        let url = self.checked_link(link)?;
        self.follow_delta(url, each).await
    }

    async fn follow_delta(
        &self,
        mut url: String,
        mut each: impl FnMut(&str, DeltaChange, Option<&EntraAccount>),
    ) -> Result<String, GraphError> {
        let mut pages = PageGuard::new("the list of changed users", MAX_DELTA_PAGES);
        loop {
            pages.visit(&url)?;
            let page: Page<Detailed> = self.found(&url, Query::Default).await?;
            for item in &page.value {
                let account = item.removed.is_none().then(|| item.account()).flatten();
                let change = match (&item.removed, &account) {
                    (Some(_), _) => DeltaChange::State(AccountState::Deleted),
                    (None, Some(account)) => DeltaChange::State(account.state()),
                    (None, None) => DeltaChange::Unknown,
                };
                each(&item.id, change, account.as_ref());
            }
            match (page.next_link, page.delta_link) {
                (Some(next), _) => url = self.checked_link(&next)?,
                (None, Some(delta)) => return self.checked_link(&delta),
                (None, None) => {
                    return Err(GraphError::Malformed {
                        detail: "a delta page had neither a next link nor a delta link".into(),
                    })
                }
            }
        }
    }

    /// Many accounts read live by object id through `$batch`, with what adding them needs;
    /// `None` for an account Graph does not have (deleted, or never existed).
    pub async fn accounts_detailed(
        &self,
        object_ids: &[String],
    ) -> HashMap<String, Result<Option<EntraAccount>, GraphError>> {
        self.read_batched::<DetailedRead>(object_ids).await
    }

    /// Object ids of users whose userPrincipalName or mail is `address` (R-E5).
    pub async fn find_by_address(&self, address: &str) -> Result<Vec<String>, GraphError> {
        let quoted = address.replace('\'', "''");
        let filter = format!("userPrincipalName eq '{quoted}' or mail eq '{quoted}'");
        let url = self.graph_url(&format!("/users?$select=id&$filter={}", encode(&filter)));
        let page: Page<UserState> = self.found(&url, Query::Default).await?;
        Ok(page.value.into_iter().map(|u| u.id).collect())
    }

    async fn found<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        query: Query,
    ) -> Result<T, GraphError> {
        match self.request_with(Method::GET, url, None, query).await? {
            Reply::Found(t) => Ok(t),
            Reply::NotFound => Err(GraphError::Unexpected {
                status: 404,
                code: "Request_ResourceNotFound".into(),
                message: "Microsoft Graph did not find the users collection.".into(),
            }),
        }
    }
}

/// Stops a paged read that would never end: a next link Microsoft already sent in this
/// read (a page linking back to itself or to an earlier page), or more pages than any
/// tenant could fill.
struct PageGuard {
    /// What is being read, in the administrator's words.
    listing: &'static str,
    seen: HashSet<String>,
    max_pages: usize,
}

impl PageGuard {
    fn new(listing: &'static str, max_pages: usize) -> PageGuard {
        PageGuard {
            listing,
            seen: HashSet::new(),
            max_pages,
        }
    }

    /// Called before reading each page, the first included.
    fn visit(&mut self, url: &str) -> Result<(), GraphError> {
        let pages = self.seen.len();
        let looped = !self.seen.insert(url.to_owned());
        if looped || pages >= self.max_pages {
            return Err(GraphError::EndlessPaging {
                listing: self.listing,
                pages,
                repeated: looped,
            });
        }
        Ok(())
    }
}

/// A user's `accountEnabled`, read by object id; "not found" means deleted (or in the
/// recycle bin), which the sync confirms before acting on it.
struct UserRead;

impl Read for UserRead {
    type Output = AccountState;

    fn path(id: &str) -> String {
        format!("/users/{}?{SELECT}", encode(id))
    }

    fn found(asked: &str, body: serde_json::Value) -> Result<AccountState, GraphError> {
        serde_json::from_value::<UserState>(body)
            .map_err(|e| GraphError::Malformed {
                detail: e.to_string(),
            })
            .and_then(|u| state_of_asked(asked, &u))
    }

    fn not_found() -> AccountState {
        AccountState::Deleted
    }
}

/// An account read by object id with `DETAILS`, for adding people: the reply must be
/// about the account asked for, and carry its state.
struct DetailedRead;

impl Read for DetailedRead {
    type Output = Option<EntraAccount>;

    fn path(id: &str) -> String {
        format!("/users/{}?{DETAILS}", encode(id))
    }

    fn found(asked: &str, body: serde_json::Value) -> Result<Option<EntraAccount>, GraphError> {
        let user: Detailed = serde_json::from_value(body).map_err(|e| GraphError::Malformed {
            detail: e.to_string(),
        })?;
        if !user.id.eq_ignore_ascii_case(asked) {
            return Err(GraphError::WrongUser {
                asked: asked.to_owned(),
                answered: user.id,
            });
        }
        user.account()
            .map(Some)
            .ok_or_else(|| GraphError::Malformed {
                detail: format!("user {asked} came without accountEnabled"),
            })
    }

    fn not_found() -> Option<EntraAccount> {
        None
    }
}

fn state_of(user: &UserState) -> Result<AccountState, GraphError> {
    user.account_enabled
        .map(AccountState::from_enabled)
        .ok_or_else(|| GraphError::Malformed {
            detail: format!("user {} came without accountEnabled", user.id),
        })
}

/// The state of the user read by object id `asked`. A reply about anyone else is an error
/// for this user, never a state: taking another user's "disabled" for this one would
/// deactivate the wrong person. Object ids are GUIDs, compared case-insensitively.
fn state_of_asked(asked: &str, user: &UserState) -> Result<AccountState, GraphError> {
    if !user.id.eq_ignore_ascii_case(asked) {
        return Err(GraphError::WrongUser {
            asked: asked.to_owned(),
            answered: user.id.clone(),
        });
    }
    state_of(user)
}

pub(super) fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_link_ends_the_read() {
        let mut pages = PageGuard::new("the list of users", 100);
        pages.visit("https://g/v1.0/users?a").unwrap();
        pages.visit("https://g/v1.0/users?b").unwrap();
        let err = pages.visit("https://g/v1.0/users?a").unwrap_err();
        assert_eq!(
            err,
            GraphError::EndlessPaging {
                listing: "the list of users",
                pages: 2,
                repeated: true
            }
        );
    }

    #[test]
    fn too_many_pages_end_the_read() {
        let mut pages = PageGuard::new("the list of changed users", 3);
        for i in 0..3 {
            pages
                .visit(&format!("https://g/v1.0/users/delta?{i}"))
                .unwrap();
        }
        let err = pages.visit("https://g/v1.0/users/delta?3").unwrap_err();
        assert_eq!(
            err,
            GraphError::EndlessPaging {
                listing: "the list of changed users",
                pages: 3,
                repeated: false
            }
        );
        assert!(err.to_string().contains("3 pages"), "{err}");
    }

    #[test]
    fn a_reply_about_another_user_is_an_error_for_this_one() {
        let user = |id: &str| UserState {
            id: id.into(),
            account_enabled: Some(false),
        };
        let asked = "0B5E1E3C-7F0A-4C4B-9D6E-1A2B3C4D5E6F";
        assert_eq!(
            state_of_asked(asked, &user(&asked.to_lowercase())),
            Ok(AccountState::Disabled),
            "GUIDs match whatever their case"
        );
        assert_eq!(
            state_of_asked(asked, &user("9f3c1f0e-1d7e-4c39-9a55-4d1f2f6b7a10")),
            Err(GraphError::WrongUser {
                asked: asked.into(),
                answered: "9f3c1f0e-1d7e-4c39-9a55-4d1f2f6b7a10".into()
            })
        );
    }

    #[test]
    fn account_states_keep_their_spellings() {
        for state in AccountState::ALL {
            assert_eq!(AccountState::parse(state.as_str()), Some(*state));
        }
        assert_eq!(AccountState::parse("gone"), None);
    }
}
