//! What the Assets screens show: the register with what the signed-in person may do, and
//! one asset with its history, maintenance log and documents.

use serde::{Deserialize, Serialize};

use super::{
    asset, documents_of_asset, history, list_assets, maintenance_logs_of_asset, Asset, AssetError,
    AssetQuery, Document, Holding, MaintenanceLog,
};
use crate::access::Actor;
use crate::store::{Store, StoreError};

/// The register as `by` sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AssetPage {
    pub assets: Vec<Asset>,
    /// Add, edit, assign, check in and mark lost are offered (the same check each makes).
    pub may_manage: bool,
}

/// One asset's Details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AssetDetails {
    pub asset: Asset,
    /// Who held it, newest first.
    pub holdings: Vec<Holding>,
    pub maintenance: Vec<MaintenanceLog>,
    pub documents: Vec<Document>,
}

/// Owners and Admins manage the register; every change checks this again.
pub fn may_manage(by: &Actor) -> bool {
    by.require_admin("manage assets").is_ok()
}

pub fn page(store: &Store, by: &Actor, query: &AssetQuery) -> Result<AssetPage, StoreError> {
    Ok(AssetPage {
        assets: list_assets(store, query)?,
        may_manage: may_manage(by),
    })
}

pub fn details(store: &Store, asset_id: i64) -> Result<AssetDetails, AssetError> {
    Ok(AssetDetails {
        asset: asset(store, asset_id)?,
        holdings: history(store, asset_id)?,
        maintenance: maintenance_logs_of_asset(store, asset_id)?,
        documents: documents_of_asset(store, asset_id)?,
    })
}
