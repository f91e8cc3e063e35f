//! The `$filter` subset the app uses on `/users`: `eq` clauses on `accountEnabled`,
//! `userType`, `userPrincipalName` and `mail` (all supported by default, without
//! `ConsistencyLevel`), joined by `and` and `or` (`and` binding tighter, as in OData).

use crate::user::User;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Clause {
    AccountEnabled(bool),
    /// `userType eq 'Guest'` when true, `'Member'` when false.
    Guest(bool),
    /// Lowercased: Graph compares these strings case-insensitively.
    UserPrincipalName(String),
    Mail(String),
}

/// Alternatives (joined by `or`), each a set of clauses that must all hold (joined by
/// `and`). Empty: no filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Filter(Vec<Vec<Clause>>);

impl Filter {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn alternatives(&self) -> &[Vec<Clause>] {
        &self.0
    }

    pub(crate) fn matches(&self, user: &User) -> bool {
        self.0.is_empty() || self.0.iter().any(|all| all.iter().all(|c| c.matches(user)))
    }
}

impl Clause {
    pub(crate) fn matches(&self, user: &User) -> bool {
        match self {
            Clause::AccountEnabled(enabled) => user.enabled == *enabled,
            Clause::Guest(guest) => user.guest == *guest,
            Clause::UserPrincipalName(upn) => user.user_principal_name.to_lowercase() == *upn,
            Clause::Mail(mail) => user
                .mail
                .as_ref()
                .is_some_and(|m| m.to_lowercase() == *mail),
        }
    }
}

/// Parses a filter. The error is Graph's message for a query it cannot run.
pub(crate) fn parse(filter: &str) -> Result<Filter, String> {
    let mut scanner = Scanner { rest: filter };
    let mut alternatives = vec![vec![scanner.clause()?]];
    loop {
        scanner.skip_spaces();
        if scanner.rest.is_empty() {
            return Ok(Filter(alternatives));
        }
        let joiner = scanner.word().to_ascii_lowercase();
        let clause = scanner.clause()?;
        match joiner.as_str() {
            "and" => alternatives
                .last_mut()
                .expect("at least one alternative")
                .push(clause),
            "or" => alternatives.push(vec![clause]),
            _ => return Err(unsupported()),
        }
    }
}

struct Scanner<'a> {
    rest: &'a str,
}

fn unsupported() -> String {
    "Unsupported or invalid query filter clause specified.".to_string()
}

impl Scanner<'_> {
    fn skip_spaces(&mut self) {
        self.rest = self.rest.trim_start();
    }

    /// A property name, keyword or boolean literal.
    fn word(&mut self) -> &str {
        self.skip_spaces();
        let end = self
            .rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(self.rest.len());
        let (word, rest) = self.rest.split_at(end);
        self.rest = rest;
        word
    }

    fn keyword(&mut self, keyword: &str) -> Result<(), String> {
        if self.word().eq_ignore_ascii_case(keyword) {
            Ok(())
        } else {
            Err(unsupported())
        }
    }

    fn clause(&mut self) -> Result<Clause, String> {
        let property = self.word().to_string();
        self.keyword("eq")?;
        self.skip_spaces();
        if property.eq_ignore_ascii_case("accountEnabled") {
            let value = self.word();
            if value.eq_ignore_ascii_case("true") {
                Ok(Clause::AccountEnabled(true))
            } else if value.eq_ignore_ascii_case("false") {
                Ok(Clause::AccountEnabled(false))
            } else {
                Err(unsupported())
            }
        } else if property.eq_ignore_ascii_case("userType") {
            let value = self.quoted()?;
            if value.eq_ignore_ascii_case("Guest") {
                Ok(Clause::Guest(true))
            } else if value.eq_ignore_ascii_case("Member") {
                Ok(Clause::Guest(false))
            } else {
                Err(unsupported())
            }
        } else if property.eq_ignore_ascii_case("userPrincipalName") {
            Ok(Clause::UserPrincipalName(self.quoted()?.to_lowercase()))
        } else if property.eq_ignore_ascii_case("mail") {
            Ok(Clause::Mail(self.quoted()?.to_lowercase()))
        } else {
            Err(unsupported())
        }
    }

    /// A single-quoted OData string literal, where `''` stands for one quote.
    fn quoted(&mut self) -> Result<String, String> {
        let mut rest = self.rest.strip_prefix('\'').ok_or_else(unsupported)?;
        let mut value = String::new();
        loop {
            let end = rest.find('\'').ok_or_else(unsupported)?;
            value.push_str(&rest[..end]);
            rest = &rest[end + 1..];
            match rest.strip_prefix('\'') {
                Some(after) => {
                    value.push('\'');
                    rest = after;
                }
                None => {
                    self.rest = rest;
                    return Ok(value);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, Clause, Filter};

    #[test]
    fn parses_eq_clauses_joined_by_and_and_or() {
        assert_eq!(
            parse("accountEnabled eq false").unwrap(),
            Filter(vec![vec![Clause::AccountEnabled(false)]])
        );
        assert_eq!(
            parse("userPrincipalName eq 'O''Brien@X.com' or  mail eq 'a or b'").unwrap(),
            Filter(vec![
                vec![Clause::UserPrincipalName("o'brien@x.com".into())],
                vec![Clause::Mail("a or b".into())]
            ])
        );
        assert_eq!(
            parse("accountEnabled eq true AND userType eq 'member' or userType eq 'Guest'")
                .unwrap(),
            Filter(vec![
                vec![Clause::AccountEnabled(true), Clause::Guest(false)],
                vec![Clause::Guest(true)]
            ])
        );
    }

    #[test]
    fn refuses_what_it_cannot_run() {
        for filter in [
            "",
            "accountEnabled eq 'true'",
            "mail eq 'a' nor mail eq 'b'",
            "userType eq 'Alien'",
            "userType eq Member",
            "mail ne 'a'",
            "mail eq 'a' or",
            "displayName eq 'a'",
            "mail eq 'open",
        ] {
            assert!(parse(filter).is_err(), "{filter}");
        }
    }
}
