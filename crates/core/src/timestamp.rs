use chrono::{SecondsFormat, Utc};

/// Now, as stored in the database: RFC 3339 in UTC with milliseconds, so text order is time order.
pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}
