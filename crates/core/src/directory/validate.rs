//! Checks a user's fields before anything is written, collecting every problem at once so a
//! form or a CSV row can report them together.

use serde::{Deserialize, Serialize};

use super::user::SignInMethod;
use crate::access::Role;
use crate::text::{self, excerpt, ControlCharacter};

const MAX_NAME: usize = 120;

/// A user as typed into a form, a command line or a CSV row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub sign_in: SignInMethod,
    pub entra_object_id: Option<String>,
}

/// A user whose fields passed every check; the email is trimmed and the Entra object id
/// is in canonical lowercase hyphenated form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub sign_in: SignInMethod,
    pub entra_object_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserProblem {
    #[error("the email address is missing")]
    MissingEmail,
    #[error("\"{}\" is not a valid email address", excerpt(.0))]
    InvalidEmail(String),
    #[error("the name is missing")]
    MissingName,
    #[error("the name must be at most {MAX_NAME} characters")]
    NameTooLong,
    #[error(
        "\"{}\" is not an Entra object id (a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e)",
        excerpt(.0)
    )]
    InvalidEntraId(String),
    #[error("only users who sign in with Microsoft can have an Entra object id")]
    EntraIdWithoutMicrosoft,
    #[error(transparent)]
    UnknownValue(#[from] crate::text_enum::UnknownValue),
    /// R-X3: names and addresses hold no control character.
    #[error(transparent)]
    Control(#[from] ControlCharacter),
}

/// Joins problems into one sentence for a message.
pub fn describe(problems: &[UserProblem]) -> String {
    let mut text = problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    if let Some(first) = text.get(0..1) {
        text.replace_range(0..1, &first.to_uppercase());
    }
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

impl NewUser {
    pub fn validate(&self) -> Result<ValidUser, Vec<UserProblem>> {
        let mut problems = Vec::new();
        let email = self.email.trim();
        if email.is_empty() {
            problems.push(UserProblem::MissingEmail);
        } else if let Err(e) = text::refuse_controls("email address", email) {
            problems.push(e.into());
        } else if !is_email(email) {
            problems.push(UserProblem::InvalidEmail(email.to_owned()));
        }
        let name = self.display_name.trim();
        if name.is_empty() {
            problems.push(UserProblem::MissingName);
        } else if let Err(e) = text::refuse_controls("name", name) {
            problems.push(e.into());
        } else if name.chars().count() > MAX_NAME {
            problems.push(UserProblem::NameTooLong);
        }
        let entra_object_id = match self.entra_object_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match uuid::Uuid::try_parse(raw) {
                Ok(id) => Some(id.hyphenated().to_string()),
                Err(_) => {
                    problems.push(UserProblem::InvalidEntraId(raw.to_owned()));
                    None
                }
            },
        };
        if entra_object_id.is_some() && self.sign_in != SignInMethod::Microsoft {
            problems.push(UserProblem::EntraIdWithoutMicrosoft);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ValidUser {
            email: email.to_owned(),
            display_name: name.to_owned(),
            role: self.role,
            sign_in: self.sign_in,
            entra_object_id,
        })
    }
}

pub(super) fn is_email(s: &str) -> bool {
    // The crate accepts display-name forms ("Ann <a@b>"); a stored address is the bare form.
    !s.contains(['<', '>', ' ']) && email_address::EmailAddress::is_valid(s) && s.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(email: &str, name: &str, sign_in: SignInMethod, oid: Option<&str>) -> NewUser {
        NewUser {
            email: email.into(),
            display_name: name.into(),
            role: Role::Member,
            sign_in,
            entra_object_id: oid.map(Into::into),
        }
    }

    #[test]
    fn collects_every_problem() {
        let problems = user("not-an-email", " ", SignInMethod::Password, Some("xyz"))
            .validate()
            .unwrap_err();
        assert_eq!(
            problems,
            vec![
                UserProblem::InvalidEmail("not-an-email".into()),
                UserProblem::MissingName,
                UserProblem::InvalidEntraId("xyz".into()),
            ]
        );
        assert_eq!(
            describe(&problems),
            "\"not-an-email\" is not a valid email address; the name is missing; \"xyz\" is not an Entra object id (a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e)."
        );
    }

    #[test]
    fn normalises_entra_ids_and_trims() {
        let v = user(
            " ann@example.com ",
            " Ann ",
            SignInMethod::Microsoft,
            Some("0F8FAD5B-D9CB-469F-A165-70867728950E"),
        )
        .validate()
        .unwrap();
        assert_eq!(v.email, "ann@example.com");
        assert_eq!(v.display_name, "Ann");
        assert_eq!(
            v.entra_object_id.as_deref(),
            Some("0f8fad5b-d9cb-469f-a165-70867728950e")
        );
    }

    #[test]
    fn entra_ids_belong_to_microsoft_users_only() {
        let problems = user(
            "a@example.com",
            "A",
            SignInMethod::Google,
            Some("0f8fad5b-d9cb-469f-a165-70867728950e"),
        )
        .validate()
        .unwrap_err();
        assert_eq!(problems, vec![UserProblem::EntraIdWithoutMicrosoft]);
    }

    #[test]
    fn display_name_forms_are_not_addresses() {
        assert!(!is_email("Ann <ann@example.com>"));
        assert!(!is_email("ann@localhost"));
        assert!(is_email("ann.smith+it@example.co.uk"));
    }
}
