//! OData query options: decoding them, and re-encoding them into absolute next links.

use crate::reply::{GraphError, RequestIds};
use crate::state::{lock, Shared};
use axum::http::StatusCode;
/// The query string's pairs, decoded, in the order the client sent them.
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Decodes `raw` and refuses any `$` option outside `allowed`: a silently ignored
    /// option would hide a client bug that real Graph would surface.
    pub(crate) fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Query, String> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|_| "The query string could not be parsed.".to_string())?;
        if let Some((name, _)) = pairs.iter().find(|(name, _)| {
            name.starts_with('$') && !allowed.iter().any(|a| a.eq_ignore_ascii_case(name))
        }) {
            return Err(format!("Query option '{name}' is not supported."));
        }
        Ok(Query { pairs })
    }

    /// An option's value; OData option names are matched case-insensitively.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The query string with `name` set to `value` and every other option kept, for
    /// `@odata.nextLink`.
    pub(crate) fn with(&self, name: &str, value: &str) -> String {
        let kept = self
            .pairs
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case(name))
            .map(|(n, v)| (n.as_str(), v.as_str()));
        let pairs: Vec<String> = kept
            .chain([(name, value)])
            .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
            .collect();
        pairs.join("&")
    }
}

/// A listing of applications or service principals: its query (`$filter`, `$select`) and the
/// one filter the simulator runs on them, `appId eq '{guid}'` (`None` without a filter).
pub(crate) fn app_listing(
    ids: &RequestIds,
    raw: Option<&str>,
) -> Result<(Query, Option<String>), GraphError> {
    let query = Query::parse(raw, &["$filter", "$select"])
        .map_err(|message| super::body::bad_request(ids, &message))?;
    let Some(filter) = query.get("$filter") else {
        return Ok((query, None));
    };
    let unsupported = || {
        ids.refuse(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            &format!("The simulator supports only $filter=appId eq '<guid>', not: {filter}"),
        )
    };
    let mut words = filter.split_whitespace();
    let app_id = match (words.next(), words.next(), words.next(), words.next()) {
        (Some(property), Some(op), Some(value), None)
            if property.eq_ignore_ascii_case("appId") && op.eq_ignore_ascii_case("eq") =>
        {
            value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .ok_or_else(unsupported)?
                .to_string()
        }
        _ => return Err(unsupported()),
    };
    Ok((query, Some(app_id)))
}

/// Keeps only the properties `$select` names (case-insensitive), as Graph does; all
/// without `$select`.
pub(crate) fn project(object: serde_json::Value, query: &Query) -> serde_json::Value {
    let (Some(select), serde_json::Value::Object(map)) = (query.get("$select"), &object) else {
        return object;
    };
    let wanted: Vec<&str> = select.split(',').map(str::trim).collect();
    let kept = map
        .iter()
        .filter(|(name, _)| wanted.iter().any(|w| w.eq_ignore_ascii_case(name)))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    serde_json::Value::Object(kept)
}

/// Percent-encodes a query component, leaving the characters Graph's own links show
/// literally (`$select=id,accountEnabled`) readable.
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~$,'()*:@/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// With `self_linking_pages` on, the link back to the page being served (the request's
/// own URL), for its `@odata.nextLink`.
pub(crate) fn self_link(shared: &Shared, path: &str, raw_query: Option<&str>) -> Option<String> {
    if !lock(&shared.faults).faults().self_linking_pages {
        return None;
    }
    let query = raw_query.map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("{}{path}{query}", shared.base_url))
}
