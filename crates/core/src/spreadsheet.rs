//! Cells for files people open in a spreadsheet (R-D9). Names and details are typed by people and
//! imported from files, so a cell could start a formula ("=HYPERLINK(…)") that the
//! spreadsheet would run on opening: every CSV UniAsset writes passes its cells through here.
//! A cell never carries a control character either (R-X3): rows stored before that rule may.

use std::borrow::Cow;

/// The first characters that make Excel, LibreOffice or Google Sheets read a cell as a
/// formula (tab and carriage return are stripped before that check by some of them).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `s`, prefixed with `'` when it would otherwise be read as a formula, so the spreadsheet
/// shows it as the text it is, with its control characters replaced by spaces.
pub fn safe_cell(s: &str) -> Cow<'_, str> {
    let clean = crate::text::replace_controls(s);
    if s.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{clean}"))
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_formula_start_is_made_text() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1+1", "' =1+1"),
            ("\r=1+1", "' =1+1"),
        ] {
            let out = safe_cell(cell);
            assert!(matches!(out, Cow::Owned(_)), "{cell:?}");
            assert_eq!(out, safe, "{cell:?}");
        }
    }

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(safe_cell("Ann\u{1b}[31m\r\nBcc"), "Ann [31m  Bcc");
    }

    #[test]
    fn harmless_text_is_left_alone() {
        for cell in [
            "",
            "Olivia Owner <olivia@northwind.example>",
            "2024-05-01T03:00:00.000Z",
            "user.deactivated",
            "a = b",
            "'quoted",
            " =leading space",
            "Ärger",
        ] {
            let out = safe_cell(cell);
            assert!(matches!(out, Cow::Borrowed(_)), "{cell:?}");
            assert_eq!(out, cell);
        }
    }
}
