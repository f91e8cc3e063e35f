//! `$search` on `/users`, as Graph runs it on directory objects: `"property:text"` clauses
//! joined by `OR` or `AND` (each query one or the other here). `displayName` is searched
//! by tokens: the name and the text are split at spaces, symbols, a lowercase letter
//! followed by an uppercase one, and between letters and digits, and every token of the
//! text must start a token of the name, ignoring case, in any order ("ad va" finds "Adele
//! Vance"). `mail` and `userPrincipalName` use `startswith` on the whole value, as Graph
//! does for properties other than displayName and description. Graph's joining of words
//! separated only by symbols ("helloworld" finding "hello-world") is left out.

use crate::user::User;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Term {
    /// Lowercased tokens, each of which must start a token of the display name.
    DisplayName(Vec<String>),
    /// Lowercased prefixes.
    Mail(String),
    UserPrincipalName(String),
}

impl Term {
    fn matches(&self, user: &User) -> bool {
        match self {
            Term::DisplayName(wanted) => {
                let tokens = tokens(&user.display_name);
                wanted
                    .iter()
                    .all(|w| tokens.iter().any(|t| t.starts_with(w.as_str())))
            }
            Term::Mail(prefix) => user
                .mail
                .as_ref()
                .is_some_and(|m| m.to_lowercase().starts_with(prefix.as_str())),
            Term::UserPrincipalName(prefix) => user
                .user_principal_name
                .to_lowercase()
                .starts_with(prefix.as_str()),
        }
    }
}

/// A parsed `$search`; the default (none given) matches everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Search {
    terms: Vec<Term>,
    /// `AND` between the terms; `OR` otherwise.
    all: bool,
}

impl Search {
    pub(crate) fn matches(&self, user: &User) -> bool {
        if self.terms.is_empty() {
            return true;
        }
        if self.all {
            self.terms.iter().all(|t| t.matches(user))
        } else {
            self.terms.iter().any(|t| t.matches(user))
        }
    }
}

/// Parses a `$search` value; the error is the message of Graph's 400.
pub(crate) fn parse(raw: &str) -> Result<Search, String> {
    let invalid = || format!("Syntax error: the $search value '{raw}' is not valid.");
    let mut rest = raw.trim();
    let mut terms = Vec::new();
    let mut joiner: Option<bool> = None;
    loop {
        let body = rest.strip_prefix('"').ok_or_else(invalid)?;
        let end = body.find('"').ok_or_else(invalid)?;
        terms.push(term(&body[..end])?);
        rest = body[end + 1..].trim_start();
        if rest.is_empty() {
            return Ok(Search {
                terms,
                all: joiner.unwrap_or(false),
            });
        }
        let (word, after) = rest.split_once(char::is_whitespace).ok_or_else(invalid)?;
        let all = match word {
            "AND" => true,
            "OR" => false,
            _ => return Err(invalid()),
        };
        if joiner.is_some_and(|j| j != all) {
            return Err(invalid());
        }
        joiner = Some(all);
        rest = after.trim_start();
    }
}

fn term(clause: &str) -> Result<Term, String> {
    let (property, text) = clause
        .split_once(':')
        .ok_or_else(|| format!("Syntax error: '{clause}' does not name a property."))?;
    let text = text.to_lowercase();
    if property.eq_ignore_ascii_case("displayName") {
        Ok(Term::DisplayName(tokens(&text)))
    } else if property.eq_ignore_ascii_case("mail") {
        Ok(Term::Mail(text))
    } else if property.eq_ignore_ascii_case("userPrincipalName") {
        Ok(Term::UserPrincipalName(text))
    } else {
        Err(format!(
            "Unsupported property '{property}' in $search on microsoft.graph.user."
        ))
    }
}

/// The lowercased words of `text`, split as Graph's tokenizer does (see the module docs).
fn tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            previous = None;
            continue;
        }
        let boundary = previous.is_some_and(|p| {
            (p.is_lowercase() && c.is_uppercase()) || (p.is_numeric() != c.is_numeric())
        });
        if boundary && !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
        previous = Some(c);
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::{parse, tokens, Term};

    #[test]
    fn names_split_at_spaces_symbols_case_and_digits() {
        assert_eq!(tokens("Adele Vance"), ["adele", "vance"]);
        assert_eq!(tokens("helloWORLD"), ["hello", "world"]);
        assert_eq!(tokens("HELLOworld"), ["helloworld"]);
        assert_eq!(tokens("hello.world"), ["hello", "world"]);
        assert_eq!(tokens("hello123world"), ["hello", "123", "world"]);
        assert_eq!(tokens("李四(David Li)"), ["李四", "david", "li"]);
    }

    #[test]
    fn parses_quoted_clauses_joined_by_or_or_and() {
        let search = parse(r#""displayName:Ad Va" OR "mail:ADELE@""#).unwrap();
        assert_eq!(
            search.terms,
            [
                Term::DisplayName(vec!["ad".into(), "va".into()]),
                Term::Mail("adele@".into())
            ]
        );
        assert!(!search.all);
        assert!(
            parse(r#""displayName:a" AND "userPrincipalName:b""#)
                .unwrap()
                .all
        );
        for bad in [
            "displayName:a",
            r#""displayName:a"#,
            r#""displayName:a" or "mail:b""#,
            r#""displayName:a" OR "mail:b" AND "mail:c""#,
            r#""jobTitle:boss""#,
            r#""nothing""#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
