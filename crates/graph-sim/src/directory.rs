//! The simulated directory: users, and the change log that `users/delta` reads.
//!
//! Every change stamps the user with the next sequence number, and `changes` maps each
//! user's latest stamp back to the user. "What changed since stamp S" is then a range
//! scan over `changes` whose cost is the number of changed users, not the tenant's size,
//! and each changed user appears once, in its latest state, as Graph promises.

use crate::filter::{Clause, Filter};
use crate::search::Search;
use crate::user::{Lifecycle, User};
use chrono::{DateTime, SubsecRound, Utc};
use std::collections::{BTreeMap, HashMap};

#[derive(Default)]
pub(crate) struct Directory {
    /// In creation order, which is also the stable order of `/users` pages; a user's
    /// position never changes, so a position is a valid `$skiptoken`.
    users: Vec<User>,
    by_id: HashMap<String, usize>,
    /// Lowercased userPrincipalName and mail, for `$filter` and GET by UPN.
    by_name: HashMap<String, Vec<usize>>,
    /// Latest change stamp of each user -> its position.
    changes: BTreeMap<u64, usize>,
    seq: u64,
    /// How many `userNNNNN` users `add_generated` has made, so a second call continues.
    generated: usize,
}

impl Directory {
    pub(crate) fn add(
        &mut self,
        user_principal_name: &str,
        mail: Option<&str>,
        enabled: bool,
    ) -> String {
        self.add_with_id(
            &uuid::Uuid::new_v4().to_string(),
            user_principal_name,
            mail,
            enabled,
        )
    }

    /// Panics if `id` is already taken (a bug in the caller).
    pub(crate) fn add_with_id(
        &mut self,
        id: &str,
        user_principal_name: &str,
        mail: Option<&str>,
        enabled: bool,
    ) -> String {
        self.add_account(id, user_principal_name, mail, enabled, false)
    }

    /// Adds a member or guest account. Panics if `id` is already taken.
    pub(crate) fn add_account(
        &mut self,
        id: &str,
        user_principal_name: &str,
        mail: Option<&str>,
        enabled: bool,
        guest: bool,
    ) -> String {
        let id = id.to_lowercase();
        assert!(
            !self.by_id.contains_key(&id),
            "object id {id} is already in the directory"
        );
        let display_name = user_principal_name
            .split('@')
            .next()
            .unwrap_or(user_principal_name)
            .to_string();
        let position = self.users.len();
        self.users.push(User {
            id: id.clone(),
            user_principal_name: user_principal_name.to_string(),
            mail: mail.map(str::to_string),
            display_name,
            enabled,
            guest,
            created: Utc::now().trunc_subsecs(0),
            lifecycle: Lifecycle::Active,
            roles: Vec::new(),
            sessions_revoked: None,
            manager: None,
            seq: 0,
        });
        self.by_id.insert(id.clone(), position);
        let mut names = vec![user_principal_name.to_lowercase()];
        names.extend(mail.map(str::to_lowercase));
        names.dedup();
        for name in names {
            self.by_name.entry(name).or_default().push(position);
        }
        self.stamp(position);
        id
    }

    pub(crate) fn add_generated(&mut self, count: usize, domain: &str) -> Vec<String> {
        self.users.reserve(count);
        (0..count)
            .map(|_| {
                self.generated += 1;
                let upn = format!("user{:05}@{domain}", self.generated);
                self.add(&upn, Some(&upn), true)
            })
            .collect()
    }

    pub(crate) fn set_enabled(&mut self, id: &str, enabled: bool) {
        let position = self.position(id);
        let user = &mut self.users[position];
        if user.lifecycle != Lifecycle::HardDeleted && user.enabled != enabled {
            user.enabled = enabled;
            self.stamp(position);
        }
    }

    /// A new `displayName`, a change delta reports.
    pub(crate) fn set_display_name(&mut self, id: &str, display_name: &str) {
        let position = self.position(id);
        if self.users[position].display_name != display_name {
            self.users[position].display_name = display_name.to_owned();
            self.stamp(position);
        }
    }

    /// Backdates (or postdates) `createdDateTime`, as for an account made long ago. Not a
    /// change: delta does not report it.
    pub(crate) fn set_created(&mut self, id: &str, created: DateTime<Utc>) {
        let position = self.position(id);
        self.users[position].created = created.trunc_subsecs(0);
    }

    /// The user with this object id in any lifecycle. Panics on an unknown id.
    pub(crate) fn account(&self, id: &str) -> &User {
        &self.users[self.position(id)]
    }

    /// `revokeSignInSessions`: not a change delta reports (`signInSessionsValidFromDateTime`
    /// is not among the properties UniAsset selects).
    pub(crate) fn revoke_sessions(&mut self, id: &str) {
        let position = self.position(id);
        self.users[position].sessions_revoked = Some(Utc::now());
    }

    /// Makes `manager` the user's manager, or takes it away (None). Not a change delta
    /// reports: the manager is a relationship, not a property UniAsset selects.
    pub(crate) fn set_manager(&mut self, id: &str, manager: Option<&str>) {
        let manager = manager.map(|m| self.account(m).id.clone());
        let position = self.position(id);
        self.users[position].manager = manager;
    }

    pub(crate) fn set_roles(&mut self, id: &str, roles: &[&str]) {
        let position = self.position(id);
        self.users[position].roles = roles.iter().map(|r| r.to_string()).collect();
    }

    pub(crate) fn soft_delete(&mut self, id: &str) {
        self.move_to(id, Lifecycle::Active, Lifecycle::SoftDeleted);
    }

