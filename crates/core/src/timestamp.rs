use chrono::{DateTime, SecondsFormat, Utc};

/// Now (the core's clock), as stored in the database: RFC 3339 in UTC with milliseconds,
/// so text order is time order.
pub(crate) fn now() -> String {
    at(crate::clock::now())
}

/// A given time in the database's format (for rules that take "now" from their caller).
pub(crate) fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A stored time back, or None when it is not RFC 3339.
pub(crate) fn parse(stamp: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(stamp)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
