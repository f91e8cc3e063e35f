//! Passwords: a strength policy and Argon2id hashes. Plain passwords never leave this
//! module's callers' stack: they are not stored, logged or printed.

use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

/// A password typed by someone. Its Debug output is redacted so it cannot leak into logs.
#[derive(Clone, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[ts(type = "string")]
pub struct Password(String);

impl Password {
    pub fn new(s: impl Into<String>) -> Password {
        Password(s.into())
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

pub const MIN_LENGTH: usize = 10;
const MAX_LENGTH: usize = 256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("The password must be at least {MIN_LENGTH} characters long.")]
    TooShort,
    #[error("The password must be at most {MAX_LENGTH} characters long.")]
    TooLong,
    #[error(
        "This password is too easy to guess{0}. A few unrelated words make a strong password."
    )]
    TooWeak(String),
    #[error("Could not hash the password: {0}")]
    Hashing(String),
}

impl crate::ErrorCode for PasswordError {
    fn code(&self) -> &'static str {
        match self {
            PasswordError::TooShort | PasswordError::TooLong | PasswordError::TooWeak(_) => {
                "weak_password"
            }
            PasswordError::Hashing(_) => "password_hashing",
        }
    }
}

/// Refuses passwords that are short or guessable (zxcvbn score below 3), taking the
/// person's own name and email into account.
pub fn check_strength(password: &Password, personal: &[&str]) -> Result<(), PasswordError> {
    let pw = password.expose();
    let chars = pw.chars().count();
    if chars < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    let words = personal_words(personal);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(pw, &words);
    if (estimate.score() as u8) < 3 {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| format!(" ({})", w.to_string().trim_end_matches('.').to_lowercase()))
            .unwrap_or_default();
        return Err(PasswordError::TooWeak(hint));
    }
    Ok(())
}

/// zxcvbn matches whole dictionary words, so "Ann Smith" and "ann.smith@x.example" are
/// offered as "ann", "smith", "annsmith" and so on.
fn personal_words(personal: &[&str]) -> Vec<String> {
    let mut words = Vec::new();
    for text in personal {
        let lower = text.to_lowercase();
        let local = lower.split('@').next().unwrap_or_default();
        let parts: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| p.len() >= 3)
            .collect();
        words.push(lower.clone());
        words.push(local.chars().filter(|c| c.is_alphanumeric()).collect());
        words.push(lower.split_whitespace().collect());
        words.extend(parts.into_iter().map(str::to_owned));
    }
    words.retain(|w| w.len() >= 3);
    words
}

/// An Argon2id PHC string with a fresh random salt.
pub fn hash(password: &Password) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hashing(e.to_string()))
}

/// Whether `password` matches a stored hash. A malformed stored hash never matches.
pub fn verify(password: &Password, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let pw = Password::new("correct horse battery staple");
        let h = hash(&pw).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&pw, &h));
        assert!(!verify(&Password::new("wrong horse battery staple"), &h));
        assert!(!verify(&pw, "not a hash"));
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert_eq!(
            check_strength(&Password::new("short"), &[]),
            Err(PasswordError::TooShort)
        );
        assert!(matches!(
            check_strength(&Password::new("password123"), &[]),
            Err(PasswordError::TooWeak(_))
        ));
        assert!(matches!(
            check_strength(
                &Password::new("annsmith2024"),
                &["annsmith@example.com", "Ann Smith"]
            ),
            Err(PasswordError::TooWeak(_))
        ));
        assert!(check_strength(&Password::new("violet tractor ocean fern"), &[]).is_ok());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let shown = format!("{:?}", Password::new("s3cret-value-here"));
        assert!(!shown.contains("s3cret"));
    }
}
