//! Microsoft's national clouds and custom endpoints (R-E1), and the rule that endpoints are
//! https, or http only to this computer (R-E4).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::text_enum::text_enum;

text_enum! {
    /// Which Microsoft cloud the tenant lives in; tokens do not cross clouds.
    Cloud, "cloud", "global, usgov, usgov_dod, china or custom" {
        Global => "global",
        UsGov => "usgov",
        // Stored and sent over IPC as "usgov_dod"; the command line spells it "usgov-dod".
        UsGovDod => "usgov_dod" | "usgov-dod",
        China => "china",
        Custom => "custom",
    }
}

/// The sign-in (token) and Microsoft Graph base URLs, without trailing slashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Endpoints {
    pub login_url: String,
    pub graph_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("A custom cloud needs both a sign-in URL and a Graph URL.")]
    CustomNeedsUrls,
    #[error("\"{}\" is not a valid URL.", crate::text::excerpt(.0))]
    Invalid(String),
    #[error("\"{}\" must use https (http is allowed only to this computer, for testing).", crate::text::excerpt(.0))]
    NotHttps(String),
    /// The URL is shown without its user name and password.
    #[error("\"{}\" carries a user name or password. Enter the plain address: UniAsset signs in with the client secret only, and would otherwise send these details to every request.", crate::text::excerpt(.0))]
    HasCredentials(String),
}

impl Cloud {
    /// The documented endpoints of a national cloud; `None` for a custom one.
    pub fn preset(self) -> Option<Endpoints> {
        let (login, graph) = match self {
            Cloud::Global => (
                "https://login.microsoftonline.com",
                "https://graph.microsoft.com",
            ),
            Cloud::UsGov => (
                "https://login.microsoftonline.us",
                "https://graph.microsoft.us",
            ),
            Cloud::UsGovDod => (
                "https://login.microsoftonline.us",
                "https://dod-graph.microsoft.us",
            ),
            Cloud::China => (
                "https://login.chinacloudapi.cn",
                "https://microsoftgraph.chinacloudapi.cn",
            ),
            Cloud::Custom => return None,
        };
        Some(Endpoints {
            login_url: login.to_owned(),
            graph_url: graph.to_owned(),
        })
    }

    /// App registrations in the cloud's Microsoft Entra admin center, where the guided setup
    /// sends the administrator (a custom cloud's portal is unknown: the global one).
    pub fn app_registrations_url(self) -> &'static str {
        match self {
            Cloud::UsGov | Cloud::UsGovDod => "https://entra.microsoft.us/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade",
            Cloud::China => "https://entra.microsoftonline.cn/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade",
            Cloud::Global | Cloud::Custom => "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade",
        }
    }

    /// The endpoints to use: the preset, or the custom URLs checked against R-E4.
    pub fn endpoints(
        self,
        login_url: Option<&str>,
        graph_url: Option<&str>,
    ) -> Result<Endpoints, EndpointError> {
        if let Some(preset) = self.preset() {
            return Ok(preset);
        }
        let (Some(login), Some(graph)) = (
            login_url.map(str::trim).filter(|s| !s.is_empty()),
            graph_url.map(str::trim).filter(|s| !s.is_empty()),
        ) else {
            return Err(EndpointError::CustomNeedsUrls);
        };
        Ok(Endpoints {
            login_url: checked_base(login)?,
            graph_url: checked_base(graph)?,
        })
    }
}

