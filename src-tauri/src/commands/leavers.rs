//! Assets → Leavers and Evidence: who left holding assets, and when their access ended.

use std::path::PathBuf;

use tauri::{AppHandle, Runtime};
use uniasset_core::alerts::{self, ReminderSettings};
use uniasset_core::assets::{self, Asset, WriteOffReason};
use uniasset_core::leavers::{self, Evidence, Leaver, LeaversError};

use super::Reply;
use crate::state::AppStateExt;

commands! {
    leavers() -> Vec<Leaver>;
    leaver_count() -> u32;
    evidence(since: Option<String>, until: Option<String>) -> Evidence;
    export_evidence_csv(since: Option<String>, until: Option<String>, path: PathBuf) -> u32;
    save_evidence_target(hours: u32) -> u32;
    set_return_due(asset_id: i64, day: String) -> Asset;
    write_off_asset(asset_id: i64, reason: WriteOffReason, note: Option<String>) -> Asset;
    return_days() -> u32;
    save_return_days(days: u32) -> u32;
    reminder_settings() -> ReminderSettings;
    save_reminders(on: bool) -> ReminderSettings;
}

async fn leavers<R: Runtime>(app: AppHandle<R>) -> Reply<Vec<Leaver>> {
    let (actor, store) = app.signed_in().await?;
    Ok(leavers::leavers(&store, &actor)?)
}

/// For the sidebar's badge next to Assets.
async fn leaver_count<R: Runtime>(app: AppHandle<R>) -> Reply<u32> {
    let (_, store) = app.signed_in().await?;
    Ok(leavers::count(&store)?)
}

async fn evidence<R: Runtime>(
    app: AppHandle<R>,
    since: Option<String>,
    until: Option<String>,
) -> Reply<Evidence> {
    let (actor, store) = app.signed_in().await?;
    let (since, until) = (day(since)?, day(until)?);
    Ok(leavers::evidence(&store, &actor, since, until)?)
}

/// To the file the native save picker gave; returns how many deactivations it holds.
async fn export_evidence_csv<R: Runtime>(
    app: AppHandle<R>,
    since: Option<String>,
    until: Option<String>,
    path: PathBuf,
) -> Reply<u32> {
    let (actor, store) = app.signed_in().await?;
    let (since, until) = (day(since)?, day(until)?);
    Ok(leavers::evidence_csv_file(&store, &actor, since, until, &path)?)
}

/// The target from detecting a leaver to deactivating them, in hours.
async fn save_evidence_target<R: Runtime>(app: AppHandle<R>, hours: u32) -> Reply<u32> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(leavers::set_target_hours(&mut store, &actor, hours)?)
}

/// "Change due date…" on a leaver's asset.
async fn set_return_due<R: Runtime>(app: AppHandle<R>, asset_id: i64, day: String) -> Reply<Asset> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(assets::set_return_due(&mut store, &actor, asset_id, &day)?)
}

/// "Write off…" on an overdue asset.
async fn write_off_asset<R: Runtime>(
    app: AppHandle<R>,
    asset_id: i64,
    reason: WriteOffReason,
    note: Option<String>,
) -> Reply<Asset> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(assets::write_off(&mut store, &actor, asset_id, reason, note.as_deref())?)
}

/// How many days after leaving a leaver's assets are due back.
async fn return_days<R: Runtime>(app: AppHandle<R>) -> Reply<u32> {
    let (_, store) = app.signed_in().await?;
    Ok(assets::return_days(&store)?)
}

async fn save_return_days<R: Runtime>(app: AppHandle<R>, days: u32) -> Reply<u32> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(assets::set_return_days(&mut store, &actor, days)?)
}

async fn reminder_settings<R: Runtime>(app: AppHandle<R>) -> Reply<ReminderSettings> {
    let (_, store) = app.signed_in().await?;
    Ok(alerts::reminder_settings(&store)?)
}

/// "Send reminders about assets leavers still hold" on or off.
async fn save_reminders<R: Runtime>(app: AppHandle<R>, on: bool) -> Reply<ReminderSettings> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(alerts::set_reminders(&mut store, &actor, on)?)
}

fn day(text: Option<String>) -> Result<Option<chrono::NaiveDate>, LeaversError> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| leavers::parse_date(&t))
        .transpose()
}
