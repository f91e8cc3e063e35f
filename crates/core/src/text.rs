//! Clean text in and out (R-X3). Control characters — C0 (NUL, TAB, LF, CR, ESC, …), DEL and
//! C1 — are refused where people type or import text, replaced by a space where text arrives
//! from Microsoft, and replaced again wherever text leaves for a terminal, a CSV file, an email
//! or a notification, since rows stored before this rule may still hold them. An error repeats
//! at most `ECHO` characters of what was entered.

use std::borrow::Cow;

/// How many characters of an entered value an error message repeats.
pub const ECHO: usize = 80;

/// A control character in text that may not hold one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {field} contains a control character ({}) at character {position}; remove it and try again", char_name(*.found))]
pub struct ControlCharacter {
    /// What holds it, as the message names it: "name", "column \"email\"".
    pub field: String,
    pub found: char,
    /// Counted in characters from 1.
    pub position: usize,
}

/// `text` when it holds no control character.
pub fn refuse_controls(field: &str, text: &str) -> Result<(), ControlCharacter> {
    refuse(field, text, |_| false)
}

/// As `refuse_controls`, but line breaks (LF) and tabs pass: for multi-line notes, which a
/// text area sends with LF only.
pub fn refuse_controls_in_notes(field: &str, text: &str) -> Result<(), ControlCharacter> {
    refuse(field, text, |c| matches!(c, '\n' | '\t'))
}

fn refuse(field: &str, text: &str, allowed: fn(char) -> bool) -> Result<(), ControlCharacter> {
    match text
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !allowed(*c))
    {
        None => Ok(()),
        Some((at, found)) => Err(ControlCharacter {
            field: field.to_owned(),
            found,
            position: at + 1,
        }),
    }
}

/// Whether `text` holds a control character.
pub fn has_controls(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// `text` with every control character replaced by a space.
pub fn replace_controls(text: &str) -> Cow<'_, str> {
    replace(text, |_| false)
}

/// `text` with every control character but LF replaced by a space: for text made of lines
/// (a command's output, an email body) whose values were cleaned one by one.
pub fn replace_controls_but_lines(text: &str) -> Cow<'_, str> {
    replace(text, |c| c == '\n')
}

fn replace(text: &str, kept: fn(char) -> bool) -> Cow<'_, str> {
    if text.chars().any(|c| c.is_control() && !kept(c)) {
        Cow::Owned(
            text.chars()
                .map(|c| if c.is_control() && !kept(c) { ' ' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// What an error repeats of an entered value: its first `ECHO` characters, controls
/// replaced, and "…" when there was more.
pub fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let mut shown: String = chars
        .by_ref()
        .take(ECHO)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if chars.next().is_some() {
        shown.push('…');
    }
    shown
}

/// A clause such as `ControlCharacter`'s, as a sentence of its own: capital, full stop.
pub fn sentence(clause: &impl std::fmt::Display) -> String {
    let clause = clause.to_string();
    let mut chars = clause.chars();
    let mut text: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    text.push('.');
    text
}

/// "U+001B, escape": the code point, and a name for the usual ones.
fn char_name(c: char) -> String {
    let name = match c {
        '\0' => ", null",
        '\t' => ", tab",
        '\n' => ", line feed",
        '\r' => ", carriage return",
        '\u{1b}' => ", escape",
        '\u{7f}' => ", delete",
        _ => "",
    };
    format!("U+{:04X}{name}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c0_del_and_c1_are_controls_and_nothing_else() {
        for c in [
            '\0', '\t', '\n', '\r', '\u{1b}', '\u{1f}', '\u{7f}', '\u{80}', '\u{9f}',
        ] {
            assert!(refuse_controls("name", &format!("a{c}b")).is_err(), "{c:?}");
        }
        for text in ["Ann Lee", "Zoë Ärger", "李雷", "a\u{a0}b", "🙂"] {
            assert_eq!(refuse_controls("name", text), Ok(()));
        }
    }

    #[test]
    fn the_refusal_names_the_field_the_character_and_where() {
        let e = refuse_controls("name", "Ann\u{1b}[2J").unwrap_err();
        assert_eq!(e.position, 4);
        assert_eq!(
            e.to_string(),
            "the name contains a control character (U+001B, escape) at character 4; remove it and try again"
        );
    }

    #[test]
    fn notes_keep_lines_and_tabs_only() {
        assert_eq!(refuse_controls_in_notes("note", "a\n\tb"), Ok(()));
        assert!(refuse_controls_in_notes("note", "a\r\nb").is_err());
        assert!(refuse_controls_in_notes("note", "a\u{1b}b").is_err());
    }

    #[test]
    fn replacing_leaves_clean_text_borrowed() {
        assert!(matches!(replace_controls("Ann"), Cow::Borrowed("Ann")));
        assert_eq!(replace_controls("A\r\nBcc: x\u{0}"), "A  Bcc: x ");
        assert_eq!(replace_controls_but_lines("a\nb\u{1b}c\r"), "a\nb c ");
    }

    #[test]
    fn excerpts_are_short_and_say_when_cut() {
        assert_eq!(excerpt("short\u{7}"), "short ");
        let long = "é".repeat(1_000_000);
        let shown = excerpt(&long);
        assert_eq!(shown.chars().count(), ECHO + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(excerpt(&"x".repeat(ECHO)), "x".repeat(ECHO));
    }
}
