//! Support (R-X1): the plain-text diagnostics an administrator pastes into a message to
//! support (the version, the system, where the data lives, the last runs, the log's tail),
//! and the crash report a panic leaves in the log folder. Neither may carry a secret (R-E3,
//! R-X4): both go through one `Redactor`, which knows this installation's secrets (the
//! keychain's client secret, SMTP password and backup passphrase, the password hashes in
//! the store) and the shapes secrets take in text (bearer tokens, JWTs, Argon2 hashes,
//! `secret=…` pairs, long hex tokens), so a secret that was never stored here (an old one,
//! a token) goes too.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;
use rusqlite::{Connection, OpenFlags};

use crate::access::{self, AccessError, Actor};
use crate::data_dir::{self, DATABASE_FILE};
use crate::store::{Store, StoreError};
use crate::sync::{self, RunRecord};

/// How many runs the diagnostics list, newest first.
pub const RECENT_RUNS: u32 = 20;
/// How many of the log's last lines the diagnostics include.
pub const LOG_TAIL_LINES: usize = 200;
/// Crash reports kept in the log folder; older ones are removed, so a crash at every start
/// cannot fill the disk.
pub const KEPT_CRASH_REPORTS: usize = 10;
const CRASH_PREFIX: &str = "crash-";
/// Secrets shorter than this are not searched for: replacing every "ab" would make the
/// report unreadable. The keychain's secrets are far longer.
const MIN_SECRET_LEN: usize = 4;

/// Who is reporting, and where its files are.
#[derive(Debug, Clone)]
pub struct Context {
    /// "UniAsset Desktop", "uniasset".
    pub program: &'static str,
    pub version: &'static str,
    pub data_dir: PathBuf,
    /// The folder of the log files (`*.log`) and crash reports.
    pub log_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum DiagnosticsError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for DiagnosticsError {
    fn code(&self) -> &'static str {
        match self {
            DiagnosticsError::Access(e) => e.code(),
            DiagnosticsError::Store(e) => e.code(),
        }
    }
}

/// Shapes that are secrets wherever they appear, with what replaces them.
static PATTERNS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // PHC strings: $argon2id$v=19$m=…,t=…,p=…$salt$hash.
        (r"\$argon2(?:id|i|d)\$[^\s'\x22]+", "[redacted password hash]"),
        (
            r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+",
            "${1}[redacted token]",
        ),
        // JSON Web Tokens (Microsoft's access and ID tokens).
        (
            r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*",
            "[redacted token]",
        ),
        // key=value, key:value and "key": "value" for keys that name a secret (form bodies,
        // URLs with $deltatoken/$skiptoken, JSON). "password: wrong" in prose keeps its
        // words: a colon counts only with the value right after it.
        (
            r#"(?i)\b((?:client_secret|client_assertion|secret|password|passwd|pwd|access_token|refresh_token|id_token|device_code|token|deltatoken|skiptoken|code_verifier|api_key|apikey)(?:\s*=\s*|"\s*:\s*"|:))[^\s&"',;]+"#,
            "${1}[redacted]",
        ),
        // Microsoft Entra client secrets: three characters, a digit, "Q~", then 31 or more.
        (r"\b[A-Za-z0-9_.-]{3}\dQ~[A-Za-z0-9_.~-]{20,}", "[redacted client secret]"),
        // Session tokens and their SHA-256 hashes, and other long hex tokens.
        (r"\b[0-9A-Fa-f]{32,}\b", "[redacted token]"),
    ]
    .into_iter()
    .map(|(pattern, with)| (Regex::new(pattern).expect("a valid pattern"), with))
    .collect()
});

/// Takes secrets out of text: this installation's own, then any text shaped like one.
pub struct Redactor {
    known: Option<(AhoCorasick, Vec<String>)>,
    /// What could not be read to learn the installation's secrets (the keychain locked,
    /// no database yet), said in the report so support knows what was searched for.
    unread: Vec<String>,
}