    pub(crate) fn restore(&mut self, id: &str) {
        self.move_to(id, Lifecycle::SoftDeleted, Lifecycle::Active);
    }

    pub(crate) fn hard_delete(&mut self, id: &str) {
        let position = self.position(id);
        if self.users[position].lifecycle != Lifecycle::HardDeleted {
            self.users[position].lifecycle = Lifecycle::HardDeleted;
            self.stamp(position);
        }
    }

    /// An active user by object id (any case) or by userPrincipalName, as Graph's
    /// `/users/{id | userPrincipalName}` allows.
    pub(crate) fn get(&self, id_or_upn: &str) -> Option<&User> {
        let key = id_or_upn.to_lowercase();
        let by_id = self.by_id.get(&key).map(|&p| &self.users[p]);
        let by_upn = || {
            self.by_name
                .get(&key)?
                .iter()
                .map(|&p| &self.users[p])
                .find(|u| u.user_principal_name.to_lowercase() == key)
        };
        by_id.or_else(by_upn).filter(|u| u.is_active())
    }

    /// A soft-deleted user (in the recycle bin) by object id, as
    /// `/directory/deletedItems/{id}` gives it; hard-deleted users are gone from there too.
    pub(crate) fn get_deleted(&self, id: &str) -> Option<&User> {
        self.by_id
            .get(&id.to_lowercase())
            .map(|&p| &self.users[p])
            .filter(|u| u.lifecycle == Lifecycle::SoftDeleted)
    }

    /// An active user other than `user`: the next in creation order, wrapping around;
    /// `None` when `user` is the only one.
    pub(crate) fn other_than(&self, user: &User) -> Option<&User> {
        let position = self.position(&user.id);
        let count = self.users.len();
        (1..count)
            .map(|step| &self.users[(position + step) % count])
            .find(|u| u.is_active())
    }

    /// One page of active users matching `filter` and `search` (all when both are empty),
    /// starting at position `start`; also the position where the next page starts, if any.
    pub(crate) fn list(
        &self,
        filter: &Filter,
        search: &Search,
        start: usize,
        top: usize,
    ) -> (Vec<&User>, Option<usize>) {
        let mut page = Vec::new();
        for position in self.candidates(filter, start) {
            let user = &self.users[position];
            if !user.is_active() || !filter.matches(user) || !search.matches(user) {
                continue;
            }
            if page.len() == top {
                return (page, Some(position));
            }
            page.push(user);
        }
        (page, None)
    }

    /// How many active users match `filter` and `search` (`@odata.count`).
    pub(crate) fn count(&self, filter: &Filter, search: &Search) -> usize {
        self.candidates(filter, 0)
            .filter(|&p| {
                let user = &self.users[p];
                user.is_active() && filter.matches(user) && search.matches(user)
            })
            .count()
    }

    /// Positions from `start` on that may match: when every alternative of the filter names
    /// a userPrincipalName or mail, only users with those names, else everyone.
    fn candidates(&self, filter: &Filter, start: usize) -> Box<dyn Iterator<Item = usize> + '_> {
        let named: Option<Vec<&String>> = (!filter.is_empty())
            .then(|| {
                filter
                    .alternatives()
                    .iter()
                    .map(|all| {
                        all.iter().find_map(|c| match c {
                            Clause::UserPrincipalName(name) | Clause::Mail(name) => Some(name),
                            _ => None,
                        })
                    })
                    .collect()
            })
            .flatten();
        match named {
            Some(names) => {
                let mut positions: Vec<usize> = names
                    .into_iter()
                    .filter_map(|name| self.by_name.get(name))
                    .flatten()
                    .copied()
                    .filter(|&p| p >= start)
                    .collect();
                positions.sort_unstable();
                positions.dedup();
                Box::new(positions.into_iter())
            }
            None => Box::new(start..self.users.len()),
        }
    }

    /// The stamp of the latest change; a delta token taken now starts after it.
    pub(crate) fn current_seq(&self) -> u64 {
        self.seq
    }

    /// Up to `limit` users whose latest change is in `after+1..=upto`, oldest change
    /// first, and the stamp to resume after if more follow. `initial` leaves out removed
    /// users: a first sync reports only what exists.
    pub(crate) fn changes(
        &self,
        after: u64,
        upto: u64,
        initial: bool,
        limit: usize,
    ) -> (Vec<&User>, Option<u64>) {
        let mut page = Vec::new();
        let mut last = after;
        if after >= upto {
            return (page, None);
        }
        for (&seq, &position) in self.changes.range(after + 1..=upto) {
            let user = &self.users[position];
            if initial && !user.is_active() {
                continue;
            }
            if page.len() == limit {
                return (page, Some(last));
            }
            page.push(user);
            last = seq;
        }
        (page, None)
    }

    fn position(&self, id: &str) -> usize {
        *self
            .by_id
            .get(&id.to_lowercase())
            .unwrap_or_else(|| panic!("graph-sim: no user with id {id}"))
    }

    fn move_to(&mut self, id: &str, from: Lifecycle, to: Lifecycle) {
        let position = self.position(id);
        if self.users[position].lifecycle == from {
            self.users[position].lifecycle = to;
            self.stamp(position);
        }
    }

    /// Records a change to the user at `position` in the change log.
    fn stamp(&mut self, position: usize) {
        self.seq += 1;
        let user = &mut self.users[position];
        self.changes.remove(&user.seq);
        user.seq = self.seq;
        self.changes.insert(self.seq, position);
    }
}
