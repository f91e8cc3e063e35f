//! Enums stored as lowercase text in SQLite and spelled the same on the command line,
//! in CSV files and over IPC.

/// A value that is not one of an enum's spellings, e.g. an unknown role in a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown {kind} \"{}\": use {allowed}.", crate::text::excerpt(.value))]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
    pub allowed: &'static str,
}

/// `Variant => "text"` gives a variant its one canonical spelling (stored, serialized,
/// displayed); `Variant => "text" | "other"` also accepts older or alternative spellings on
/// input, from serde and `FromStr` alike.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal, $allowed:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, ts_rs::TS)]
        #[ts(export)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        // Written out rather than derived so aliases need no `#[serde(alias)]`, which
        // ts-rs cannot read and warns about on every build.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                match text.as_str() {
                    $($text $(| $alias)* => Ok($name::$variant),)+
                    other => Err(serde::de::Error::unknown_variant(other, &[$($text),+])),
                }
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::text_enum::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text $(| $alias)* => Ok($name::$variant),)+
                    _ => Err($crate::text_enum::UnknownValue {
                        kind: $kind,
                        value: s.to_owned(),
                        allowed: $allowed,
                    }),
                }
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                v.as_str()?
                    .parse()
                    .map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

pub(crate) use text_enum;