impl Redactor {
    /// Learns the secrets of the data directory `dir`: the keychain's, and the password
    /// hashes in its database, read through a read-only connection of its own (a crash
    /// report must not open, migrate or wait for the store). What cannot be read is noted;
    /// the shapes are taken out whatever happens.
    pub fn load(dir: &Path) -> Redactor {
        let mut known = Vec::new();
        let mut unread = Vec::new();
        let path = dir.join(DATABASE_FILE);
        match Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY) {
            Ok(conn) => {
                match crate::secrets::stored(&conn) {
                    Ok(secrets) => known.extend(secrets),
                    Err(e) => unread.push(format!("the keychain ({e})")),
                }
                match password_hashes(&conn) {
                    Ok(hashes) => known.extend(hashes),
                    Err(e) => unread.push(format!("the password hashes ({e})")),
                }
            }
            Err(e) => unread.push(format!("{} ({e})", path.display())),
        }
        Redactor::new(known, unread)
    }

    fn new(known: Vec<(&'static str, String)>, unread: Vec<String>) -> Redactor {
        let (secrets, names): (Vec<String>, Vec<String>) = known
            .into_iter()
            .filter(|(_, secret)| secret.len() >= MIN_SECRET_LEN)
            .map(|(name, secret)| (secret, format!("[redacted {name}]")))
            .unzip();
        let known = (!secrets.is_empty()).then(|| {
            let matcher = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&secrets)
                .expect("literal patterns build");
            (matcher, names)
        });
        Redactor { known, unread }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut text = match &self.known {
            Some((matcher, names)) => matcher.replace_all(text, names),
            None => text.to_owned(),
        };
        for (pattern, with) in PATTERNS.iter() {
            if let std::borrow::Cow::Owned(replaced) = pattern.replace_all(&text, *with) {
                text = replaced;
            }
        }
        text
    }
}

/// Each stored Argon2 hash, whole and its hash part alone (the text after the last `$`),
/// which a log might show without the rest.
fn password_hashes(conn: &Connection) -> rusqlite::Result<Vec<(&'static str, String)>> {
    let mut stmt =
        conn.prepare("SELECT password_hash FROM users WHERE password_hash IS NOT NULL")?;
    let hashes = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut found = Vec::new();
    for hash in hashes {
        let hash = hash?;
        if let Some((_, tail)) = hash.rsplit_once('$') {
            found.push(("password hash", tail.to_owned()));
        }
        found.push(("password hash", hash));
    }
    Ok(found)
}

/// Settings → General → Copy diagnostics, for an Owner or Admin: everything in it has gone
/// through the `Redactor`.
pub fn report(store: &Store, by: &Actor, context: &Context) -> Result<String, DiagnosticsError> {
    access::check_support(by)?;
    let runs = sync::runs(store, RECENT_RUNS)?;
    let redactor = Redactor::load(store.data_dir());
    let mut text = compose(context, &runs, &redactor);
    let checked = match store.check() {
        Ok(()) => "every page read, no damage found".to_owned(),
        Err(e) => e.to_string(),
    };
    text.push_str(&format!("Database check (SQLite quick check): {checked}\n"));
    Ok(redactor.redact(&text))
}

fn compose(context: &Context, runs: &[RunRecord], redactor: &Redactor) -> String {
    let mut out = String::new();
    header(&mut out, context);
    let _ = writeln!(
        out,
        "\nSync runs, newest first (the last {RECENT_RUNS} at most): {}",
        runs.len()
    );
    for run in runs {
        let _ = writeln!(
            out,
            "  #{} {} {} {} by {}: {}",
            run.id.unwrap_or_default(),
            run.started_at,
            run.trigger,
            run.result,
            run.started_by,
            run.headline
        );
        if let Some(error) = &run.error {
            let _ = writeln!(out, "      {error}");
        }
    }
    let crashes = crash_reports(&context.log_dir);
    let _ = writeln!(out, "\nCrash reports in the log folder: {}", crashes.len());
    for crash in crashes.iter().rev() {
        let _ = writeln!(out, "  {}", crash.display());
    }
    let (lines, files) = log_tail(&context.log_dir, LOG_TAIL_LINES);
    let _ = writeln!(
        out,
        "\nThe end of the log (the last {LOG_TAIL_LINES} lines at most): {}",
        if files.is_empty() {
            "no log file yet".to_owned()
        } else {
            format!("{} from {}", lines.len(), files.join(", "))
        }
    );
    for line in lines {
        let _ = writeln!(out, "  {line}");
    }
    out.push_str("\nSecrets, password hashes and tokens are left out of this report.\n");
    if !redactor.unread.is_empty() {
        let _ = writeln!(
            out,
            "Could not read, to look for its secrets: {}. Text shaped like a secret is left out all the same.",
            redactor.unread.join("; ")
        );
    }
    out
}

