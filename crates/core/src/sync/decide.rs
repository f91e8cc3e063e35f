//! The decision for each linked user (R-S2, R-S3, R-S4), kept free of I/O so every rule is
//! unit-tested directly. Deactivation needs Entra's explicit word; anything doubtful does
//! nothing to that user.

use std::collections::HashMap;

use crate::directory::{DeactivationReason, User, UserStatus};
use crate::entra::MassDeactivationGuard;
use crate::graph::{AccountState, GraphError};

#[derive(Debug, Default)]
pub struct Decision {
    /// Active users Entra reports disabled or deleted.
    pub to_deactivate: Vec<(User, DeactivationReason)>,
    /// Active protected users Entra reports disabled or deleted: reported, never deactivated
    /// (R-S11).
    pub protected: Vec<(User, DeactivationReason)>,
    /// Users the sync deactivated earlier whose Entra account is enabled again.
    pub enabled_again: Vec<User>,
    pub errors: Vec<(User, String)>,
    pub checked: u32,
    pub disabled_found: u32,
    pub deleted_found: u32,
    /// Why nobody is deactivated until an admin decides, if the run is held.
    pub hold: Option<Hold>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// More than the mass-deactivation guard allows.
    Guard,
    /// After this run no linked account would be known as enabled: what a wrong tenant,
    /// a broken link or a bad reply looks like, not what a business does.
    NoneLeftEnabled,
}

impl Hold {
    pub fn explain(self) -> &'static str {
        match self {
            Hold::Guard => "Held for review: that is more than the mass-deactivation guard allows.",
            Hold::NoneLeftEnabled => "Held for review: afterwards no Microsoft-linked user would be known as enabled in Entra ID, which looks like a wrong tenant or a bad reply rather than real leavers.",
        }
    }
}

/// Links made in another tenant than the connected one are not checked: their object ids
/// mean nothing there, and would read as deleted. Links with no tenant yet are checked.
pub fn split_by_tenant(linked: Vec<User>, tenant_id: &str) -> (Vec<User>, Vec<User>) {
    linked.into_iter().partition(|u| {
        u.entra_tenant_id
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case(tenant_id))
    })
}

/// The linked users of the connected tenant a run does not decide over (see `scope`): their
/// accounts did not change, so they enter the whole picture as counts.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rest {
    /// How many of them are active: each counts as checked.
    pub active: u32,
    /// Whether any of them is known enabled in Entra.
    pub known_enabled: bool,
}

/// `tracked` are Microsoft-linked users of the connected tenant, `rest` the others; `current`
/// is Entra's latest word per object id: the states known from earlier runs with this run's
/// news on top, so the hold below judges the whole picture, not only what changed tonight.
pub fn decide(
    tracked: &[User],
    current: &HashMap<String, Result<AccountState, GraphError>>,
    guard: MassDeactivationGuard,
    rest: Rest,
) -> Decision {
    let mut plan = Decision {
        checked: rest.active,
        ..Decision::default()
    };
    let mut known_enabled = u32::from(rest.known_enabled);
    for user in tracked {
        let Some(oid) = user.entra_object_id.as_deref() else {
            continue;
        };
        let state = current.get(oid);
        if matches!(state, Some(Ok(AccountState::Enabled))) {
            known_enabled += 1;
        }
        match user.status {
            UserStatus::Active => {
                plan.checked += 1;
                let reason = match state {
                    Some(Ok(AccountState::Enabled)) => None,
                    Some(Ok(AccountState::Disabled)) => {
                        plan.disabled_found += 1;
                        Some(DeactivationReason::DisabledInEntra)
                    }
                    Some(Ok(AccountState::Deleted)) => {
                        plan.deleted_found += 1;
                        Some(DeactivationReason::DeletedFromEntra)
                    }
                    Some(Err(e)) => {
                        plan.errors.push((user.clone(), e.to_string()));
                        None
                    }
                    None => {
                        plan.errors.push((
                            user.clone(),
                            "Entra ID gave no status for this account.".into(),
                        ));
                        None
                    }
                };
                if let Some(reason) = reason {
                    if user.protected {
                        plan.protected.push((user.clone(), reason));
                    } else {
                        plan.to_deactivate.push((user.clone(), reason));
                    }
                }
            }
            UserStatus::Deactivated => {
                let by_sync = matches!(
                    user.deactivation_reason,
                    Some(
                        DeactivationReason::DisabledInEntra | DeactivationReason::DeletedFromEntra
                    )
                );
                if by_sync && matches!(state, Some(Ok(AccountState::Enabled))) {
                    plan.enabled_again.push(user.clone());
                }
            }
        }
    }
    let deactivating = plan.to_deactivate.len() as u32;
    plan.hold = if trips(guard, deactivating, plan.checked) {
        Some(Hold::Guard)
    } else if deactivating > 0 && known_enabled == 0 {
        Some(Hold::NoneLeftEnabled)
    } else {
        None
    };
    plan
}

