//! Device code sign-ins (OAuth 2.0 device authorization grant, RFC 8628, as Entra runs
//! it): codes handed out, waiting for a user to approve or decline them on the
//! verification page, polled by the client until then.

use rand::distr::{Alphanumeric, SampleString};
use rand::RngExt;
use std::time::{Duration, Instant};

/// The alphabet of user codes: letters and digits, without 0 and 1 that read like O and I.
const USER_CODE_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ23456789";

enum Decision {
    Waiting,
    Approved {
        upn: String,
    },
    Declined,
    /// A token was issued; the code is spent.
    Redeemed,
}

struct DeviceCode {
    device_code: String,
    user_code: String,
    scope: String,
    expires: Instant,
    interval: Duration,
    last_poll: Option<Instant>,
    decision: Decision,
}

impl DeviceCode {
    fn expired(&self, now: Instant) -> bool {
        now >= self.expires
    }
}

/// What one poll of the token endpoint finds.
pub(crate) enum Poll {
    /// Never issued, or already redeemed.
    Unknown,
    Expired,
    TooSoon,
    Declined,
    Waiting,
    /// Approved: the code is now spent. The requested scope comes back for the token.
    Approved {
        upn: String,
        scope: String,
    },
}

/// What the verification page or the handle may refuse.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    UnknownCode,
    ExpiredCode,
    AlreadyUsed,
}

impl Refusal {
    /// Written for the person at the verification page.
    pub(crate) fn message(&self, user_code: &str) -> String {
        match self {
            Refusal::UnknownCode => {
                format!("The code {user_code} is not valid. Check the code and try again.")
            }
            Refusal::ExpiredCode => format!(
                "The code {user_code} has expired. Go back to the app and start signing in again."
            ),
            Refusal::AlreadyUsed => format!("The code {user_code} has already been used."),
        }
    }
}

#[derive(Default)]
pub(crate) struct DeviceCodes {
    /// Kept after expiry and redemption, so a late poll is told why and not just
    /// "unknown"; a sign-in is rare enough that this never grows large.
    codes: Vec<DeviceCode>,
}

impl DeviceCodes {
    /// A new sign-in for `scope`; returns its device code and user code.
    pub(crate) fn begin(
        &mut self,
        scope: &str,
        lifetime: Duration,
        interval: Duration,
    ) -> (String, String) {
        let now = Instant::now();
        let user_code = loop {
            let candidate = new_user_code();
            if !self.codes.iter().any(|c| c.user_code == candidate) {
                break candidate;
            }
        };
        let device_code = Alphanumeric.sample_string(&mut rand::rng(), 96);
        self.codes.push(DeviceCode {
            device_code: device_code.clone(),
            user_code: user_code.clone(),
            scope: scope.to_string(),
            // A lifetime past what the clock holds never ends.
            expires: now
                .checked_add(lifetime)
                .unwrap_or(now + Duration::from_secs(100 * 365 * 86_400)),
            interval,
            last_poll: None,
            decision: Decision::Waiting,
        });
        (device_code, user_code)
    }

    /// One poll by the client. `slow_down` is asked, for a live code only, whether to
    /// answer "too soon" anyway (a seeded fault). Every poll counts as the previous one
    /// for the next poll's interval check.
    pub(crate) fn poll(&mut self, device_code: &str, slow_down: impl FnOnce() -> bool) -> Poll {
        let now = Instant::now();
        let Some(code) = self.codes.iter_mut().find(|c| c.device_code == device_code) else {
            return Poll::Unknown;
        };
        let previous = code.last_poll.replace(now);
        if matches!(code.decision, Decision::Redeemed) {
            return Poll::Unknown;
        }
        if code.expired(now) {
            return Poll::Expired;
        }
        if slow_down() || previous.is_some_and(|at| now.duration_since(at) < code.interval) {
            return Poll::TooSoon;
        }
        match std::mem::replace(&mut code.decision, Decision::Redeemed) {
            Decision::Approved { upn } => Poll::Approved {
                upn,
                scope: code.scope.clone(),
            },
            other => {
                let poll = match other {
                    Decision::Declined => Poll::Declined,
                    _ => Poll::Waiting,
                };
                code.decision = other;
                poll
            }
        }
    }

    /// Whether `user_code` may still be approved or declined; typed by a person, so
    /// case and surrounding spaces do not matter.
    pub(crate) fn check(&self, user_code: &str) -> Result<(), Refusal> {
        let code = self.find(user_code).ok_or(Refusal::UnknownCode)?;
        if code.expired(Instant::now()) {
            return Err(Refusal::ExpiredCode);
        }
        match code.decision {
            Decision::Waiting => Ok(()),
            _ => Err(Refusal::AlreadyUsed),
        }
    }

    pub(crate) fn approve(&mut self, user_code: &str, upn: &str) -> Result<(), Refusal> {
        self.decide(
            user_code,
            Decision::Approved {
                upn: upn.to_string(),
            },
        )
    }

    pub(crate) fn decline(&mut self, user_code: &str) -> Result<(), Refusal> {
        self.decide(user_code, Decision::Declined)
    }

    /// User codes still waiting for a decision and not expired, oldest first.
    pub(crate) fn pending(&self) -> Vec<String> {
        let now = Instant::now();
        self.codes
            .iter()
            .filter(|c| matches!(c.decision, Decision::Waiting) && !c.expired(now))
            .map(|c| c.user_code.clone())
            .collect()
    }

    fn decide(&mut self, user_code: &str, decision: Decision) -> Result<(), Refusal> {
        self.check(user_code)?;
        let wanted = normalize(user_code);
        if let Some(code) = self.codes.iter_mut().find(|c| c.user_code == wanted) {
            code.decision = decision;
        }
        Ok(())
    }

    fn find(&self, user_code: &str) -> Option<&DeviceCode> {
        let wanted = normalize(user_code);
        self.codes.iter().find(|c| c.user_code == wanted)
    }
}

fn normalize(user_code: &str) -> String {
    user_code.trim().to_ascii_uppercase()
}

fn new_user_code() -> String {
    let mut rng = rand::rng();
    (0..8)
        .map(|_| char::from(USER_CODE_ALPHABET[rng.random_range(0..USER_CODE_ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{DeviceCodes, Poll, Refusal};
    use std::time::Duration;

    #[test]
    fn user_codes_are_eight_unambiguous_characters() {
        let mut codes = DeviceCodes::default();
        for _ in 0..200 {
            let (device_code, user_code) =
                codes.begin("s", Duration::from_secs(60), Duration::ZERO);
            assert!(device_code.len() >= 40);
            assert_eq!(user_code.len(), 8);
            assert!(user_code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'9').contains(&b)));
        }
    }

    #[test]
    fn a_decided_code_cannot_be_decided_again() {
        let mut codes = DeviceCodes::default();
        let (_, user_code) = codes.begin("s", Duration::from_secs(60), Duration::ZERO);
        assert_eq!(codes.approve(&user_code.to_lowercase(), "a@b"), Ok(()));
        assert_eq!(codes.decline(&user_code), Err(Refusal::AlreadyUsed));
        assert!(codes.pending().is_empty());
    }

    #[test]
    fn the_interval_counts_from_every_poll() {
        let mut codes = DeviceCodes::default();
        let (device_code, _) = codes.begin("s", Duration::from_secs(60), Duration::from_secs(60));
        assert!(matches!(codes.poll(&device_code, || false), Poll::Waiting));
        assert!(matches!(codes.poll(&device_code, || false), Poll::TooSoon));
    }
}
