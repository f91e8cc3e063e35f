//! Every core error has a stable, machine-readable code beside its message for the
//! administrator; the shell and the CLI pass both on and never re-word the message.

pub trait ErrorCode: std::error::Error {
    fn code(&self) -> &'static str;
}

/// An error as the window and `--json` output receive it: the stable code and the
/// administrator's message, nothing else (never a secret, never a debug dump).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ErrorReport {
    pub code: String,
    pub message: String,
}

impl<E: ErrorCode> From<E> for ErrorReport {
    fn from(e: E) -> Self {
        ErrorReport {
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}
