//! Settings → General → Organization: its name and its plan (Owner only, decided in the core).

use tauri::{AppHandle, Manager, Runtime};
use uniasset_core::organization::{self, Organization, Plan};
use uniasset_core::plan_change::{self, PlanChanged, PlanEffect};

use super::Reply;
use crate::state::AppState;

commands! {
    rename_organization(name: String) -> Organization;
    preview_plan_change(plan: Plan) -> PlanEffect;
    change_plan(plan: Plan) -> PlanChanged;
}

async fn rename_organization<R: Runtime>(app: AppHandle<R>, name: String) -> Reply<Organization> {
    let state = app.state::<AppState>();
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(organization::rename(&mut store, &actor, &name)?)
}

/// What a change would do, shown in the confirmation before it is made.
async fn preview_plan_change<R: Runtime>(app: AppHandle<R>, plan: Plan) -> Reply<PlanEffect> {
    let state = app.state::<AppState>();
    let store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(plan_change::preview(&store, &actor, plan)?)
}

async fn change_plan<R: Runtime>(app: AppHandle<R>, plan: Plan) -> Reply<PlanChanged> {
    let state = app.state::<AppState>();
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(plan_change::change_plan(&mut store, &actor, plan)?)
}
