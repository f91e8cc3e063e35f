//! `/v1.0/applications`: app registrations and their client secrets (`addPassword`,
//! `removePassword`), in Graph's JSON and error shapes.

use super::access::{may_read_applications, may_write, APPLICATION_READ_WRITE};
use super::body::{bad_request, json_object, optional_string, required_string};
use super::query::{app_listing, project};
use crate::applications::{Application, Missing, PasswordCredential};
use crate::reply::not_found;
use crate::reply::{json_response, GraphError, RequestIds};
use crate::state::{lock, Shared};
use crate::tokens::Grant;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The audiences Entra accepts for `signInAudience`.
const AUDIENCES: [&str; 4] = [
    "AzureADMyOrg",
    "AzureADMultipleOrgs",
    "AzureADandPersonalMicrosoftAccount",
    "PersonalMicrosoftAccount",
];

type Reply = Result<Response, GraphError>;

/// `POST /applications` {displayName, signInAudience?, requiredResourceAccess?} → 201.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    body: Bytes,
) -> Reply {
    may_write(&ids, &caller, APPLICATION_READ_WRITE)?;
    let fields = json_object(&ids, &body)?;
    let display_name = required_string(&ids, &fields, "displayName")?;
    let audience = match optional_string(&ids, &fields, "signInAudience")? {
        None => "AzureADMyOrg",
        Some(audience) if AUDIENCES.contains(&audience) => audience,
        Some(other) => return Err(bad_request(&ids, &format!("Invalid value specified for property 'signInAudience' of resource 'Application': '{other}'."))),
    };
    let access =
        match fields.get("requiredResourceAccess") {
            None | Some(Value::Null) => Value::Array(Vec::new()),
            Some(list @ Value::Array(_)) => list.clone(),
            Some(_) => return Err(bad_request(
                &ids,
                "Invalid value for property 'requiredResourceAccess': a collection is expected.",
            )),
        };
    let mut registry = lock(&shared.registry);
    let app = registry.create_app(display_name, audience, access);
    let body = with_context(&shared, "applications/$entity", render(app));
    Ok(json_response(StatusCode::CREATED, &body))
}

/// `GET /applications[?$filter=appId eq '…'][&$select=…]`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    RawQuery(raw): RawQuery,
) -> Reply {
    may_read_applications(&ids, &caller)?;
    let (query, app_id) = app_listing(&ids, raw.as_deref())?;
    let value: Vec<Value> = lock(&shared.registry)
        .apps(app_id.as_deref())
        .map(|app| project(render(app), &query))
        .collect();
    let body = with_context(&shared, "applications", json!({ "value": value }));
    Ok(json_response(StatusCode::OK, &body))
}

/// `GET /applications/{id}` (object id).
pub(crate) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    Path(id): Path<String>,
) -> Reply {
    may_read_applications(&ids, &caller)?;
    let registry = lock(&shared.registry);
    let app = registry.app(&id).ok_or_else(|| not_found(&ids, &id))?;
    let body = with_context(&shared, "applications/$entity", render(app));
    Ok(json_response(StatusCode::OK, &body))
}

