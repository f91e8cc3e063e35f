//! `/v1.0/servicePrincipals`: an application's presence in the tenant, and the app role
//! assignments that grant it application permissions (admin consent).

use super::access::{
    may_grant, may_read_applications, may_write, APPLICATION_READ_WRITE,
    APP_ROLE_ASSIGNMENT_READ_WRITE,
};
use super::applications::{timestamp, with_context};
use super::body::{bad_request, json_object, required_string};
use super::query::{app_listing, project};
use crate::applications::{AssignError, ServicePrincipal, SpRefused};
use crate::reply::not_found;
use crate::reply::{json_response, GraphError, RequestIds};
use crate::state::{lock, Shared};
use crate::tokens::Grant;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};
use std::sync::Arc;

type Reply = Result<Response, GraphError>;

/// `POST /servicePrincipals` {appId} → 201.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    body: Bytes,
) -> Reply {
    may_write(&ids, &caller, APPLICATION_READ_WRITE)?;
    let fields = json_object(&ids, &body)?;
    let app_id = required_string(&ids, &fields, "appId")?;
    let mut registry = lock(&shared.registry);
    match registry.create_service_principal(app_id) {
        Ok(principal) => {
            let body = with_context(&shared, "servicePrincipals/$entity", render(principal));
            Ok(json_response(StatusCode::CREATED, &body))
        }
        Err(SpRefused::UnknownApp) => Err(bad_request(&ids, &format!("The appId '{app_id}' of the service principal does not reference a valid application object."))),
        Err(SpRefused::Exists) => Err(ids.refuse(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            "Another object with the same value for property servicePrincipalNames already exists.",
        )),
    }
}

/// `GET /servicePrincipals[?$filter=appId eq '…'][&$select=…]`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    RawQuery(raw): RawQuery,
) -> Reply {
    may_read_applications(&ids, &caller)?;
    let (query, app_id) = app_listing(&ids, raw.as_deref())?;
    let value: Vec<Value> = lock(&shared.registry)
        .service_principals(app_id.as_deref())
        .map(|principal| project(render(principal), &query))
        .collect();
    let body = with_context(&shared, "servicePrincipals", json!({ "value": value }));
    Ok(json_response(StatusCode::OK, &body))
}

/// `POST /servicePrincipals/{id}/appRoleAssignments` {principalId, resourceId,
/// appRoleId} → 201: `{id}` (the client) is granted an app role of the resource.
pub(crate) async fn assign(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    may_grant(&ids, &caller, APP_ROLE_ASSIGNMENT_READ_WRITE)?;
    let fields = json_object(&ids, &body)?;
    let principal_id = required_string(&ids, &fields, "principalId")?;
    let resource_id = required_string(&ids, &fields, "resourceId")?;
    let app_role_id = required_string(&ids, &fields, "appRoleId")?;
    let mut registry = lock(&shared.registry);
    let assignment = registry
        .assign(&id, principal_id, resource_id, app_role_id)
        .map_err(|refused| match refused {
            AssignError::NoPrincipal => not_found(&ids, &id).into(),
            AssignError::PrincipalMismatch => bad_request(&ids, &format!("principalId '{principal_id}' must be the service principal the request addresses ('{id}').")),
            AssignError::NoResource => bad_request(&ids, &format!("Resource '{resource_id}' does not exist or one of its queried reference-property objects are not present.")),
            AssignError::NoSuchRole => bad_request(&ids, "Permission being assigned was not found on application"),
            AssignError::AlreadyAssigned => bad_request(&ids, "Permission being assigned already exists on the object"),
        })?;
    let display_name = |sp_id: &str| {
        registry
            .service_principal(sp_id)
            .map(|sp| sp.display_name.clone())
    };
    let body = with_context(
        &shared,
        &format!(
            "servicePrincipals('{}')/appRoleAssignments/$entity",
            assignment.principal_id
        ),
        json!({
            "id": assignment.id,
            "deletedDateTime": null,
            "appRoleId": assignment.app_role_id,
            "createdDateTime": timestamp(assignment.created),
            "principalDisplayName": display_name(&assignment.principal_id),
            "principalId": assignment.principal_id,
            "principalType": "ServicePrincipal",
            "resourceDisplayName": display_name(&assignment.resource_id),
            "resourceId": assignment.resource_id,
        }),
    );
    Ok(json_response(StatusCode::CREATED, &body))
}

/// A service principal as Graph returns it, with the app roles it offers.
fn render(principal: &ServicePrincipal) -> Value {
    let roles: Vec<Value> = principal
        .app_roles
        .iter()
        .map(|role| {
            json!({
                "allowedMemberTypes": ["Application"],
                "description": format!("Allows the app to {} without a signed-in user.", role.display_name.to_lowercase()),
                "displayName": role.display_name,
                "id": role.id,
                "isEnabled": true,
                "origin": "Application",
                "value": role.value,
            })
        })
        .collect();
    json!({
        "id": principal.id,
        "deletedDateTime": null,
        "accountEnabled": true,
        "appId": principal.app_id,
        "appDisplayName": principal.display_name,
        "displayName": principal.display_name,
        "servicePrincipalType": "Application",
        "appRoles": roles,
    })
}