/// Refuses anything but https, except http to a loopback address (the simulator, tests),
/// and any URL with a user name or password in it.
pub fn checked_base(raw: &str) -> Result<String, EndpointError> {
    // An unparsable URL is not echoed if it looks like it carries credentials.
    let shown = || {
        if raw.contains('@') {
            "(a URL with an @ in it)".to_owned()
        } else {
            raw.to_owned()
        }
    };
    let mut url = Url::parse(raw).map_err(|_| EndpointError::Invalid(shown()))?;
    if !url.username().is_empty() || url.password().is_some() {
        // Shown without the credentials: the message may end up in a log or a screenshot.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        return Err(EndpointError::HasCredentials(url.to_string()));
    }
    let Some(loopback) = loopback_host(&url) else {
        return Err(EndpointError::Invalid(raw.to_owned()));
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(EndpointError::NotHttps(raw.to_owned())),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(EndpointError::Invalid(raw.to_owned()));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Plain http to this computer (the simulator): such requests never go through a proxy,
/// which could not reach this computer's loopback anyway. https follows the system's
/// proxy settings.
pub(crate) fn is_loopback_http(base: &str) -> bool {
    Url::parse(base).is_ok_and(|url| url.scheme() == "http" && loopback_host(&url) == Some(true))
}

/// Whether the URL's host is this computer; `None` when it has no host.
fn loopback_host(url: &Url) -> Option<bool> {
    Some(match url.host()? {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => IpAddr::V4(ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(ip).is_loopback(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_the_documented_hosts() {
        let dod = Cloud::UsGovDod.endpoints(None, None).unwrap();
        assert_eq!(dod.graph_url, "https://dod-graph.microsoft.us");
        assert_eq!(
            Cloud::Global.preset().unwrap().login_url,
            "https://login.microsoftonline.com"
        );
    }

    #[test]
    fn custom_endpoints_must_be_https_or_loopback_http() {
        let ok = Cloud::Custom
            .endpoints(
                Some("http://127.0.0.1:8080/"),
                Some("https://graph.example.com"),
            )
            .unwrap();
        assert_eq!(ok.login_url, "http://127.0.0.1:8080");
        assert!(checked_base("http://[::1]:9/").is_ok());
        assert!(checked_base("http://localhost:9").is_ok());
        assert_eq!(
            checked_base("http://graph.example.com"),
            Err(EndpointError::NotHttps("http://graph.example.com".into()))
        );
        assert_eq!(
            checked_base("ftp://127.0.0.1"),
            Err(EndpointError::NotHttps("ftp://127.0.0.1".into()))
        );
        assert!(checked_base("not a url").is_err());
        assert!(checked_base("https://graph.example.com?x=1").is_err());
        assert_eq!(
            Cloud::Custom.endpoints(Some("https://a.example"), None),
            Err(EndpointError::CustomNeedsUrls)
        );
    }

    #[test]
    fn urls_with_credentials_are_refused_without_echoing_them() {
        for raw in [
            "https://user:pw@graph.example.com",
            "https://user@graph.example.com/",
            "https://:pw@graph.example.com",
            "http://admin:pw@127.0.0.1:8080",
        ] {
            let err = checked_base(raw).unwrap_err();
            assert!(
                matches!(err, EndpointError::HasCredentials(_)),
                "{raw}: {err:?}"
            );
            let message = err.to_string();
            assert!(!message.contains("pw"), "{message}");
            assert!(
                !message.contains("user@") && !message.contains("admin"),
                "{message}"
            );
        }
        assert_eq!(
            Cloud::Custom.endpoints(Some("https://a:b@login.example"), Some("https://g.example")),
            Err(EndpointError::HasCredentials(
                "https://login.example/".into()
            ))
        );
    }

    #[test]
    fn only_plain_http_to_this_computer_skips_the_proxy() {
        assert!(is_loopback_http("http://127.0.0.1:8080"));
        assert!(is_loopback_http("http://[::1]:9"));
        assert!(is_loopback_http("http://LOCALHOST:9"));
        assert!(!is_loopback_http("https://127.0.0.1:8080"));
        assert!(!is_loopback_http("https://graph.microsoft.com"));
        assert!(!is_loopback_http("http://graph.example.com"));
        assert!(!is_loopback_http("not a url"));
    }

    #[test]
    fn dod_is_stored_with_an_underscore_and_read_either_way() {
        assert_eq!(Cloud::UsGovDod.as_str(), "usgov_dod");
        assert_eq!(
            serde_json::to_string(&Cloud::UsGovDod).unwrap(),
            "\"usgov_dod\""
        );
        for spelling in ["usgov_dod", "usgov-dod", "USGOV-DOD"] {
            assert_eq!(spelling.parse::<Cloud>(), Ok(Cloud::UsGovDod), "{spelling}");
        }
        for json in ["\"usgov_dod\"", "\"usgov-dod\""] {
            assert_eq!(
                serde_json::from_str::<Cloud>(json).unwrap(),
                Cloud::UsGovDod
            );
        }
        assert!(serde_json::from_str::<Cloud>("\"usgov dod\"").is_err());
        assert_eq!(Cloud::ALL.len(), 5, "an alias is not another cloud");
    }
}