fn header(out: &mut String, context: &Context) {
    let _ = writeln!(out, "{} {}", context.program, context.version);
    let _ = writeln!(
        out,
        "Written: {}",
        crate::clock::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let _ = writeln!(out, "System: {}", system());
    let _ = writeln!(out, "Data directory: {}", context.data_dir.display());
    let _ = writeln!(out, "Log folder: {}", context.log_dir.display());
}

/// The OS, its release and the desktop session (the tray depends on it).
fn system() -> String {
    let mut parts = vec![format!(
        "{} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )];
    if let Ok(release) = std::fs::read_to_string("/etc/os-release") {
        let pretty = release
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_owned());
        parts.extend(pretty);
    }
    if let Ok(kernel) = std::fs::read_to_string("/proc/sys/kernel/osrelease") {
        parts.push(format!("kernel {}", kernel.trim()));
    }
    let desktop = ["XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE"]
        .map(|v| std::env::var(v).unwrap_or_default())
        .into_iter()
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>();
    if !desktop.is_empty() {
        parts.push(format!("desktop {}", desktop.join(" on ")));
    }
    parts.join(", ")
}

/// The last `wanted` lines of the log files in `dir` (the current one, then the rotated
/// ones before it, by age), oldest first, and the names of the files they came from.
fn log_tail(dir: &Path, wanted: usize) -> (Vec<String>, Vec<String>) {
    let mut logs = files_in(dir, |name| name.ends_with(".log"));
    logs.sort_by_key(|(_, modified)| std::cmp::Reverse(*modified));
    let mut lines = Vec::new();
    let mut names = Vec::new();
    for (path, _) in logs {
        if lines.len() >= wanted {
            break;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let older: Vec<String> = text.lines().map(str::to_owned).collect();
        let take = older.len().min(wanted - lines.len());
        lines.splice(0..0, older[older.len() - take..].iter().cloned());
        names.push(file_name(&path));
    }
    (lines, names)
}

/// Files in `dir` whose names pass `keep`, with when each was last written.
fn files_in(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<(PathBuf, std::time::SystemTime)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| keep(&e.file_name().to_string_lossy()))
        .filter_map(|e| {
            let meta = e.metadata().ok().filter(|m| m.is_file())?;
            Some((e.path(), meta.modified().ok()?))
        })
        .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The crash reports in `dir`, oldest first (their names sort by time).
pub fn crash_reports(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = files_in(dir, |n| n.starts_with(CRASH_PREFIX))
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    found.sort();
    found
}

/// The text of a crash report for a panic, already redacted: what panicked, where, in which
/// thread, with the backtrace, and the same header as the diagnostics.
pub fn crash_report(
    panic: &std::panic::PanicHookInfo<'_>,
    context: &Context,
    redactor: &Redactor,
) -> String {
    let message = panic
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned());
    let mut out = String::new();
    header(&mut out, context);
    let _ = writeln!(
        out,
        "\n{} hit an internal error (a panic) in thread {}.",
        context.program,
        std::thread::current().name().unwrap_or("(unnamed)")
    );
    if let Some(at) = panic.location() {
        let _ = writeln!(out, "Where: {}:{}:{}", at.file(), at.line(), at.column());
    }
    let _ = writeln!(out, "Message: {message}");
    let _ = writeln!(
        out,
        "\nBacktrace:\n{}",
        std::backtrace::Backtrace::force_capture()
    );
    out.push_str("\nSecrets, password hashes and tokens are left out of this report.\n");
    redactor.redact(&out)
}

/// Writes `text` as a new crash report in `dir`, readable only by its owner, and removes
/// all but the newest `KEPT_CRASH_REPORTS`. Returns the report's path.
pub fn write_crash_report(dir: &Path, text: &str) -> std::io::Result<PathBuf> {
    use std::io::Write as _;
    data_dir::create_private_dir(dir)?;
    let stamp = crate::clock::now().format("%Y-%m-%dT%H-%M-%S%.3fZ");
    let path = dir.join(format!("{CRASH_PREFIX}{stamp}-{}.txt", std::process::id()));
    data_dir::open_private_file(&path, true)?.write_all(text.as_bytes())?;
    let reports = crash_reports(dir);
    let extra = reports.len().saturating_sub(KEPT_CRASH_REPORTS);
    for old in &reports[..extra] {
        let _ = std::fs::remove_file(old);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(known: &[(&'static str, &str)]) -> Redactor {
        Redactor::new(
            known.iter().map(|(n, s)| (*n, (*s).to_owned())).collect(),
            Vec::new(),
        )
    }

    #[test]
    fn known_secrets_are_named_not_shown() {
        let r = redactor(&[
            ("client secret", "abc8Q~Sup3r"),
            ("SMTP password", "mail-pass"),
        ]);
        assert_eq!(
            r.redact("sent abc8Q~Sup3r and mail-pass!"),
            "sent [redacted client secret] and [redacted SMTP password]!"
        );
    }

    #[test]
    fn secret_shapes_go_whoever_they_belong_to() {
        let r = redactor(&[]);
        for (text, gone) in [
            ("Authorization: Bearer eyJ0eXAi.abc-def.ghi_jkl", "eyJ0eXAi"),
            ("token eyJhbGciOi.eyJzdWIiOi.sig here", "eyJzdWIiOi"),
            (
                "hash $argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo end",
                "aGFzaGhhc2hoYXNo",
            ),
            (
                "grant_type=client_credentials&client_secret=hunter2xyz&x=1",
                "hunter2xyz",
            ),
            ("{\"refresh_token\": \"0.AAAA-rt\"}", "0.AAAA-rt"),
            ("https://graph/users/delta?$deltatoken=Zq9-abc", "Zq9-abc"),
            ("password=letmein1", "letmein1"),
            (
                "old secret xYz8Q~aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa in a paste",
                "aaaaaaaa",
            ),
            (
                "session 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                "9f86d081884c",
            ),
        ] {
            let redacted = r.redact(text);
            assert!(!redacted.contains(gone), "{text} → {redacted}");
            assert!(redacted.contains("[redacted"), "{text} → {redacted}");
        }
    }

    #[test]
    fn ordinary_words_stay() {
        let r = redactor(&[("SMTP password", "abc")]);
        let text = "Could not check the password: the store is locked. Tenant 0f8fad5b-d9cb-469f-a165-70867728950e, run #3 abc";
        // "abc" is too short to search for; prose and GUIDs are kept.
        assert_eq!(r.redact(text), text);
    }

    #[test]
    fn the_tail_reads_back_into_rotated_logs() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("UniAsset_2025-01-01_00-00-00.log");
        std::fs::write(&old, "old 1\nold 2\nold 3\n").unwrap();
        let ancient = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .append(true)
            .open(&old)
            .unwrap()
            .set_modified(ancient)
            .unwrap();
        std::fs::write(dir.path().join("UniAsset.log"), "new 1\nnew 2\n").unwrap();
        std::fs::write(dir.path().join("crash-x.txt"), "not a log\n").unwrap();
        let (lines, files) = log_tail(dir.path(), 3);
        assert_eq!(lines, ["old 3", "new 1", "new 2"]);
        assert_eq!(files, ["UniAsset.log", "UniAsset_2025-01-01_00-00-00.log"]);
        assert_eq!(log_tail(&dir.path().join("none"), 3).0.len(), 0);
    }

    #[test]
    fn only_the_newest_crash_reports_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        for _ in 0..KEPT_CRASH_REPORTS + 3 {
            write_crash_report(dir.path(), "boom").unwrap();
            // Names carry milliseconds; keep them apart.
            std::thread::sleep(std::time::Duration::from_millis(3));
        }
        let kept = crash_reports(dir.path());
        assert_eq!(kept.len(), KEPT_CRASH_REPORTS);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&kept[0]).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
    }
}
