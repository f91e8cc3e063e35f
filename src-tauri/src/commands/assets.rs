//! Assets → Register: the asset register (Owners and Admins manage it; the core decides).

use std::path::PathBuf;

use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;
use uniasset_core::assets::{
    self, Asset, AssetDetails, AssetEdit, AssetPage, AssetQuery, Document, MaintenanceLog,
    NewAsset,
};

use super::Reply;
use crate::error::ShellError;
use crate::state::AppStateExt;

commands! {
    list_assets(query: AssetQuery) -> AssetPage;
    add_asset(asset: NewAsset, assign_to: Option<i64>) -> Asset;
    edit_asset(asset_id: i64, edit: AssetEdit) -> Asset;
    assign_asset(asset_id: i64, user_id: i64, note: Option<String>) -> Asset;
    check_in_asset(asset_id: i64, note: Option<String>) -> Asset;
    mark_asset_lost(asset_id: i64, note: Option<String>) -> Asset;
    asset_details(asset_id: i64) -> AssetDetails;
    add_maintenance(asset_id: i64, note: String) -> MaintenanceLog;
    attach_document(asset_id: i64, path: PathBuf) -> Document;
    open_document(document_id: i64) -> ();
}

async fn list_assets<R: Runtime>(app: AppHandle<R>, query: AssetQuery) -> Reply<AssetPage> {
    let (actor, store) = app.signed_in().await?;
    Ok(assets::page(&store, &actor, &query)?)
}

async fn add_asset<R: Runtime>(
    app: AppHandle<R>,
    asset: NewAsset,
    assign_to: Option<i64>,
) -> Reply<Asset> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(assets::add_asset(&mut store, &actor, &asset, assign_to)?)
}

async fn edit_asset<R: Runtime>(app: AppHandle<R>, asset_id: i64, edit: AssetEdit) -> Reply<Asset> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(assets::edit_asset(&mut store, &actor, asset_id, &edit)?)
}

async fn assign_asset<R: Runtime>(
    app: AppHandle<R>,
    asset_id: i64,
    user_id: i64,
    note: Option<String>,
) -> Reply<Asset> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(assets::assign(&mut store, &actor, asset_id, user_id, note.as_deref())?)
}

async fn check_in_asset<R: Runtime>(
    app: AppHandle<R>,
    asset_id: i64,
    note: Option<String>,
) -> Reply<Asset> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(assets::check_in(&mut store, &actor, asset_id, note.as_deref())?)
}

async fn mark_asset_lost<R: Runtime>(
    app: AppHandle<R>,
    asset_id: i64,
    note: Option<String>,
) -> Reply<Asset> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(assets::mark_lost(&mut store, &actor, asset_id, note.as_deref())?)
}

async fn asset_details<R: Runtime>(app: AppHandle<R>, asset_id: i64) -> Reply<AssetDetails> {
    let (_, store) = app.signed_in().await?;
    Ok(assets::details(&store, asset_id)?)
}

async fn add_maintenance<R: Runtime>(
    app: AppHandle<R>,
    asset_id: i64,
    note: String,
) -> Reply<MaintenanceLog> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(assets::add_maintenance_log(&mut store, &actor, asset_id, &note)?)
}

/// The file the native picker gave; the core copies it into the data directory.
async fn attach_document<R: Runtime>(
    app: AppHandle<R>,
    asset_id: i64,
    path: PathBuf,
) -> Reply<Document> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(assets::attach_document(&mut store, &actor, asset_id, &path)?)
}

/// Opens a stored document with the system's application for its type.
async fn open_document<R: Runtime>(app: AppHandle<R>, document_id: i64) -> Reply<()> {
    let path = {
        let (_, store) = app.signed_in().await?;
        assets::document_to_open(&store, document_id)?
    };
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(ShellError::DocumentNotOpened)?;
    Ok(())
}
