//! The demo organization's simulated Entra tenant: the built-in Graph simulator on a
//! loopback port, seeded from the core's demo data, started with the app.

use graph_sim::{SeedAccount, Simulator, TenantConfig};
use tauri::{AppHandle, Manager, Runtime};
use uniasset_core::demo;
use uniasset_core::secrets::ClientSecret;
use uniasset_core::ErrorReport;

use crate::error::ShellError;
use crate::state::AppState;

/// Starts the tenant and (re)connects the demo organization to it.
pub async fn start_tenant<R: Runtime>(app: &AppHandle<R>) -> Result<(), ErrorReport> {
    let sim = Simulator::start(TenantConfig {
        tenant_id: demo::TENANT_ID.into(),
        client_id: demo::CLIENT_ID.into(),
        ..TenantConfig::default()
    })
    .map_err(ShellError::DemoTenant)?;
    sim.seed(&seed_accounts());
    let state = app.state::<AppState>();
    let mut store = state.open_store()?;
    demo::connect_simulator(
        &mut store,
        &sim.base_url(),
        &ClientSecret::new(sim.client_secret()),
    )
    .await?;
    *state.demo_tenant.lock().unwrap_or_else(|p| p.into_inner()) = Some(sim);
    Ok(())
}

/// The core's demo tenant, as the simulator takes it.
fn seed_accounts() -> Vec<SeedAccount> {
    demo::tenant_accounts()
        .into_iter()
        .map(|a| SeedAccount {
            id: a.object_id,
            upn: a.user_principal_name,
            enabled: a.enabled,
            deleted: a.deleted,
            guest: false,
            name: None,
            roles: Vec::new(),
        })
        .collect()
}

/// On start: a demo organization gets its tenant back.
pub fn resume(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let is_demo = match app.state::<AppState>().store().await {
            Ok(store) => demo::is_demo(&store).unwrap_or(false),
            Err(_) => false,
        };
        if is_demo {
            if let Err(e) = start_tenant(&app).await {
                log::warn!("{}", e.message);
            }
        }
    });
}
