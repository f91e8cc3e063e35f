//! Home: the state of the job and the getting-started list, as the core decides them.

use tauri::{AppHandle, Runtime};
use uniasset_core::home::{self, Home};

use super::Reply;
use crate::clock;
use crate::state::AppStateExt;

commands! {
    home() -> Home;
    put_away_checklist() -> Home;
}

async fn home<R: Runtime>(app: AppHandle<R>) -> Reply<Home> {
    let (actor, store) = app.signed_in().await?;
    Ok(home::home(&store, &actor, clock::now())?)
}

/// Home again, without the list.
async fn put_away_checklist<R: Runtime>(app: AppHandle<R>) -> Reply<Home> {
    let (actor, mut store) = app.signed_in().await?;
    home::put_away_checklist(&mut store, &actor)?;
    Ok(home::home(&store, &actor, clock::now())?)
}
