//! Changing the organization's plan (R-D6): an Owner's decision, its effect explained
//! before and after. Auto-deprovisioning needs Enterprise, so leaving Enterprise turns it
//! off in the same transaction as the change: no moment has a lower plan with nightly runs on.

use serde::{Deserialize, Serialize};

use crate::access::{self, AccessError, Actor};
use crate::audit;
use crate::entra;
use crate::organization::{self, Organization, OrganizationError, Plan};
use crate::store::{Store, StoreError};

/// What changing to a plan does, in sentences for the Owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct PlanEffect {
    pub from: Plan,
    pub to: Plan,
    pub summary: String,
    /// Auto-deprovisioning is on and the new plan does not allow it.
    pub turns_off_auto_deprovision: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct PlanChanged {
    pub organization: Organization,
    /// What the change did (the summary in the past tense).
    pub effect: PlanEffect,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanChangeError {
    #[error("The organization is already on the {} plan: nothing to change.", .0.title())]
    SamePlan(Plan),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for PlanChangeError {
    fn code(&self) -> &'static str {
        match self {
            PlanChangeError::SamePlan(_) => "same_plan",
            PlanChangeError::Access(e) => e.code(),
            PlanChangeError::Organization(e) => e.code(),
            PlanChangeError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for PlanChangeError {
    fn from(e: rusqlite::Error) -> Self {
        PlanChangeError::Store(e.into())
    }
}

/// What moving to `to` would do, before anything changes (Owner only, as the change is).
/// Asking for the current plan is refused (`same_plan`), as changing to it is.
pub fn preview(store: &Store, by: &Actor, to: Plan) -> Result<PlanEffect, PlanChangeError> {
    access::check_organization(by)?;
    let from = organization::get(store)?.plan;
    let auto_on = entra::auto_deprovision_in(store.conn())?;
    let turns_off = auto_on && to != Plan::Enterprise;
    effect(from, to, turns_off, Tense::Future)
}

/// Moves the organization to the plan `to` (Owner only), audited; leaving Enterprise turns
/// auto-deprovisioning off (audited too). Changing to the current plan is refused.
pub fn change_plan(
    store: &mut Store,
    by: &Actor,
    to: Plan,
) -> Result<PlanChanged, PlanChangeError> {
    access::check_organization(by)?;
    organization::get(store)?;
    let tx = store.write()?;
    // Read under the write lock, so the effect told is the one this change had.
    let from: Plan = tx.query_row("SELECT plan FROM organization WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    if from == to {
        return Err(PlanChangeError::SamePlan(to));
    }
    tx.execute("UPDATE organization SET plan = ?1 WHERE id = 1", [to])?;
    audit::record(
        &tx,
        by,
        audit::Entry::organization("organization.plan_changed").detail(format!(
            "Moved to the {} plan (was {})",
            to.title(),
            from.title()
        )),
    )?;
    let turned_off = to != Plan::Enterprise
        && entra::turn_off_auto_deprovision_in(
            &tx,
            by,
            &format!(
                "The plan changed to {}: auto-deprovisioning needs Enterprise",
                to.title()
            ),
        )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(PlanChanged {
        organization: organization::get(store)?,
        effect: effect(from, to, turned_off, Tense::Past)?,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tense {
    Future,
    Past,
}

fn effect(
    from: Plan,
    to: Plan,
    turns_off_auto_deprovision: bool,
    tense: Tense,
) -> Result<PlanEffect, PlanChangeError> {
    if from == to {
        return Err(PlanChangeError::SamePlan(to));
    }
    let future = tense == Tense::Future;
    let mut summary = format!(
        "The organization {} from the {} plan to the {} plan.",
        if future { "moves" } else { "moved" },
        from.title(),
        to.title()
    );
    let consequence = if to == Plan::Enterprise {
        if future {
            " Auto-deprovisioning becomes available in Settings → Integrations."
        } else {
            " Auto-deprovisioning is now available in Settings → Integrations."
        }
    } else if turns_off_auto_deprovision {
        if future {
            " Auto-deprovisioning needs Enterprise: it will be turned off and nightly runs stop. \
             Nobody is reactivated, and the Microsoft Entra ID connection stays."
        } else {
            " Auto-deprovisioning needs Enterprise: it was turned off and nightly runs stopped. \
             Nobody was reactivated, and the Microsoft Entra ID connection stays."
        }
    } else if from == Plan::Enterprise {
        " Auto-deprovisioning needs Enterprise: it is off and can no longer be turned on."
    } else {
        " Nothing else changes: auto-deprovisioning needs Enterprise either way."
    };
    summary.push_str(consequence);
    Ok(PlanEffect {
        from,
        to,
        summary,
        turns_off_auto_deprovision,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_move_is_explained() {
        let e = effect(Plan::Enterprise, Plan::Team, true, Tense::Future).unwrap();
        assert!(e.turns_off_auto_deprovision);
        assert!(
            e.summary
                .contains("Auto-deprovisioning needs Enterprise: it will be turned off and nightly runs stop."),
            "{}",
            e.summary
        );
        let e = effect(Plan::Enterprise, Plan::Free, true, Tense::Past).unwrap();
        assert!(e.summary.contains("it was turned off"), "{}", e.summary);
        let e = effect(Plan::Enterprise, Plan::Free, false, Tense::Future).unwrap();
        assert!(!e.turns_off_auto_deprovision);
        assert!(
            e.summary.contains("can no longer be turned on"),
            "{}",
            e.summary
        );
        let e = effect(Plan::Free, Plan::Enterprise, false, Tense::Future).unwrap();
        assert!(
            e.summary
                .contains("Auto-deprovisioning becomes available in Settings → Integrations."),
            "{}",
            e.summary
        );
        let e = effect(Plan::Free, Plan::Team, false, Tense::Future).unwrap();
        assert!(e.summary.contains("Nothing else changes"), "{}", e.summary);
        assert!(matches!(
            effect(Plan::Team, Plan::Team, false, Tense::Future),
            Err(PlanChangeError::SamePlan(Plan::Team))
        ));
    }
}
