//! The app's own command-line arguments: `--data-dir DIR` as for `uniasset`,
//! `--minimized`, which start-at-login passes so UniAsset starts in the tray, and `--version`.

use std::path::PathBuf;

pub const MINIMIZED: &str = "--minimized";
const VERSION: &str = "--version";

/// What `--version` prints: the app's version (build.rs: the workspace's, as `uniasset
/// --version` prints, unless the build's Tauri configuration overrides it).
pub fn version() -> String {
    format!("{} {}", crate::support::PROGRAM, crate::support::VERSION)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    pub data_dir: Option<PathBuf>,
    pub minimized: bool,
    /// Print the version and exit, before any window or single-instance hand-over.
    pub version: bool,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == MINIMIZED {
            parsed.minimized = true;
            continue;
        }
        if arg == VERSION {
            parsed.version = true;
            continue;
        }
        let dir = match arg.strip_prefix("--data-dir") {
            Some("") => args.next(),
            Some(rest) => rest.strip_prefix('=').map(str::to_owned),
            None => {
                return Err(format!(
                    "unknown argument \"{arg}\" (usage: uniasset-desktop [--data-dir DIR] [--minimized] [--version])"
                ))
            }
        };
        match dir.filter(|d| !d.is_empty()) {
            Some(dir) => parsed.data_dir = Some(PathBuf::from(dir)),
            None => return Err("--data-dir needs a directory".to_owned()),
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Args, String> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn accepts_both_spellings_of_data_dir() {
        assert_eq!(run(&[]).unwrap().data_dir, None);
        assert_eq!(
            run(&["--data-dir", "/d"]).unwrap().data_dir,
            Some("/d".into())
        );
        assert_eq!(run(&["--data-dir=/e"]).unwrap().data_dir, Some("/e".into()));
    }

    #[test]
    fn start_at_login_starts_minimized() {
        let args = run(&["--minimized", "--data-dir", "/d"]).unwrap();
        assert!(args.minimized);
        assert!(!run(&[]).unwrap().minimized);
    }

    #[test]
    fn version_is_the_workspace_version() {
        assert!(run(&["--version"]).unwrap().version);
        assert!(!run(&[]).unwrap().version);
        // Tests are built without TAURI_CONFIG.
        assert_eq!(
            version(),
            format!("UniAsset Desktop {}", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        assert!(run(&["--data-dir"])
            .unwrap_err()
            .contains("needs a directory"));
        assert!(run(&["--frobnicate"])
            .unwrap_err()
            .contains("unknown argument"));
    }
}
