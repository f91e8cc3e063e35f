//! Settings → Integrations → Microsoft Entra ID → People from Microsoft Entra ID.

use tauri::{AppHandle, Runtime};
use uniasset_core::directory::Role;
use uniasset_core::entra::{self, EntraPeople, ProvisionReport};
use uniasset_core::overview::EntraOverview;

use super::entra::overview_for;
use super::Reply;
use crate::state::AppStateExt;

commands! {
    entra_people(search: Option<String>) -> EntraPeople;
    add_entra_people(object_ids: Vec<String>, role: Role) -> ProvisionReport;
    entra_set_auto_add(on: bool) -> EntraOverview;
}

/// The tenant's enabled member accounts not in UniAsset yet, read from Graph now.
async fn entra_people<R: Runtime>(
    app: AppHandle<R>,
    search: Option<String>,
) -> Reply<EntraPeople> {
    let (actor, mut own) = app.app_state().for_network().await?;
    Ok(entra::people(&mut own, &actor, search.as_deref()).await?)
}

/// The core reads the chosen accounts from Graph again: the list in the window is a choice.
async fn add_entra_people<R: Runtime>(
    app: AppHandle<R>,
    object_ids: Vec<String>,
    role: Role,
) -> Reply<ProvisionReport> {
    let (actor, mut own) = app.app_state().for_network().await?;
    Ok(entra::add_people(&mut own, &actor, &object_ids, role).await?)
}

async fn entra_set_auto_add<R: Runtime>(app: AppHandle<R>, on: bool) -> Reply<EntraOverview> {
    let (actor, mut store) = app.signed_in().await?;
    entra::set_auto_add_users(&mut store, &actor, on)?;
    overview_for(&store, &actor)
}
