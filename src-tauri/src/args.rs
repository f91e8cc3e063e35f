//! The app's own command-line arguments: `--data-dir DIR` as for `uniasset`, and
//! `--minimized`, which start-at-login passes so UniAsset starts in the tray.

use std::path::PathBuf;

pub const MINIMIZED: &str = "--minimized";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    pub data_dir: Option<PathBuf>,
    pub minimized: bool,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == MINIMIZED {
            parsed.minimized = true;
            continue;
        }
        let dir = match arg.strip_prefix("--data-dir") {
            Some("") => args.next(),
            Some(rest) => rest.strip_prefix('=').map(str::to_owned),
            None => {
                return Err(format!(
                    "unknown argument \"{arg}\" (usage: uniasset-desktop [--data-dir DIR] [--minimized])"
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
    fn refuses_what_it_does_not_know() {
        assert!(run(&["--data-dir"])
            .unwrap_err()
            .contains("needs a directory"));
        assert!(run(&["--frobnicate"])
            .unwrap_err()
            .contains("unknown argument"));
    }
}
