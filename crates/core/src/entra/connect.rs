//! Connecting Microsoft Entra ID by hand (R-E1, R-E2) and disconnecting it: the form's
//! input checked, tested, then saved with the secret in the keychain; and what a new or
//! removed connection does to held runs and to links made before a tenant was known.

use chrono::NaiveDate;

use super::cloud::{Cloud, Endpoints};
use super::{connection, connection_in, form, Connection, ConnectionInput, EntraError};
use crate::access::Actor;
use crate::audit;
use crate::graph::{ClientOptions, GraphClient};
use crate::organization;
use crate::secrets::{ClientSecret, Keychain};
use crate::store::{Store, StoreError};
use crate::timestamp;

/// A checked connection input: canonical tenant, client id, endpoints, expiry date.
pub(super) struct Checked {
    pub(super) tenant: String,
    pub(super) client_id: String,
    pub(super) endpoints: Endpoints,
    pub(super) secret_expires_on: Option<NaiveDate>,
    /// The application permissions the tested token carried, when known.
    pub(super) granted_roles: Option<Vec<String>>,
}

fn check(input: &ConnectionInput) -> Result<Checked, EntraError> {
    let tenant = form::tenant(&input.tenant)?;
    let client_id = form::client_id(&input.client_id)?;
    if client_id == tenant {
        return Err(EntraError::TenantIdAsClientId);
    }
    let endpoints = input
        .cloud
        .endpoints(input.login_url.as_deref(), input.graph_url.as_deref())?;
    let secret_expires_on = input
        .secret_expires_on
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(form::expiry)
        .transpose()?;
    Ok(Checked {
        tenant,
        client_id,
        endpoints,
        secret_expires_on,
        granted_roles: None,
    })
}

/// "Test connection" on what the form holds, before anything is saved (R-E2).
pub async fn test(
    by: &Actor,
    input: &ConnectionInput,
    secret: &ClientSecret,
) -> Result<(), EntraError> {
    by.require_admin("test the Microsoft Entra ID connection")?;
    test_checked(&check(input)?, secret).await.map(|_| ())
}

/// Tests the connection and returns the tenant's GUID as Microsoft reports it (the form
/// may name the tenant by a verified domain), and the permissions its token carried.
async fn test_checked(
    checked: &Checked,
    secret: &ClientSecret,
) -> Result<(String, Vec<String>), EntraError> {
    form::check_secret(secret)?;
    let client = GraphClient::new(
        checked.endpoints.clone(),
        &checked.tenant,
        &checked.client_id,
        secret.clone(),
        ClientOptions::default(),
    )?;
    client.test_connection().await?;
    Ok((client.tenant_id().await?, client.granted_roles().await?))
}

/// Tests, then saves: the secret to the keychain, everything else to the store. Nothing is
/// saved when the test fails, and the keychain goes back to what it held when the store
/// cannot be written.
pub async fn connect(
    store: &mut Store,
    by: &Actor,
    input: &ConnectionInput,
    secret: &ClientSecret,
) -> Result<Connection, EntraError> {
    by.require_admin("connect Microsoft Entra ID")?;
    organization::get(store)?;
    let mut checked = check(input)?;
    let (tenant_id, roles) = test_checked(&checked, secret).await?;
    checked.granted_roles = Some(roles);
    let keychain = Keychain::for_store(store)?;
    let previous_secret = keychain.load().ok();
    keychain.save(secret)?;
    match save_connection(store, by, input.cloud, &checked, &tenant_id, None) {
        Ok(connection) => Ok(connection),
        Err(e) => {
            let _ = match previous_secret {
                Some(previous) => keychain.save(&previous),
                None => keychain.delete(),
            };
            Err(e)
        }
    }
}

/// What "Set it up for me" made in the tenant, kept beside the connection for renewals.
pub(super) struct Registration<'a> {
    pub(super) app_object_id: &'a str,
    pub(super) secret_key_id: &'a str,
    pub(super) set_up_by: &'a str,
}

pub(super) fn save_connection(
    store: &mut Store,
    by: &Actor,
    cloud: Cloud,
    checked: &Checked,
    tenant_id: &str,
    registration: Option<&Registration>,
) -> Result<Connection, EntraError> {
    let previous = connection(store)?;
    let tx = store.write()?;
    // A new tenant or app invalidates what was learned from the old one.
    tx.execute_batch(
        "DELETE FROM entra_delta; DELETE FROM entra_accounts; DELETE FROM entra_missing;",
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO entra_connection
            (id, tenant, client_id, cloud, login_url, graph_url, secret_expires_on, connected_at, connected_by, tenant_id,
             app_object_id, secret_key_id, set_up_by, secret_needed, granted_roles)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13)",
        rusqlite::params![
            checked.tenant,
            checked.client_id,
            cloud,
            checked.endpoints.login_url,
            checked.endpoints.graph_url,
            checked.secret_expires_on.map(|d| d.to_string()),
            timestamp::now(),
            by.label(),
            tenant_id,
            registration.map(|r| r.app_object_id),
            registration.map(|r| r.secret_key_id),
            registration.map(|r| r.set_up_by),
            checked
                .granted_roles
                .as_ref()
                .map(|roles| serde_json::to_string(roles).unwrap_or_default()),
        ],
    )?;
    let mut detail = format!(
        "Tenant {} ({tenant_id}), app {}, {cloud} cloud",
        checked.tenant, checked.client_id
    );
    if let Some(r) = registration {
        detail.push_str(&format!(
            "; app registration made by UniAsset after {} signed in",
            r.set_up_by
        ));
    }
    // Users linked to the old tenant's object ids would all read as deleted in the new one:
    // automatic runs stop until an administrator has checked the links and turns them on.
    let same_tenant = |p: &Connection| match &p.tenant_id {
        Some(known) => known.eq_ignore_ascii_case(tenant_id),
        None => p.tenant == checked.tenant,
    };
    if let Some(p) = previous.as_ref().filter(|p| !same_tenant(p)) {
        tx.execute(
            "UPDATE deprovision_settings SET auto_deprovision = 0, auto_add_users = 0",
            [],
        )?;
        detail.push_str(
            "; a different tenant, so auto-deprovision and adding new users automatically were turned off",
        );
        // Links made in the old tenant stay marked as such, and its held runs are moot.
        if let Some(old) = &p.tenant_id {
            adopt_unassigned_links(&tx, by, old)?;
        }
        dismiss_pending_holds(&tx, by, "another tenant was connected")?;
    }
    audit::record(
        &tx,
        by,
        audit::Entry::organization("entra.connected").detail(detail),
    )?;
    adopt_unassigned_links(&tx, by, tenant_id)?;
    tx.commit().map_err(StoreError::from)?;
    connection(store)?.ok_or(EntraError::NotConnected)
}

