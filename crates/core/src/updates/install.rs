//! Installing an update: the guard that keeps it from starting beside a sync, a backup or a
//! restore (and them from starting beside it), and a Linux package's installation by the
//! system's package tool. The package reaching here has been verified against UniAsset's
//! signing key by the updater plugin.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::error::UpdateError;
use super::installation::{Installation, Package};
use crate::access::{self, Actor};
use crate::audit;
use crate::data_dir;
use crate::store::{DataDirLock, Store, StoreError};
use crate::sync::{self, SyncError};

/// Where a verified package waits while it is installed (in the data directory: private,
/// and kept after a failed install so the message can name it).
const UPDATES_DIR: &str = "updates";

/// Held while an update installs; no sync, backup or restore starts meanwhile.
pub struct InstallGuard {
    _sync: sync::SyncLock,
    _data: DataDirLock,
}

/// May `by` install an update now? Takes the locks that say so to every process.
pub fn begin_install(
    store: &Store,
    by: &Actor,
    installation: &Installation,
) -> Result<InstallGuard, UpdateError> {
    access::check_updates(by)?;
    if installation.package.is_none() {
        return Err(UpdateError::NotInstalledFromPackage);
    }
    let sync = sync::acquire(store).map_err(|e| match e {
        SyncError::AlreadyRunning => UpdateError::SyncRunning,
        e => UpdateError::Disk(e.to_string()),
    })?;
    let data = DataDirLock::try_acquire(store.data_dir())
        .map_err(|e| UpdateError::Disk(e.to_string()))?
        .ok_or(UpdateError::BackupRunning)?;
    Ok(InstallGuard {
        _sync: sync,
        _data: data,
    })
}

/// Installs a verified .deb or .rpm with dpkg or rpm: directly when UniAsset runs as root,
/// otherwise through pkexec, which asks for an administrator's password. What the tool said
/// is in the error when it fails; the running version is untouched until it succeeds.
pub fn install_linux_package(
    store: &Store,
    by: &Actor,
    _guard: &InstallGuard,
    installation: &Installation,
    version: &str,
    bytes: &[u8],
) -> Result<(), UpdateError> {
    let (extension, tool): (_, &[&str]) = match installation.package {
        Some(Package::Deb) => ("deb", &["dpkg", "--install"]),
        Some(Package::Rpm) => ("rpm", &["rpm", "--upgrade"]),
        Some(Package::Installer) | None => return Err(UpdateError::NotInstalledFromPackage),
    };
    let package = save(
        store.data_dir(),
        &format!("uniasset-{version}.{extension}"),
        bytes,
    )?;
    let shown = package.display().to_string();
    let mut command = if running_as_root() {
        Command::new(tool[0])
    } else if on_path("pkexec") {
        let mut pkexec = Command::new("pkexec");
        pkexec.arg(tool[0]);
        pkexec
    } else {
        return Err(UpdateError::NeedsAdministrator(shown));
    };
    let output = command
        .args(&tool[1..])
        .arg(&package)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()
        .map_err(|e| {
            failed(
                format!("{} could not start: {e}", tool[0]),
                installation,
                &shown,
            )
        })?;
    if !output.status.success() {
        return Err(failed(said(&output), installation, &shown));
    }
    let _ = std::fs::remove_file(&package);
    record_installed(store, by, installation, version)?;
    Ok(())
}

/// The system's installer was started for `version` (Windows' ends UniAsset as it starts).
pub fn record_installer_started(
    store: &Store,
    by: &Actor,
    installation: &Installation,
    version: &str,
) -> Result<(), StoreError> {
    audit::record(
        store.conn(),
        by,
        audit::Entry::organization("updates.installer_started").detail(format!(
            "The installer of UniAsset {version} was started (running {})",
            installation.version
        )),
    )
}

/// Remembers an installed version (it runs from the next start) in the audit log and for
/// General and the tray; the shell calls it after an installer the updater plugin ran
/// itself (Windows, macOS).
pub fn record_installed(
    store: &Store,
    by: &Actor,
    installation: &Installation,
    version: &str,
) -> Result<(), StoreError> {
    store.conn().execute(
        "UPDATE updates SET installed_version = ?1 WHERE id = 1",
        [version],
    )?;
    audit::record(
        store.conn(),
        by,
        audit::Entry::organization("updates.installed").detail(format!(
            "UniAsset {version} installed (was {})",
            installation.version
        )),
    )
}

fn save(data_dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, UpdateError> {
    let folder = data_dir.join(UPDATES_DIR);
    let path = folder.join(name);
    let written = data_dir::create_private_dir(&folder)
        .and_then(|()| data_dir::open_private_file(&path, true))
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()));
    written.map_err(|e| UpdateError::Disk(format!("{}: {e}", path.display())))?;
    Ok(path)
}

fn failed(reason: String, installation: &Installation, package: &str) -> UpdateError {
    UpdateError::InstallFailed {
        reason,
        running: installation.version.clone(),
        package: package.to_owned(),
    }
}

/// What the tool said went wrong: its first error and the line after it (dpkg names the
/// reason there), or its last lines when it names no error.
fn said(output: &std::process::Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr);
    let text = if text.trim().is_empty() {
        String::from_utf8_lossy(&output.stdout)
    } else {
        text
    };
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let words = match lines.iter().position(|l| l.contains("error")) {
        Some(first) => lines[first..(first + 2).min(lines.len())].join(" "),
        None => lines[lines.len().saturating_sub(3)..].join(" "),
    };
    match output.status.code() {
        Some(code) => format!("the installer ended with status {code}: {words}"),
        None => format!("the installer was stopped: {words}"),
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

#[cfg(target_os = "linux")]
fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(not(target_os = "linux"))]
fn running_as_root() -> bool {
    false
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{ExitStatus, Output};

    use super::said;

    fn failed(stderr: &str) -> Output {
        Output {
            status: ExitStatus::from_raw(1 << 8),
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_installers_reason_is_its_first_error() {
        let dependency = "Selecting previously unselected package uni-asset.\n\
            dpkg: dependency problems prevent configuration of uni-asset:\n \
            uni-asset depends on libsoup-3.0-0; however:\n  Package libsoup-3.0-0 is not installed.\n\n\
            dpkg: error processing package uni-asset (--install):\n \
            dependency problems - leaving unconfigured\nErrors were encountered while processing:\n uni-asset\n";
        assert_eq!(
            said(&failed(dependency)),
            "the installer ended with status 1: dpkg: error processing package uni-asset (--install): \
             dependency problems - leaving unconfigured"
        );
        assert_eq!(
            said(&failed("one\ntwo\nthree\nfour\n")),
            "the installer ended with status 1: two three four"
        );
    }
}
