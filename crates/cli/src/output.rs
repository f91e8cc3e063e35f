//! Printing results: text for people by default, JSON with `--json`. Text reaches the
//! terminal without control characters but its line breaks (R-X3): a name stored before
//! they were refused could otherwise carry escape sequences. JSON escapes them itself.

use std::io::Write;

use serde::Serialize;
use uniasset_core::text::{replace_controls, replace_controls_but_lines};
use uniasset_core::{ErrorCode, ErrorReport};

/// What a command produced: the same facts for scripts and for people.
pub struct Done {
    pub json: serde_json::Value,
    pub text: String,
}

impl Done {
    pub fn new(value: &impl Serialize, text: impl Into<String>) -> Done {
        Done {
            json: serde_json::to_value(value).expect("command results serialize"),
            text: text.into(),
        }
    }
}

/// A failed command. Usage failures (bad arguments clap could not catch) exit 2.
pub struct Failure {
    pub report: ErrorReport,
    pub usage: bool,
    /// What the command did produce before failing (a failed sync's run record).
    pub output: Option<Done>,
}

impl Failure {
    pub fn new(code: &str, message: impl Into<String>) -> Failure {
        Failure {
            report: ErrorReport {
                code: code.into(),
                message: message.into(),
            },
            usage: false,
            output: None,
        }
    }

    /// A command that finished but whose outcome is a failure: print its output, exit 1.
    pub fn with_output(output: Done, code: &str) -> Failure {
        Failure {
            output: Some(output),
            ..Failure::new(code, "")
        }
    }

    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            usage: true,
            ..Failure::new("usage", message)
        }
    }

    pub fn exit_code(&self) -> u8 {
        if self.usage {
            2
        } else {
            1
        }
    }
}

impl<E: ErrorCode> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure {
            report: ErrorReport::from(e),
            usage: false,
            output: None,
        }
    }
}

pub fn success(done: &Done, json: bool) {
    if json {
        print_out(&serde_json::to_string_pretty(&done.json).expect("JSON values print"));
    } else if !done.text.is_empty() {
        print_out(&replace_controls_but_lines(&done.text));
    }
}

/// A reader that has gone (`uniasset … | head`) is not a failure: the command's work is
/// done, so the rest of what it had to say is dropped, as other command-line tools do.
fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("uniasset: could not print the result: {e}");
        }
    }
}

pub fn failure(failure: &Failure, json: bool) {
    if let Some(done) = &failure.output {
        success(done, json);
        return;
    }
    if json {
        let body = serde_json::json!({ "error": failure.report });
        print_out(&serde_json::to_string_pretty(&body).expect("JSON values print"));
    } else {
        eprintln!(
            "uniasset: {}",
            replace_controls_but_lines(&failure.report.message)
        );
    }
}

/// Left-aligned columns two spaces apart, sized to their widest cell, with no
/// trailing spaces (so copied lines and test expectations stay clean). A cell is one line:
/// its control characters, line breaks included, are spaces.
pub fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let header = header.map(String::from);
    let rows: Vec<[String; N]> = rows
        .iter()
        .map(|r| r.clone().map(|cell| replace_controls(&cell).into_owned()))
        .collect();
    let rows = rows.as_slice();
    let widths: Vec<usize> = (0..N)
        .map(|i| {
            rows.iter()
                .chain([&header])
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    [&header]
        .into_iter()
        .chain(rows)
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