/// Held runs wait on a connection; when it goes, or another tenant replaces it, they are
/// dismissed (nobody deactivated), and the audit trail says why.
fn dismiss_pending_holds(
    conn: &rusqlite::Connection,
    by: &Actor,
    why: &str,
) -> Result<(), StoreError> {
    let dismissed = conn.execute(
        "UPDATE sync_runs SET review = 'dismissed', reviewed_by = ?1, reviewed_at = ?2 WHERE review = 'pending'",
        rusqlite::params![by.label(), timestamp::now()],
    )?;
    if dismissed > 0 {
        audit::record(
            conn,
            by,
            audit::Entry::organization("sync.held_runs_dismissed")
                .detail(format!("{dismissed} held run(s) dismissed: {why}")),
        )?;
    }
    Ok(())
}

/// Links made while no tenant was known (before UniAsset recorded tenants, or while not
/// connected) are taken to belong to the tenant now connected.
pub(crate) fn adopt_unassigned_links(
    conn: &rusqlite::Connection,
    by: &Actor,
    tenant_id: &str,
) -> Result<(), StoreError> {
    let adopted = conn.execute(
        "UPDATE users SET entra_tenant_id = ?1 WHERE entra_object_id IS NOT NULL AND entra_tenant_id IS NULL",
        [tenant_id],
    )?;
    if adopted > 0 {
        audit::record(
            conn,
            by,
            audit::Entry::organization("entra.links_adopted").detail(format!(
                "{adopted} Entra link(s) made without a known tenant taken to be in tenant {tenant_id}"
            )),
        )?;
    }
    conn.execute(
        "UPDATE entra_connection SET tenant_id = ?1 WHERE id = 1 AND tenant_id IS NULL",
        [tenant_id],
    )?;
    Ok(())
}

/// Removes the connection from the store (turning auto-deprovision off), then the secret
/// from the keychain (R-E3). Nobody is reactivated.
pub fn disconnect(store: &mut Store, by: &Actor) -> Result<(), EntraError> {
    by.require_admin("disconnect Microsoft Entra ID")?;
    let keychain = Keychain::for_store(store)?;
    let tx = store.write()?;
    // Links keep the tenant they were made in, so a later connection cannot adopt them.
    if let Some(old) = connection_in(&tx)?.and_then(|c| c.tenant_id) {
        adopt_unassigned_links(&tx, by, &old)?;
    }
    dismiss_pending_holds(&tx, by, "Microsoft Entra ID was disconnected")?;
    tx.execute_batch(
        "DELETE FROM entra_connection; DELETE FROM entra_delta; DELETE FROM entra_accounts; DELETE FROM entra_missing;
         UPDATE deprovision_settings SET auto_deprovision = 0, auto_add_users = 0;",
    )?;
    audit::record(
        &tx,
        by,
        audit::Entry::organization("entra.disconnected")
            .detail("Auto-deprovision and adding new users automatically turned off"),
    )?;
    tx.commit().map_err(StoreError::from)?;
    keychain.delete()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(tenant: &str, client: &str) -> ConnectionInput {
        ConnectionInput {
            tenant: tenant.into(),
            client_id: client.into(),
            cloud: Cloud::Global,
            login_url: None,
            graph_url: None,
            secret_expires_on: None,
        }
    }

    #[test]
    fn tenants_are_guids_or_domains() {
        let guid = "0F8FAD5B-D9CB-469F-A165-70867728950E";
        assert_eq!(
            check(&input("Contoso.onmicrosoft.com", guid))
                .unwrap()
                .tenant,
            "contoso.onmicrosoft.com"
        );
        let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        assert_eq!(
            check(&input(tenant, guid)).unwrap().client_id,
            "0f8fad5b-d9cb-469f-a165-70867728950e"
        );
        // The tenant's own ID pasted as the client ID.
        assert!(matches!(
            check(&input(guid, &guid.to_lowercase())),
            Err(EntraError::TenantIdAsClientId)
        ));
        assert!(matches!(
            check(&input("contoso", guid)),
            Err(EntraError::InvalidTenant(_))
        ));
        assert!(matches!(
            check(&input("a b.com", guid)),
            Err(EntraError::InvalidTenant(_))
        ));
        assert!(matches!(
            check(&input(guid, "my-app")),
            Err(EntraError::InvalidClientId(_))
        ));
        let mut bad_date = input(tenant, guid);
        bad_date.secret_expires_on = Some("31/12/2027".into());
        assert!(matches!(check(&bad_date), Err(EntraError::InvalidDate(_))));
    }
}
