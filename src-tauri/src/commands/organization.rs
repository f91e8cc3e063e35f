//! Settings → General → Organization: its name and its plan (Owner only, decided in the core).

use tauri::{AppHandle, Runtime};
use uniasset_core::organization::{self, Organization, Plan};
use uniasset_core::plan_change::{self, PlanChanged, PlanEffect};

use super::Reply;
use crate::state::AppStateExt;

commands! {
    rename_organization(name: String) -> Organization;
    preview_plan_change(plan: Plan) -> PlanEffect;
    change_plan(plan: Plan) -> PlanChanged;
}

async fn rename_organization<R: Runtime>(app: AppHandle<R>, name: String) -> Reply<Organization> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(organization::rename(&mut store, &actor, &name)?)
}

/// What a change would do, shown in the confirmation before it is made.
async fn preview_plan_change<R: Runtime>(app: AppHandle<R>, plan: Plan) -> Reply<PlanEffect> {
    let (actor, store) = app.signed_in().await?;
    Ok(plan_change::preview(&store, &actor, plan)?)
}

async fn change_plan<R: Runtime>(app: AppHandle<R>, plan: Plan) -> Reply<PlanChanged> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(plan_change::change_plan(&mut store, &actor, plan)?)
}
