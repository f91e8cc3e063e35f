//! Opaque `$skiptoken` and `$deltatoken` values. Clients must treat them as opaque, so
//! a fixed-width hex packing of a few numbers is enough; nothing needs storing
//! server-side, and any number of clients can page at once.

pub(crate) fn encode(fields: &[u64]) -> String {
    fields.iter().map(|f| format!("{f:016x}")).collect()
}

/// The `count` numbers packed in `token`, or `None` when it is not a token of that shape.
pub(crate) fn decode(token: &str, count: usize) -> Option<Vec<u64>> {
    if token.len() != count * 16 || !token.is_ascii() {
        return None;
    }
    (0..count)
        .map(|i| u64::from_str_radix(&token[i * 16..(i + 1) * 16], 16).ok())
        .collect()
}
