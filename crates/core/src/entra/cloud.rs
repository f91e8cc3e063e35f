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
        UsGovDod => "usgov_dod",
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
    #[error("\"{0}\" is not a valid URL.")]
    Invalid(String),
    #[error("\"{0}\" must use https (http is allowed only to this computer, for testing).")]
    NotHttps(String),
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

/// Refuses anything but https, except http to a loopback address (the simulator, tests).
pub fn checked_base(raw: &str) -> Result<String, EndpointError> {
    let url = Url::parse(raw).map_err(|_| EndpointError::Invalid(raw.to_owned()))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => return Err(EndpointError::Invalid(raw.to_owned())),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(EndpointError::NotHttps(raw.to_owned())),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(EndpointError::Invalid(raw.to_owned()));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
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
        assert_eq!(
            Cloud::Custom.endpoints(Some("https://a.example"), None),
            Err(EndpointError::CustomNeedsUrls)
        );
    }
}
