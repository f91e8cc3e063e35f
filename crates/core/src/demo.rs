//! The demo organization (R-D1): a realistic small business — dozens of users with mixed
//! sign-in methods, assets with history — whose Microsoft users live in a simulated Entra
//! tenant where a few accounts are disabled or deleted, so Sync Now shows real results.
//! Everything is derived from fixed data, so the tenant can be rebuilt on every start.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::access::Actor;
use crate::assets::{self, AssetError, NewAsset};
use crate::directory::{self, DirectoryError, NewUser, Role, SignInMethod, User};
use crate::entra::{self, cloud::Cloud, ConnectionInput, EntraError};
use crate::organization::{self, NewOrganization, OrganizationError, Plan};
use crate::password::Password;
use crate::secrets::ClientSecret;
use crate::sessions::{self, SignInError, SignedIn};
use crate::store::{Store, StoreError};

pub const OWNER_EMAIL: &str = "avery.owner@northwind-demo.example";
/// Shown on the sign-in screen of a demo organization; the data is fictional.
pub const OWNER_PASSWORD: &str = "northwind demo lantern";
pub const TENANT_ID: &str = "5d7a0c1e-3b8f-4e2a-9c61-0d4f7e9b2a13";
pub const CLIENT_ID: &str = "b1e4c7d2-8a3f-4b6e-9d05-7c2a1f8e6b94";
const DOMAIN: &str = "northwind-demo.example";

const FIRST: [&str; 8] = [
    "Jordan", "Priya", "Mateo", "Hannah", "Kwame", "Sofia", "Liam", "Mei",
];
const LAST: [&str; 5] = ["Garcia", "Okafor", "Lindqvist", "Nakamura", "Byrne"];
/// Microsoft users whose Entra accounts the demo tenant has disabled, and deleted: five in
/// all, which the default mass-deactivation guard lets through.
const DISABLED: [&str; 3] = ["hannah.lindqvist", "kwame.garcia", "mei.byrne"];
const DELETED: [&str; 2] = ["liam.okafor", "sofia.nakamura"];
/// Microsoft users without an Entra object id yet, for "Match Microsoft accounts".
const UNLINKED: [&str; 2] = ["priya.byrne", "mateo.garcia"];

const ASSETS: [(&str, &str); 12] = [
    ("LAP", "ThinkPad T14 laptop"),
    ("LAP", "MacBook Air 13\""),
    ("LAP", "Dell Latitude 7440"),
    ("MON", "Dell 27\" monitor"),
    ("PHN", "iPhone 15"),
    ("PHN", "Pixel 8"),
    ("TAB", "iPad Air"),
    ("LAP", "Surface Laptop 5"),
    ("HDS", "Jabra Evolve2 headset"),
    ("MON", "LG 24\" monitor"),
    ("PRN", "Brother laser printer"),
    ("KEY", "Office access badge"),
];

