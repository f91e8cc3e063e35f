//! Which feed a check reads, and what counts as a feed address.

use super::error::UpdateError;
use super::installation::Installation;

pub(super) fn in_use(
    installation: &Installation,
    saved: Option<&str>,
) -> Result<String, UpdateError> {
    let address = installation
        .feed_from_environment
        .as_deref()
        .or(saved)
        .or(installation.built_in_feed.as_deref())
        .ok_or(UpdateError::NoFeed)?;
    checked(address)
}

/// The address as a check will use it. Only https: the feed names the package to install,
/// and its signature alone does not keep a reader from learning what is installed where.
pub(super) fn checked(address: &str) -> Result<String, UpdateError> {
    let url = url::Url::parse(address.trim()).map_err(|_| UpdateError::FeedAddress)?;
    if url.scheme() != "https" || url.host_str().is_none_or(str::is_empty) {
        return Err(UpdateError::FeedAddress);
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn installation(built_in: Option<&str>, environment: Option<&str>) -> Installation {
        Installation {
            version: "1.0.0".into(),
            package: None,
            built_in_feed: built_in.map(Into::into),
            feed_from_environment: environment.map(Into::into),
        }
    }

    #[test]
    fn the_environment_wins_then_the_saved_address_then_the_build() {
        let built = "https://releases.example.com/latest.json";
        let saved = "https://mirror.example.org/uniasset.json";
        let env = "https://127.0.0.1:8443/latest.json";
        let chosen = |env, saved| in_use(&installation(Some(built), env), saved).unwrap();
        assert_eq!(chosen(Some(env), Some(saved)), env);
        assert_eq!(chosen(None, Some(saved)), saved);
        assert_eq!(chosen(None, None), built);
        assert!(matches!(
            in_use(&installation(None, None), None),
            Err(UpdateError::NoFeed)
        ));
    }

    #[test]
    fn only_full_https_addresses_are_feeds() {
        for bad in [
            "http://mirror.example.org/latest.json",
            "mirror.example.org/latest.json",
            "file:///etc/passwd",
            "https://",
            "",
        ] {
            assert!(
                matches!(checked(bad), Err(UpdateError::FeedAddress)),
                "{bad:?} was taken"
            );
        }
        assert_eq!(
            checked("  https://Mirror.example.org/u/latest.json ").unwrap(),
            "https://mirror.example.org/u/latest.json"
        );
    }
}
