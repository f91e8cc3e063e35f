//! The connect form's values, checked one by one: once as they are typed or pasted (each
//! problem next to its field) and again, all together, before anything is saved.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::cloud::checked_base;
use super::{ConnectionInput, EntraError};
use crate::secrets::ClientSecret;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FormField {
    Tenant,
    ClientId,
    Secret,
    SecretExpiresOn,
    LoginUrl,
    GraphUrl,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct FieldProblem {
    pub field: FormField,
    pub message: String,
}

/// Problems with the values filled in so far; empty fields are not problems yet. No network.
pub fn field_problems(input: &ConnectionInput, secret: &ClientSecret) -> Vec<FieldProblem> {
    let filled = |s: &str| !s.trim().is_empty();
    let mut problems = Vec::new();
    let mut note = |field, result: Result<(), EntraError>| {
        if let Err(e) = result {
            problems.push(FieldProblem {
                field,
                message: e.to_string(),
            });
        }
    };
    if filled(&input.tenant) {
        note(FormField::Tenant, tenant(&input.tenant).map(drop));
    }
    if filled(&input.client_id) {
        let same_as_tenant = input
            .client_id
            .trim()
            .eq_ignore_ascii_case(input.tenant.trim());
        note(
            FormField::ClientId,
            if same_as_tenant {
                Err(EntraError::TenantIdAsClientId)
            } else {
                client_id(&input.client_id).map(drop)
            },
        );
    }
    if !secret.is_blank() {
        note(FormField::Secret, check_secret(secret));
    }
    if let Some(date) = input.secret_expires_on.as_deref().filter(|d| filled(d)) {
        note(FormField::SecretExpiresOn, expiry(date).map(drop));
    }
    if input.cloud == super::Cloud::Custom {
        for (field, url) in [
            (FormField::LoginUrl, &input.login_url),
            (FormField::GraphUrl, &input.graph_url),
        ] {
            if let Some(url) = url.as_deref().filter(|u| filled(u)) {
                note(
                    field,
                    checked_base(url.trim()).map(drop).map_err(Into::into),
                );
            }
        }
    }
    problems
}

/// A tenant GUID or verified domain, lowercased.
pub(super) fn tenant(raw: &str) -> Result<String, EntraError> {
    let tenant = raw.trim().to_ascii_lowercase();
    let is_guid = uuid::Uuid::try_parse(&tenant).is_ok();
    let is_domain = tenant.contains('.')
        && tenant
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if !is_guid && !is_domain {
        return Err(EntraError::InvalidTenant(shown(raw)));
    }
    Ok(tenant)
}

/// An application (client) id, as a lowercase hyphenated GUID.
pub(super) fn client_id(raw: &str) -> Result<String, EntraError> {
    uuid::Uuid::try_parse(raw.trim())
        .map(|id| id.hyphenated().to_string())
        .map_err(|_| EntraError::InvalidClientId(shown(raw)))
}

/// A wrong value as the message may repeat it: a secret pasted into the wrong field must not
/// come back in a reply or a screenshot, so anything that may be one is not repeated.
fn shown(raw: &str) -> String {
    let raw = raw.trim();
    let plain = raw.len() <= 40
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ' '));
    let secret_like = raw.len() >= 30 && !raw.contains(' ') && uuid::Uuid::try_parse(raw).is_err();
    if plain && !secret_like {
        format!("\"{raw}\"")
    } else {
        "What was entered".to_owned()
    }
}

pub(super) fn expiry(raw: &str) -> Result<NaiveDate, EntraError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| EntraError::InvalidDate(raw.trim().to_owned()))
}

/// Catches the two common slips: pasting the secret's ID (a GUID, shown beside the Value in
/// Certificates & secrets), and a value broken by spaces or line breaks when copied.
pub(super) fn check_secret(secret: &ClientSecret) -> Result<(), EntraError> {
    let value = secret.expose().trim();
    if value.is_empty() {
        return Err(EntraError::EmptySecret);
    }
    if uuid::Uuid::try_parse(value).is_ok() {
        return Err(EntraError::SecretIdNotValue);
    }
    if value.contains(char::is_whitespace) {
        return Err(EntraError::SecretHasSpaces);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::Cloud;

    fn input() -> ConnectionInput {
        ConnectionInput {
            tenant: String::new(),
            client_id: String::new(),
            cloud: Cloud::Global,
            login_url: None,
            graph_url: None,
            secret_expires_on: None,
        }
    }

    fn fields(problems: &[FieldProblem]) -> Vec<FormField> {
        problems.iter().map(|p| p.field).collect()
    }

    #[test]
    fn an_empty_form_has_no_problems_yet() {
        assert!(field_problems(&input(), &ClientSecret::new("")).is_empty());
    }

    #[test]
    fn each_problem_is_named_by_its_field() {
        let guid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let form = ConnectionInput {
            tenant: "contoso".into(),
            client_id: "my-app".into(),
            cloud: Cloud::Custom,
            login_url: Some("ftp://login.example".into()),
            graph_url: Some("http://graph.example".into()),
            secret_expires_on: Some("31/12/2027".into()),
        };
        let problems = field_problems(&form, &ClientSecret::new(guid));
        assert_eq!(
            fields(&problems),
            [
                FormField::Tenant,
                FormField::ClientId,
                FormField::Secret,
                FormField::SecretExpiresOn,
                FormField::LoginUrl,
                FormField::GraphUrl
            ]
        );
        assert!(problems[2].message.contains("secret's ID, not its Value"));
    }

    #[test]
    fn good_values_pass_and_the_tenant_id_is_not_taken_for_the_client_id() {
        let guid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let mut form = input();
        form.tenant = "contoso.onmicrosoft.com".into();
        form.client_id = guid.into();
        form.secret_expires_on = Some("2027-12-31".into());
        let secret = ClientSecret::new("Abc8Q~x1y2z3-long-secret-value.hereX_09ab");
        assert!(field_problems(&form, &secret).is_empty());

        form.tenant = guid.to_uppercase();
        let problems = field_problems(&form, &secret);
        assert_eq!(fields(&problems), [FormField::ClientId]);
        assert!(problems[0].message.contains("Directory (tenant) ID"));
    }

    #[test]
    fn a_secret_pasted_in_the_wrong_field_is_not_repeated() {
        let secret = "Abc8Q~x1y2z3-long-secret-value.hereX_09ab";
        let mut form = input();
        form.tenant = secret.into();
        form.client_id = "KJ8Q5vxLm2NwPq7RsTu9VwXyZa1Bc3De4Fg6Hh8Ij0k=".into();
        let problems = field_problems(&form, &ClientSecret::new(""));
        assert_eq!(problems.len(), 2);
        for problem in &problems {
            assert!(!problem.message.contains(secret), "{}", problem.message);
            assert!(!problem.message.contains("KJ8Q5vx"), "{}", problem.message);
            assert!(
                problem.message.starts_with("What was entered is not"),
                "{}",
                problem.message
            );
        }
        form.tenant = "contoso".into();
        assert!(field_problems(&form, &ClientSecret::new(""))[0]
            .message
            .starts_with("\"contoso\" is not a tenant ID"));
    }

    #[test]
    fn a_secret_broken_by_spaces_is_caught() {
        assert!(matches!(
            check_secret(&ClientSecret::new("Abc8Q~x1y2 z3")),
            Err(EntraError::SecretHasSpaces)
        ));
        assert!(check_secret(&ClientSecret::new("  Abc8Q~x1y2z3\n")).is_ok());
    }
}