/// `PATCH /applications/{id}` {requiredResourceAccess} → 204: the permissions the app
/// asks for (granting them is an app role assignment on its service principal).
pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    may_write(&ids, &caller, APPLICATION_READ_WRITE)?;
    let fields = json_object(&ids, &body)?;
    let access = match fields.get("requiredResourceAccess") {
        Some(access @ Value::Array(_)) if fields.len() == 1 => access.clone(),
        _ => {
            return Err(bad_request(
                &ids,
                "The simulator updates requiredResourceAccess (an array) alone.",
            ))
        }
    };
    let mut registry = lock(&shared.registry);
    let app = registry.app_mut(&id).ok_or_else(|| not_found(&ids, &id))?;
    app.required_resource_access = access;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /applications/{id}` → 204; its service principal and grants go with it.
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    Path(id): Path<String>,
) -> Reply {
    may_write(&ids, &caller, APPLICATION_READ_WRITE)?;
    if !lock(&shared.registry).delete_app(&id) {
        return Err(not_found(&ids, &id).into());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /applications/{id}/addPassword` {passwordCredential?: {displayName?,
/// startDateTime?, endDateTime?}} → 200 with the secret, the only time it is shown.
pub(crate) async fn add_password(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    may_write(&ids, &caller, APPLICATION_READ_WRITE)?;
    let fields = json_object(&ids, &body)?;
    let credential = match fields.get("passwordCredential") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(credential)) => credential.clone(),
        Some(_) => {
            return Err(bad_request(
                &ids,
                "Invalid value for property 'passwordCredential': an object is expected.",
            ))
        }
    };
    let display_name = optional_string(&ids, &credential, "displayName")?.map(str::to_string);
    let start = date(&ids, &credential, "startDateTime")?;
    let end = date(&ids, &credential, "endDateTime")?;
    if let (Some(start), Some(end)) = (start, end) {
        if end <= start {
            return Err(bad_request(
                &ids,
                "Key credential end date is invalid: it must be after the start date.",
            ));
        }
    }
    let mut registry = lock(&shared.registry);
    let credential = registry
        .add_password(&id, display_name, start, end)
        .ok_or_else(|| not_found(&ids, &id))?;
    let mut body = password(credential);
    body["secretText"] = credential.secret.clone().into();
    let body = with_context(&shared, "microsoft.graph.passwordCredential", body);
    Ok(json_response(StatusCode::OK, &body))
}

/// `POST /applications/{id}/removePassword` {keyId} → 204.
pub(crate) async fn remove_password(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    may_write(&ids, &caller, APPLICATION_READ_WRITE)?;
    let fields = json_object(&ids, &body)?;
    let key_id = required_string(&ids, &fields, "keyId")?;
    match lock(&shared.registry).remove_password(&id, key_id) {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(Missing::Application) => Err(not_found(&ids, &id).into()),
        Err(Missing::Credential) => Err(bad_request(
            &ids,
            &format!("No password credential with keyId '{key_id}' exists on the application."),
        )),
    }
}

/// An application as Graph returns it; secrets show only their hint.
fn render(app: &Application) -> Value {
    json!({
        "id": app.id,
        "deletedDateTime": null,
        "appId": app.app_id,
        "createdDateTime": timestamp(app.created),
        "displayName": app.display_name,
        "signInAudience": app.sign_in_audience,
        "requiredResourceAccess": app.required_resource_access,
        "keyCredentials": [],
        "passwordCredentials": app.passwords.iter().map(password).collect::<Vec<_>>(),
    })
}

fn password(credential: &PasswordCredential) -> Value {
    json!({
        "customKeyIdentifier": null,
        "displayName": credential.display_name,
        "endDateTime": timestamp(credential.end),
        "hint": credential.hint(),
        "keyId": credential.key_id,
        "secretText": null,
        "startDateTime": timestamp(credential.start),
    })
}

/// Adds `@odata.context` first, as Graph orders it.
pub(super) fn with_context(shared: &Shared, entity: &str, body: Value) -> Value {
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        format!("{}/v1.0/$metadata#{entity}", shared.base_url).into(),
    );
    if let Value::Object(fields) = body {
        out.extend(fields);
    }
    Value::Object(out)
}

pub(super) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// An optional ISO 8601 date-time property.
fn date(
    ids: &RequestIds,
    object: &Map<String, Value>,
    name: &str,
) -> Result<Option<DateTime<Utc>>, GraphError> {
    let Some(text) = optional_string(ids, object, name)? else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(text.trim())
        .map(|at| Some(at.with_timezone(&Utc)))
        .map_err(|_| {
            bad_request(
                ids,
                &format!("Invalid value for property '{name}': '{text}' is not a date and time."),
            )
        })
}
