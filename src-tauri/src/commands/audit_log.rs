//! Settings → Audit log (Owners and Admins, decided in the core).

use std::path::PathBuf;

use tauri::{AppHandle, Runtime};
use uniasset_core::audit::{self, AuditPage, AuditQuery, TrailVerdict};

use super::Reply;
use crate::state::AppStateExt;

commands! {
    audit_log(query: AuditQuery) -> AuditPage;
    audit_actions() -> Vec<String>;
    export_audit_csv(query: AuditQuery, path: PathBuf) -> u32;
    audit_trail_verdict() -> Option<TrailVerdict>;
    check_audit_trail() -> TrailVerdict;
}

async fn audit_log<R: Runtime>(app: AppHandle<R>, query: AuditQuery) -> Reply<AuditPage> {
    let (actor, store) = app.signed_in().await?;
    Ok(audit::page(&store, &actor, &query)?)
}

async fn audit_actions<R: Runtime>(app: AppHandle<R>) -> Reply<Vec<String>> {
    let (actor, store) = app.signed_in().await?;
    Ok(audit::actions(&store, &actor)?)
}

/// Every matching entry to the file the native save picker gave; returns how many.
async fn export_audit_csv<R: Runtime>(
    app: AppHandle<R>,
    query: AuditQuery,
    path: PathBuf,
) -> Reply<u32> {
    let (actor, store) = app.signed_in().await?;
    Ok(audit::export_csv_file(&store, &actor, &query, &path)?)
}

/// The latest daily check's verdict (None before the first).
async fn audit_trail_verdict<R: Runtime>(app: AppHandle<R>) -> Reply<Option<TrailVerdict>> {
    let (_, store) = app.signed_in().await?;
    Ok(audit::verdict(&store)?)
}

/// "Check the trail": every entry's hash and link verified now.
async fn check_audit_trail<R: Runtime>(app: AppHandle<R>) -> Reply<TrailVerdict> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(audit::check_now(&mut store, &actor)?)
}
