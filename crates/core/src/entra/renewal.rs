//! "Renew secret" (R-E6): with an administrator's device-code sign-in, UniAsset adds a new
//! client secret to its app registration (addPassword), switches to it once a token and a read
//! with it succeed, and then removes the old one (removePassword), so a secret never lapses.

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::setup::{
    as_admin, connected_app, secret_expiry, test_new_secret, AdminSignIn, SignedIn, SECRET_NAME,
};
use super::{connection, connection_in, Connection, EntraError};
use crate::access::Actor;
use crate::audit;
use crate::graph::device_code::DeviceCodePrompt;
use crate::graph::{Application, GraphClient, NewSecret};
use crate::secrets::{ClientSecret, Keychain};
use crate::store::{Store, StoreError};

/// What renewing needs, for the message when the administrator's role falls short.
const RENEWAL_NEEDS: &str = "add a client secret to UniAsset's app registration: that takes a Global Administrator, Application Administrator or Cloud Application Administrator. Ask someone with one of those roles to sign in, or create a secret in the admin center and use Replace secret.";

/// How a renewal ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretRenewal {
    /// YYYY-MM-DD: the new secret's last day.
    pub expires_on: String,
    /// What became of the old secret, in a sentence.
    pub old_secret: String,
}

/// Starts the administrator's sign-in for renewing the saved connection's secret.
pub async fn begin_renewal(
    store: &mut Store,
    by: &Actor,
) -> Result<(DeviceCodePrompt, AdminSignIn), EntraError> {
    by.require_admin("renew the client secret")?;
    let connection = connection(store)?.ok_or(EntraError::NotConnected)?;
    AdminSignIn::begin(connection.cloud, connection.endpoints).await
}

/// Waits for the administrator, then adds, tests, switches to the new secret and removes the
/// old one. Until the switch nothing of UniAsset's changes; a failure before it removes the
/// new secret again.
pub async fn finish_renewal(
    store: &mut Store,
    by: &Actor,
    sign_in: AdminSignIn,
) -> Result<SecretRenewal, EntraError> {
    by.require_admin("renew the client secret")?;
    let current = connection(store)?.ok_or(EntraError::NotConnected)?;
    let keychain = Keychain::for_store(store)?;
    let SignedIn {
        admin,
        account,
        cancel,
        ..
    } = sign_in.signed_in().await?;
    let (tenant_id, app) = connected_app(&admin, &account, &current, RENEWAL_NEEDS).await?;
    let old_secret = keychain.load().ok();
    let old_key = old_key_id(store, &app, old_secret.as_ref())?;
    cancel.commit()?;
    let new = admin
        .add_secret(&app.id, SECRET_NAME, secret_expiry())
        .await
        .map_err(|e| as_admin(e, &account, RENEWAL_NEEDS))?;
    let renewing = Renewing {
        current: &current,
        tenant_id: &tenant_id,
        app: &app,
        new: &new,
        account: &account,
    };
    if let Err(e) = switch(store, by, &keychain, old_secret.as_ref(), &renewing).await {
        // The new secret out of the tenant again: nothing holds it.
        return Err(match admin.remove_secret(&app.id, &new.key_id).await {
            Ok(()) => e,
            Err(removal) => EntraError::LeftBehind {
                error: Box::new(e),
                left: format!(
                    "the new client secret (ID {}) could not be removed ({removal})",
                    new.key_id
                ),
            },
        });
    }
    let old_secret = remove_old(store, by, &admin, &app, old_key.as_deref()).await;
    Ok(SecretRenewal {
        expires_on: new.expires.date_naive().to_string(),
        old_secret,
    })
}

/// What a renewal is switching: from the connection as it was, to the new secret.
struct Renewing<'a> {
    current: &'a Connection,
    tenant_id: &'a str,
    app: &'a Application,
    new: &'a NewSecret,
    account: &'a str,
}