/// One account of the simulated tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub object_id: String,
    pub user_principal_name: String,
    pub enabled: bool,
    pub deleted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Asset(#[from] AssetError),
    #[error(transparent)]
    SignIn(#[from] SignInError),
    #[error(transparent)]
    Entra(#[from] EntraError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for DemoError {
    fn code(&self) -> &'static str {
        match self {
            DemoError::Organization(e) => e.code(),
            DemoError::Directory(e) => e.code(),
            DemoError::Asset(e) => e.code(),
            DemoError::SignIn(e) => e.code(),
            DemoError::Entra(e) => e.code(),
            DemoError::Store(e) => e.code(),
        }
    }
}

/// The demo's people: (local part, display name, role, sign-in method).
fn people() -> Vec<(String, String, Role, SignInMethod)> {
    let mut people = Vec::new();
    for (i, first) in FIRST.iter().enumerate() {
        for (j, last) in LAST.iter().enumerate() {
            let n = i * LAST.len() + j;
            let local = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
            let role = if n == 3 || n == 17 {
                Role::Admin
            } else {
                Role::Member
            };
            let sign_in = match n % 8 {
                0 | 3 => SignInMethod::Google,
                5 => SignInMethod::Password,
                _ => SignInMethod::Microsoft,
            };
            people.push((local, format!("{first} {last}"), role, sign_in));
        }
    }
    people
}

/// The same object id for the same address on every start.
fn object_id(local: &str) -> String {
    let digest = Sha256::digest(format!("uniasset-demo/{local}").as_bytes());
    let bytes: [u8; 16] = digest[..16]
        .try_into()
        .expect("a SHA-256 digest has 32 bytes");
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// Creates the demo organization in an empty data directory and signs its Owner in.
pub fn set_up(store: &mut Store) -> Result<SignedIn, DemoError> {
    organization::create(
        store,
        &NewOrganization {
            name: "Northwind Traders (demo)".into(),
            plan: Plan::Enterprise,
            owner_email: OWNER_EMAIL.into(),
            owner_name: "Avery Owner".into(),
            owner_password: Some(Password::new(OWNER_PASSWORD)),
        },
        &Actor::FirstRunSetup,
    )?;
    store
        .conn()
        .execute("UPDATE organization SET demo = 1", [])
        .map_err(StoreError::from)?;
    let owner = directory::find_by_email(store, OWNER_EMAIL)?.as_actor();
    let mut users = Vec::new();
    for (local, name, role, sign_in) in people() {
        let linked = sign_in == SignInMethod::Microsoft && !UNLINKED.contains(&local.as_str());
        users.push(directory::add_user(
            store,
            &owner,
            &NewUser {
                email: format!("{local}@{DOMAIN}"),
                display_name: name,
                role,
                sign_in,
                entra_object_id: linked.then(|| object_id(&local)),
            },
            None,
        )?);
    }
    history(store, &owner, &users)?;
    Ok(sessions::sign_in(
        store,
        OWNER_EMAIL,
        &Password::new(OWNER_PASSWORD),
        crate::clock::now(),
    )?)
}

/// Assets assigned across the team (leavers included), with maintenance logs and documents
/// written by the people who did the work.
fn history(store: &mut Store, owner: &Actor, users: &[User]) -> Result<(), DemoError> {
    let scratch = store.data_dir().join("demo-scratch");
    std::fs::create_dir_all(&scratch).map_err(|e| AssetError::File(e.to_string()))?;
    for (i, (prefix, name)) in ASSETS.iter().enumerate() {
        let holder = &users[(i * 3 + 2) % users.len()];
        let new = NewAsset {
            tag: format!("{prefix}-{:03}", i + 1),
            name: (*name).to_owned(),
            category: Some(category(prefix).to_owned()),
            serial: Some(format!("SN{:06}", 104_729 * (i + 1) % 1_000_000)),
        };
        let asset = assets::add_asset(store, owner, &new, Some(holder.id))?;
        if i % 2 == 0 {
            let note = format!(
                "Checked and cleaned; firmware updated on {}",
                NaiveDate::from_ymd_opt(2026, 9, 1 + i as u32).unwrap_or_default()
            );
            assets::add_maintenance_log(store, &holder.as_actor(), asset.id, &note)?;
        }
        if i % 3 == 0 {
            let file = scratch.join(format!("{}-receipt.txt", asset.tag));
            std::fs::write(
                &file,
                format!("Receipt for {} ({})\n", asset.name, asset.tag),
            )
            .map_err(|e| AssetError::File(e.to_string()))?;
            assets::attach_document(store, &holder.as_actor(), asset.id, &file)?;
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

fn category(prefix: &str) -> &'static str {
    match prefix {
        "LAP" => "Laptop",
        "MON" => "Monitor",
        "PHN" => "Phone",
        "TAB" => "Tablet",
        "HDS" => "Headset",
        "PRN" => "Printer",
        _ => "Access",
    }
}

pub fn is_demo(store: &Store) -> Result<bool, StoreError> {
    Ok(store
        .conn()
        .query_row("SELECT coalesce(max(demo), 0) FROM organization", [], |r| {
            r.get(0)
        })?)
}

/// The simulated tenant: every demo Microsoft user (the unlinked ones too, so matching finds
/// them) with the demo's disabled and deleted accounts, plus colleagues UniAsset does not hold.
pub fn tenant_accounts() -> Vec<DemoAccount> {
    let mut accounts: Vec<DemoAccount> = people()
        .into_iter()
        .filter(|(_, _, _, sign_in)| *sign_in == SignInMethod::Microsoft)
        .map(|(local, ..)| DemoAccount {
            object_id: object_id(&local),
            user_principal_name: format!("{local}@{DOMAIN}"),
            enabled: !DISABLED.contains(&local.as_str()),
            deleted: DELETED.contains(&local.as_str()),
        })
        .collect();
    accounts.extend((1..=40).map(|n| {
        let local = format!("staff{n:02}");
        DemoAccount {
            object_id: object_id(&local),
            user_principal_name: format!("{local}@{DOMAIN}"),
            enabled: n % 9 != 0,
            deleted: false,
        }
    }));
    accounts
}

/// Connects the demo organization to the simulator now serving its tenant (a new port and
/// secret on every start), as its Owner.
pub async fn connect_simulator(
    store: &mut Store,
    base_url: &str,
    secret: &ClientSecret,
) -> Result<(), DemoError> {
    let owner = directory::find_by_email(store, OWNER_EMAIL)?.as_actor();
    let input = ConnectionInput {
        tenant: TENANT_ID.into(),
        client_id: CLIENT_ID.into(),
        cloud: Cloud::Custom,
        login_url: Some(base_url.into()),
        graph_url: Some(base_url.into()),
        secret_expires_on: None,
    };
    entra::connect(store, &owner, &input, secret).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_realistic_and_stable() {
        let people = people();
        assert_eq!(people.len(), 40);
        let microsoft = people
            .iter()
            .filter(|p| p.3 == SignInMethod::Microsoft)
            .count();
        assert!(
            microsoft > 20 && microsoft < people.len(),
            "mixed sign-in methods"
        );
        assert_eq!(object_id("a.b"), object_id("a.b"));
        assert_ne!(object_id("a.b"), object_id("a.c"));
        let accounts = tenant_accounts();
        for local in DISABLED.iter().chain(DELETED.iter()).chain(UNLINKED.iter()) {
            let upn = format!("{local}@{DOMAIN}");
            assert!(
                accounts.iter().any(|a| a.user_principal_name == upn),
                "{upn} is a Microsoft user of the demo"
            );
        }
    }
}
