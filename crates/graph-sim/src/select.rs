//! `$select` over the user properties the simulator knows.

use crate::user::User;
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Property {
    Id,
    AccountEnabled,
    UserPrincipalName,
    Mail,
    DisplayName,
    UserType,
    CreatedDateTime,
}

const ALL: [Property; 7] = [
    Property::Id,
    Property::AccountEnabled,
    Property::UserPrincipalName,
    Property::Mail,
    Property::DisplayName,
    Property::UserType,
    Property::CreatedDateTime,
];

/// Real Graph's default set for users leaves out `accountEnabled`, `userType` and
/// `createdDateTime`; clients that forget `$select` must see that, as in production.
const DEFAULT: [Property; 4] = [
    Property::Id,
    Property::DisplayName,
    Property::UserPrincipalName,
    Property::Mail,
];

impl Property {
    fn name(self) -> &'static str {
        match self {
            Property::Id => "id",
            Property::AccountEnabled => "accountEnabled",
            Property::UserPrincipalName => "userPrincipalName",
            Property::Mail => "mail",
            Property::DisplayName => "displayName",
            Property::UserType => "userType",
            Property::CreatedDateTime => "createdDateTime",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Property::Id => 1,
            Property::AccountEnabled => 2,
            Property::UserPrincipalName => 4,
            Property::Mail => 8,
            Property::DisplayName => 16,
            Property::UserType => 32,
            Property::CreatedDateTime => 64,
        }
    }

    fn value(self, user: &User) -> Value {
        match self {
            Property::Id => Value::from(user.id.as_str()),
            Property::AccountEnabled => Value::from(user.enabled),
            Property::UserPrincipalName => Value::from(user.user_principal_name.as_str()),
            Property::Mail => user.mail.as_deref().map_or(Value::Null, Value::from),
            Property::DisplayName => Value::from(user.display_name.as_str()),
            Property::UserType => Value::from(if user.guest { "Guest" } else { "Member" }),
            Property::CreatedDateTime => {
                Value::from(user.created.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            }
        }
    }
}

/// The properties to return, in the order the client listed them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Select {
    properties: Vec<Property>,
    explicit: bool,
}

impl Default for Select {
    fn default() -> Self {
        Select {
            properties: DEFAULT.to_vec(),
            explicit: false,
        }
    }
}

impl Select {
    /// Parses a `$select` value; `None` means "not given". Names match case-insensitively,
    /// as Graph accepts; an unknown name is the error (Graph answers 400 for it).
    pub(crate) fn parse(raw: Option<&str>) -> Result<Select, String> {
        let Some(raw) = raw else {
            return Ok(Select::default());
        };
        let mut properties = Vec::new();
        for name in raw.split(',').map(str::trim) {
            let property = ALL
                .into_iter()
                .find(|p| p.name().eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    format!(
                        "Could not find a property named '{name}' on type 'microsoft.graph.user'."
                    )
                })?;
            if !properties.contains(&property) {
                properties.push(property);
            }
        }
        Ok(Select {
            properties,
            explicit: true,
        })
    }

    /// The `$select` value to repeat in a fresh URL, or `None` for the default set.
    pub(crate) fn query_value(&self) -> Option<String> {
        self.explicit.then(|| {
            let names: Vec<&str> = self.properties.iter().map(|p| p.name()).collect();
            names.join(",")
        })
    }

    /// `@odata.context` for a collection of users with this selection.
    pub(crate) fn context(&self, base_url: &str) -> String {
        match self.query_value() {
            Some(names) => format!("{base_url}/v1.0/$metadata#users({names})"),
            None => format!("{base_url}/v1.0/$metadata#users"),
        }
    }

    pub(crate) fn render(&self, user: &User) -> Map<String, Value> {
        self.properties
            .iter()
            .map(|p| (p.name().to_string(), p.value(user)))
            .collect()
    }

    /// Packs the selection into a byte, for delta tokens (Graph fixes `$select` into the
    /// token). Order is not kept: the canonical order is good enough for later pages.
    pub(crate) fn to_bits(&self) -> u8 {
        if !self.explicit {
            return 0;
        }
        self.properties.iter().fold(0, |bits, p| bits | p.bit())
    }

    pub(crate) fn from_bits(bits: u8) -> Select {
        if bits == 0 {
            return Select::default();
        }
        Select {
            properties: ALL.into_iter().filter(|p| bits & p.bit() != 0).collect(),
            explicit: true,
        }
    }
}