/// Tests the new secret, then puts it in the keychain and records it, provided the
/// connection is still the one renewed (not disconnected or replaced meanwhile). On failure
/// the keychain holds what it held before.
async fn switch(
    store: &mut Store,
    by: &Actor,
    keychain: &Keychain,
    old_secret: Option<&ClientSecret>,
    renewing: &Renewing<'_>,
) -> Result<(), EntraError> {
    let Renewing {
        current,
        tenant_id,
        app,
        new,
        account,
    } = renewing;
    test_new_secret(
        &current.endpoints,
        tenant_id,
        &current.client_id,
        &new.secret,
    )
    .await?;
    let tx = store.write()?;
    let still = connection_in(&tx)?
        .filter(|now| now.client_id == current.client_id && now.tenant_id == current.tenant_id);
    if still.is_none() {
        return Err(EntraError::ConnectionChanged);
    }
    keychain.save(&new.secret)?;
    let recorded = (move || {
        tx.execute(
            "UPDATE entra_connection SET secret_expires_on = ?1, secret_key_id = ?2, app_object_id = ?3 WHERE id = 1",
            rusqlite::params![new.expires.date_naive().to_string(), new.key_id, app.id],
        )?;
        audit::record(
            &tx,
            by,
            audit::Entry::organization("entra.secret_renewed").detail(format!(
                "A new client secret, valid until {}, added after {account} signed in; UniAsset uses it from now on",
                new.expires.date_naive()
            )),
        )?;
        tx.commit()?;
        Ok::<_, StoreError>(())
    })();
    if let Err(e) = recorded {
        let _ = match old_secret {
            Some(old) => keychain.save(old),
            None => keychain.delete(),
        };
        return Err(e.into());
    }
    Ok(())
}

/// The secret being replaced: the one UniAsset added, or else the only one whose first
/// characters (Graph's `hint`) match the secret in the keychain. `None` when unsure: a
/// secret another tool uses must not be removed on a guess.
fn old_key_id(
    store: &Store,
    app: &Application,
    old_secret: Option<&ClientSecret>,
) -> Result<Option<String>, StoreError> {
    let recorded: Option<String> = store
        .conn()
        .query_row(
            "SELECT secret_key_id FROM entra_connection WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let listed = |key: &str| {
        app.password_credentials
            .iter()
            .any(|c| c.key_id.eq_ignore_ascii_case(key))
    };
    if let Some(key) = recorded.filter(|k| listed(k)) {
        return Ok(Some(key));
    }
    let Some(old) = old_secret else {
        return Ok(None);
    };
    let mut matching = app.password_credentials.iter().filter(|c| {
        c.hint
            .as_deref()
            .is_some_and(|hint| !hint.is_empty() && old.expose().starts_with(hint))
    });
    Ok(match (matching.next(), matching.next()) {
        (Some(only), None) => Some(only.key_id.clone()),
        _ => None,
    })
}

/// Removes the replaced secret, and says (and audits) what became of it. Failing to remove
/// it does not undo the renewal: the new secret works, and the old one only lapses later.
async fn remove_old(
    store: &mut Store,
    by: &Actor,
    admin: &GraphClient,
    app: &Application,
    old_key: Option<&str>,
) -> String {
    let outcome = match old_key {
        Some(key) => match admin.remove_secret(&app.id, key).await {
            Ok(()) => "The old secret was removed from the app registration: it no longer gets a token.".to_owned(),
            Err(e) => format!("The old secret could not be removed ({e}). Remove it in App registrations → Certificates & secrets."),
        },
        None => "UniAsset could not tell which of the app's other secrets it used before, so it left them. Remove the old one in App registrations → Certificates & secrets once nothing else uses it.".to_owned(),
    };
    // The renewal has happened whatever the audit trail can take now; the outcome is returned.
    if let Ok(tx) = store.write() {
        let recorded = audit::record(
            &tx,
            by,
            audit::Entry::organization("entra.old_secret").detail(outcome.clone()),
        );
        if recorded.is_ok() {
            let _ = tx.commit();
        }
    }
    outcome
}
