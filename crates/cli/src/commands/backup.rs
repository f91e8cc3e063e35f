use std::path::Path;

use uniasset_core::access::Actor;
use uniasset_core::backup::{self, BackupFile, BackupSettingsInput, BackupStatus, Restorer};
use uniasset_core::secrets::BackupPassphrase;
use uniasset_core::store::Store;

use super::from_stdin;
use crate::args::{BackupCommand, BackupSettingsArgs};
use crate::output::{table, Done, Failure};

pub fn run(store: &mut Store, cmd: BackupCommand) -> Result<Done, Failure> {
    let me = Actor::CommandLine;
    match cmd {
        BackupCommand::Create { to } => {
            let file = backup::create(store, &me, to.as_deref())?;
            let text = format!(
                "Backed up to {} ({}{}).",
                file.path,
                size(file.size_bytes),
                if file.encrypted { ", encrypted" } else { "" }
            );
            Ok(Done::new(&file, text))
        }
        BackupCommand::List => {
            let copies = backup::list(store)?;
            let status = backup::status(store)?;
            let text = if copies.is_empty() {
                format!("No backups in {} yet.", status.folder)
            } else {
                format!("Backups in {}:\n{}", status.folder, list(&copies))
            };
            Ok(Done::new(&copies, text))
        }
        BackupCommand::Passphrase { stdin, off: _ } => {
            let passphrase = if stdin {
                Some(BackupPassphrase::new(from_stdin("backup passphrase")?))
            } else {
                None
            };
            let status = backup::set_passphrase(store, &me, passphrase.as_ref())?;
            let text = if status.encrypted {
                "Backups from now on are encrypted; the passphrase is in the system keychain. \
                 Keep a copy somewhere safe: if it is lost, encrypted backups cannot be restored \
                 by anyone, including UniAsset support."
            } else {
                "Backups from now on are not encrypted. Earlier encrypted ones still need their passphrase."
            };
            Ok(Done::new(&status, text))
        }
        BackupCommand::Settings(args) => settings(store, &me, args),
        BackupCommand::Restore { .. } => unreachable!("restore runs without a store"),
    }
}

fn settings(store: &mut Store, me: &Actor, args: BackupSettingsArgs) -> Result<Done, Failure> {
    let current = backup::status(store)?;
    let changing = args.folder.is_some()
        || args.automatic.is_some()
        || args.keep_daily.is_some()
        || args.keep_weekly.is_some();
    let status = if changing {
        let folder = match args.folder {
            Some(f) => Some(f),
            None if current.default_folder => None,
            None => Some(current.folder.clone()),
        };
        let input = BackupSettingsInput {
            folder,
            automatic: args
                .automatic
                .map_or(current.automatic, |state| state == "on"),
            keep_daily: args.keep_daily.unwrap_or(current.keep_daily),
            keep_weekly: args.keep_weekly.unwrap_or(current.keep_weekly),
        };
        backup::save_settings(store, me, &input)?
    } else {
        current
    };
    let text = describe(&status);
    Ok(Done::new(&status, text))
}

fn describe(s: &BackupStatus) -> String {
    let mut text = format!(
        "Folder:     {}{}\nAutomatic:  {}\nKeep:       {} daily and {} weekly copies\nEncrypted:  {}",
        s.folder,
        if s.default_folder { " (default)" } else { "" },
        if s.automatic { "daily, after the nightly run" } else { "off" },
        s.keep_daily,
        s.keep_weekly,
        match (s.encrypted, s.passphrase_missing) {
            (false, _) => "no",
            (true, false) => "yes (passphrase in the system keychain)",
            (true, true) => "yes, but this keychain has no passphrase: set it with `uniasset backup passphrase --stdin`",
        }
    );
    match &s.last_good {
        Some(f) => text.push_str(&format!(
            "\nLast good:  {} {} ({})",
            f.created_at,
            f.path,
            size(f.size_bytes)
        )),
        None => text.push_str("\nLast good:  none"),
    }
    if let Some(e) = &s.last_error {
        text.push_str(&format!("\nLast error: {e}"));
    }
    if let Some(w) = &s.warning {
        text.push_str(&format!("\n{w}"));
    }
    text
}

fn list(copies: &[BackupFile]) -> String {
    let rows: Vec<[String; 3]> = copies
        .iter()
        .map(|c| {
            [
                c.created_at.clone(),
                size(c.size_bytes),
                c.file_name.clone(),
            ]
        })
        .collect();
    table(["CREATED", "SIZE", "FILE"], &rows)
}

pub fn restore(
    dir: &Path,
    file: &Path,
    force: bool,
    passphrase_stdin: bool,
) -> Result<Done, Failure> {
    let passphrase = if passphrase_stdin {
        Some(BackupPassphrase::new(from_stdin("backup passphrase")?))
    } else {
        None
    };
    let outcome = backup::restore(
        dir,
        file,
        passphrase.as_ref(),
        Restorer::CommandLine { force },
    )?;
    let mut text = format!(
        "Restored {} ({} people, {} assets) into {}.",
        outcome.organization,
        outcome.people,
        outcome.assets,
        dir.display()
    );
    if !outcome.set_aside.is_empty() {
        text.push_str(&format!(
            "\nThe organization that was there is set aside in {}.",
            outcome.set_aside
        ));
    }
    if outcome.entra_secret_needed {
        text.push_str(
            "\nThe Entra client secret is not in backups: connect again with \
             `uniasset entra connect … --client-secret-stdin` (or `uniasset entra setup`). \
             Automatic runs are off until then.",
        );
    }
    Ok(Done::new(&outcome, text))
}

/// Bytes as people read them: 512 B, 1.5 KB, 12.3 MB.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}
