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
/// Longer input is refused before any hashing, so nobody can make the app hash megabytes.
pub const MAX_LENGTH: usize = 256;

/// An Argon2id hash with the same parameters as real ones, of no password anybody knows:
/// checked against when an account does not exist or has no password, so the answer takes
/// as long as for a wrong password (a test keeps its parameters equal to `hash`'s).
pub(crate) const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$USRfrPLHCY0lWvyZSAgVOg$0P3S0TPq2mR/K+HszJPP25dxRnLHrSAMOSKmBNqlM6k";

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
            PasswordError::TooShort | PasswordError::TooWeak(_) => "weak_password",
            PasswordError::TooLong => "password_too_long",
            PasswordError::Hashing(_) => "password_hashing",
        }
    }
}

/// Refuses passwords that are short or guessable (zxcvbn score below 3), taking the
/// person's own name and email into account.
pub fn check_strength(password: &Password, personal: &[&str]) -> Result<(), PasswordError> {
    check_length(password)?;
    let pw = password.expose();
    if pw.chars().count() < MIN_LENGTH {
        return Err(PasswordError::TooShort);
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

/// Refuses a password longer than [`MAX_LENGTH`] characters. Every path that hashes or
/// checks a password calls this first.
pub fn check_length(password: &Password) -> Result<(), PasswordError> {
    let pw = password.expose();
    // Four bytes per character at most: a longer input is refused without counting it.
    if pw.len() > 4 * MAX_LENGTH || pw.chars().count() > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

/// An Argon2id PHC string with a fresh random salt.
pub fn hash(password: &Password) -> Result<String, PasswordError> {
    check_length(password)?;
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hashing(e.to_string()))
}

/// Whether `password` matches a stored hash. A malformed stored hash never matches, and
/// nor does a password too long to have been set.
pub fn verify(password: &Password, stored_hash: &str) -> bool {
    if check_length(password).is_err() {
        return false;
    }
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
    fn overlong_passwords_are_refused_before_hashing() {
        let at_cap = Password::new("ab cd ".repeat(MAX_LENGTH / 6) + &"x".repeat(MAX_LENGTH % 6));
        assert_eq!(at_cap.expose().chars().count(), MAX_LENGTH);
        assert!(check_length(&at_cap).is_ok());
        let h = hash(&at_cap).unwrap();
        assert!(verify(&at_cap, &h));

        // Multi-byte characters count as one each: 256 "é" are allowed, 257 are not.
        assert!(check_length(&Password::new("é".repeat(MAX_LENGTH))).is_ok());
        let over = Password::new("é".repeat(MAX_LENGTH + 1));
        assert_eq!(check_length(&over), Err(PasswordError::TooLong));
        assert_eq!(hash(&over), Err(PasswordError::TooLong));
        assert_eq!(
            check_strength(&over, &[]),
            Err(PasswordError::TooLong),
            "length is checked before zxcvbn too"
        );
        let huge = Password::new("x".repeat(10 * 1024 * 1024));
        assert_eq!(hash(&huge), Err(PasswordError::TooLong));
        assert!(!verify(&huge, &h));
        assert_eq!(
            PasswordError::TooLong.to_string(),
            "The password must be at most 256 characters long."
        );
        assert_eq!(
            crate::ErrorCode::code(&PasswordError::TooLong),
            "password_too_long"
        );
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let real = hash(&Password::new("violet tractor ocean fern")).unwrap();
        let params = |h: &str| argon2::Params::try_from(&PasswordHash::new(h).unwrap()).unwrap();
        assert_eq!(params(DUMMY_HASH), params(&real));
        assert_eq!(
            PasswordHash::new(DUMMY_HASH).unwrap().algorithm,
            PasswordHash::new(&real).unwrap().algorithm
        );
        assert!(!verify(&Password::new(""), DUMMY_HASH));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let shown = format!("{:?}", Password::new("s3cret-value-here"));
        assert!(!shown.contains("s3cret"));
    }
}