/// More than `min_users` and more than `percent` of those checked (R-S4).
fn trips(guard: MassDeactivationGuard, deactivating: u32, checked: u32) -> bool {
    deactivating > guard.min_users
        && u64::from(deactivating) * 100 > u64::from(guard.percent) * u64::from(checked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::{Role, SignInMethod};

    const GUARD: MassDeactivationGuard = MassDeactivationGuard {
        min_users: 5,
        percent: 20,
    };

    fn user(n: u32, status: UserStatus, reason: Option<DeactivationReason>) -> User {
        User {
            id: i64::from(n),
            email: format!("u{n}@example.com"),
            display_name: format!("U{n}"),
            role: Role::Member,
            sign_in: SignInMethod::Microsoft,
            entra_object_id: Some(format!("oid-{n}")),
            status,
            deactivated_at: reason.map(|_| "2026-01-01T00:00:00.000Z".into()),
            deactivated_by: reason.map(|_| "Microsoft Entra ID sync".into()),
            deactivation_reason: reason,
            created_at: "2026-01-01T00:00:00.000Z".into(),
            protected: false,
            entra_tenant_id: None,
        }
    }

    /// Users 1..=n, active and linked.
    fn active(n: u32) -> Vec<User> {
        (1..=n).map(|i| user(i, UserStatus::Active, None)).collect()
    }

    fn states(
        pairs: &[(u32, Result<AccountState, GraphError>)],
    ) -> HashMap<String, Result<AccountState, GraphError>> {
        pairs
            .iter()
            .map(|(n, s)| (format!("oid-{n}"), s.clone()))
            .collect()
    }

    #[test]
    fn the_users_a_run_leaves_out_count_in_the_whole_picture() {
        let users = active(6);
        let all_disabled = states(
            &(1..=6)
                .map(|n| (n, Ok(AccountState::Disabled)))
                .collect::<Vec<_>>(),
        );
        let alone = decide(&users, &all_disabled, GUARD, Rest::default());
        assert_eq!(alone.hold, Some(Hold::Guard), "6 of 6 trips the guard");
        let among_many = Rest {
            active: 100,
            known_enabled: true,
        };
        let plan = decide(&users, &all_disabled, GUARD, among_many);
        assert_eq!(plan.checked, 106);
        assert_eq!(plan.hold, None, "6 of 106 is under 20%");
        assert_eq!(plan.to_deactivate.len(), 6);
        let none_enabled = Rest {
            active: 100,
            known_enabled: false,
        };
        assert_eq!(
            decide(&users, &all_disabled, GUARD, none_enabled).hold,
            Some(Hold::NoneLeftEnabled)
        );
    }

    #[test]
    fn disabled_and_deleted_are_deactivated_enabled_is_left_alone() {
        let users = active(3);
        let plan = decide(
            &users,
            &states(&[
                (1, Ok(AccountState::Enabled)),
                (2, Ok(AccountState::Disabled)),
                (3, Ok(AccountState::Deleted)),
            ]),
            GUARD,
            Rest::default(),
        );
        let decided: Vec<_> = plan.to_deactivate.iter().map(|(u, r)| (u.id, *r)).collect();
        assert_eq!(
            decided,
            vec![
                (2, DeactivationReason::DisabledInEntra),
                (3, DeactivationReason::DeletedFromEntra)
            ]
        );
        assert_eq!(
            (plan.checked, plan.disabled_found, plan.deleted_found),
            (3, 1, 1)
        );
        assert_eq!(plan.hold, None);
    }

    #[test]
    fn doubt_about_a_user_touches_nobody() {
        let users = active(2);
        let err = GraphError::Throttled {
            waited: std::time::Duration::from_secs(1),
        };
        let plan = decide(&users, &states(&[(1, Err(err))]), GUARD, Rest::default());
        assert!(plan.to_deactivate.is_empty());
        assert_eq!(
            plan.errors.len(),
            2,
            "an error and a missing state are both reported"
        );
    }

    #[test]
    fn re_enabled_users_are_reported_not_reactivated() {
        let users = [
            user(
                1,
                UserStatus::Deactivated,
                Some(DeactivationReason::DisabledInEntra),
            ),
            user(2, UserStatus::Deactivated, Some(DeactivationReason::Manual)),
        ];
        let plan = decide(
            &users,
            &states(&[
                (1, Ok(AccountState::Enabled)),
                (2, Ok(AccountState::Enabled)),
            ]),
            GUARD,
            Rest::default(),
        );
        assert_eq!(
            plan.enabled_again.iter().map(|u| u.id).collect::<Vec<_>>(),
            vec![1]
        );
        assert!(plan.to_deactivate.is_empty());
        assert_eq!(
            plan.checked, 0,
            "deactivated users are not checked for deactivation"
        );
    }

    #[test]
    fn everyone_deleted_looks_like_the_wrong_tenant_and_is_held() {
        let users = active(2);
        let gone = states(&[
            (1, Ok(AccountState::Deleted)),
            (2, Ok(AccountState::Deleted)),
        ]);
        assert_eq!(
            decide(&users, &gone, GUARD, Rest::default()).hold,
            Some(Hold::NoneLeftEnabled)
        );
        let one = states(&[
            (1, Ok(AccountState::Deleted)),
            (2, Ok(AccountState::Enabled)),
        ]);
        assert_eq!(decide(&users, &one, GUARD, Rest::default()).hold, None);
    }

    #[test]
    fn a_one_person_organization_whose_only_account_is_disabled_is_held() {
        let users = [user(1, UserStatus::Active, None)];
        let plan = decide(
            &users,
            &states(&[(1, Ok(AccountState::Disabled))]),
            GUARD,
            Rest::default(),
        );
        assert_eq!(plan.hold, Some(Hold::NoneLeftEnabled));
    }

    #[test]
    fn unreadable_accounts_do_not_count_as_enabled() {
        let users = active(2);
        let err = GraphError::Throttled {
            waited: std::time::Duration::from_secs(1),
        };
        let plan = decide(
            &users,
            &states(&[(1, Ok(AccountState::Disabled)), (2, Err(err))]),
            GUARD,
            Rest::default(),
        );
        assert_eq!(plan.hold, Some(Hold::NoneLeftEnabled));
    }

    #[test]
    fn one_leaver_among_known_enabled_colleagues_goes_through() {
        // Tonight's delta only carried user 1; the others are known enabled from before.
        let users = active(3);
        let plan = decide(
            &users,
            &states(&[
                (1, Ok(AccountState::Disabled)),
                (2, Ok(AccountState::Enabled)),
                (3, Ok(AccountState::Enabled)),
            ]),
            GUARD,
            Rest::default(),
        );
        assert_eq!(plan.hold, None);
        assert_eq!(plan.to_deactivate.len(), 1);
    }

    #[test]
    fn protected_users_are_reported_never_deactivated() {
        let mut breakglass = user(1, UserStatus::Active, None);
        breakglass.protected = true;
        let users = [breakglass, user(2, UserStatus::Active, None)];
        let plan = decide(
            &users,
            &states(&[
                (1, Ok(AccountState::Disabled)),
                (2, Ok(AccountState::Enabled)),
            ]),
            GUARD,
            Rest::default(),
        );
        assert!(plan.to_deactivate.is_empty());
        assert_eq!(plan.protected.len(), 1);
        assert_eq!(plan.protected[0].1, DeactivationReason::DisabledInEntra);
    }

    #[test]
    fn links_from_another_tenant_are_set_apart() {
        let mut other = user(1, UserStatus::Active, None);
        other.entra_tenant_id = Some("tenant-a".into());
        let mut same = user(2, UserStatus::Active, None);
        same.entra_tenant_id = Some("TENANT-B".into());
        let unassigned = user(3, UserStatus::Active, None);
        let (checked, apart) = split_by_tenant(vec![other, same, unassigned], "tenant-b");
        assert_eq!(checked.iter().map(|u| u.id).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(apart.iter().map(|u| u.id).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn the_guard_needs_both_more_than_five_and_more_than_twenty_percent() {
        assert!(!trips(GUARD, 5, 10), "5 is not more than 5");
        assert!(trips(GUARD, 6, 10));
        assert!(!trips(GUARD, 6, 30), "6 of 30 is exactly 20%");
        assert!(trips(GUARD, 7, 30));
        assert!(!trips(GUARD, 50, 1000));
        assert!(
            !trips(
                MassDeactivationGuard {
                    min_users: 0,
                    percent: 100
                },
                10,
                10
            ),
            "100% never trips"
        );
    }
}
