//! The backup file (R-B1, R-B4): a tar archive (`backup.json` first, then `uniasset.db`, then
//! `documents/<sha256>`), streamed through age with a passphrase (scrypt) recipient when
//! encrypted. Tar keeps no checksum of what it holds, so the manifest carries the
//! database's SHA-256 and each document is named by its own: reading a file back checks
//! every byte that matters.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::BackupError;
use crate::data_dir::{self, DATABASE_FILE, DOCUMENTS_DIR};
use crate::secrets::BackupPassphrase;

/// The archive layout this version writes and reads.
pub(super) const FORMAT: u32 = 1;
const MANIFEST: &str = "backup.json";
/// Every age file starts with this line (the version follows it).
const AGE_MAGIC: &[u8] = b"age-encryption.org/";
/// A manifest is a few hundred bytes; a longer first entry is not one.
const MAX_MANIFEST: u64 = 64 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub format: u32,
    pub app_version: String,
    pub created_at: String,
    pub organization: String,
    pub schema_version: u32,
    pub people: u32,
    pub assets: u32,
    pub documents: u32,
    pub database_sha256: String,
    /// The audit trail's newest entry's hash when the backup was made (R-X5); None in
    /// backups made before the trail was chained, or of a trail already broken then.
    #[serde(default)]
    pub audit_head: Option<String>,
}

/// Writes the archive of `database` and `documents` (their SHA-256 names and paths) to
/// `out`, encrypted when a passphrase is given; returns `out` with everything written to
/// it, for the caller to sync.
pub(super) fn write(
    out: File,
    manifest: &Manifest,
    database: &Path,
    documents: &[(String, PathBuf)],
    passphrase: Option<&BackupPassphrase>,
) -> io::Result<File> {
    let out = BufWriter::new(out);
    let out = match passphrase {
        None => append_all(out, manifest, database, documents)?,
        Some(p) => {
            let encryptor =
                age::Encryptor::with_user_passphrase(SecretString::from(p.expose().to_owned()));
            let stream = encryptor.wrap_output(out)?;
            append_all(stream, manifest, database, documents)?.finish()?
        }
    };
    out.into_inner().map_err(|e| e.into_error())
}

fn append_all<W: Write>(
    out: W,
    manifest: &Manifest,
    database: &Path,
    documents: &[(String, PathBuf)],
) -> io::Result<W> {
    let mut tar = tar::Builder::new(out);
    let json = serde_json::to_vec_pretty(manifest).expect("the manifest serializes");
    append(&mut tar, MANIFEST, json.len() as u64, json.as_slice())?;
    let db = File::open(database)?;
    append(&mut tar, DATABASE_FILE, db.metadata()?.len(), db)?;
    for (sha256, path) in documents {
        let doc = File::open(path)?;
        let name = format!("{DOCUMENTS_DIR}/{sha256}");
        append(&mut tar, &name, doc.metadata()?.len(), doc)?;
    }
    tar.into_inner()
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    size: u64,
    data: impl Read,
) -> io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, Exact { data, left: size })
}

/// Exactly the `left` bytes the header announced: tar pads whatever comes, so a file that
/// shrank under us would otherwise make a corrupt archive without an error.
struct Exact<R> {
    data: R,
    left: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let most = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.data.read(&mut buf[..most])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "a file became shorter while it was being backed up",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// What reading an archive found.
pub(super) struct Contents {
    pub manifest: Manifest,
    pub encrypted: bool,
}

/// Reads the backup `file` through, checking every entry against its checksum, and with
/// `into` writes the database and the documents there (as `uniasset.db` and
/// `documents/<sha256>`). Tells a damaged file from a foreign one, an encrypted file
/// without a passphrase and a wrong passphrase.
pub(super) fn read(
    file: &Path,
    passphrase: Option<&BackupPassphrase>,
    into: Option<&Path>,
) -> Result<Contents, BackupError> {
    let unreadable = |source| BackupError::Unreadable {
        file: file.to_owned(),
        source,
    };
    // Only a plain file: a pipe or a device would hang the read.
    if !std::fs::metadata(file).map_err(unreadable)?.is_file() {
        return Err(unreadable(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a file",
        )));
    }
    let mut input = BufReader::with_capacity(64 * 1024, File::open(file).map_err(unreadable)?);
    let encrypted = input.fill_buf().map_err(unreadable)?.starts_with(AGE_MAGIC);
    let manifest = if encrypted {
        let Some(passphrase) = passphrase else {
            return Err(BackupError::PassphraseNeeded(file.to_owned()));
        };
        let stream = decrypt(file, input, passphrase)?;
        read_tar(file, stream, true, into)?
    } else {
        read_tar(file, input, false, into)?
    };
    Ok(Contents {
        manifest,
        encrypted,
    })
}

fn decrypt<R: BufRead>(
    file: &Path,
    input: R,
    passphrase: &BackupPassphrase,
) -> Result<age::stream::StreamReader<R>, BackupError> {
    let damaged = |e: age::DecryptError| BackupError::Damaged {
        file: file.to_owned(),
        detail: format!("its encryption header is not readable ({e})"),
    };
    let decryptor = age::Decryptor::new_buffered(input).map_err(damaged)?;
    // Encrypted to keys rather than a passphrase: age's, but not a UniAsset backup.
    if !decryptor.is_scrypt() {
        return Err(BackupError::NotABackup(file.to_owned()));
    }
    let identity = age::scrypt::Identity::new(SecretString::from(passphrase.expose().to_owned()));
    decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                BackupError::WrongPassphrase(file.to_owned())
            }
            other => damaged(other),
        })
}

fn read_tar<R: Read>(
    file: &Path,
    input: R,
    encrypted: bool,
    into: Option<&Path>,
) -> Result<Manifest, BackupError> {
    let damaged = |detail: String| BackupError::Damaged {
        file: file.to_owned(),
        detail,
    };
    let broken = |e: io::Error| {
        damaged(match e.kind() {
            io::ErrorKind::UnexpectedEof => "the file ends too early (it was cut short)".to_owned(),
            _ if encrypted => format!("it does not decrypt whole ({e})"),
            _ => format!("it cannot be read whole ({e})"),
        })
    };
    let mut archive = tar::Archive::new(input);
    let mut entries = archive.entries().map_err(broken)?;

    // The manifest comes first. A file without one is not a backup; but once decrypted
    // with its passphrase, a file is ours, so an unreadable start is damage.
    let foreign = |file: &Path| {
        if encrypted {
            damaged("it does not start with its manifest".to_owned())
        } else {
            BackupError::NotABackup(file.to_owned())
        }
    };
    let mut first = match entries.next() {
        Some(Ok(entry)) => entry,
        Some(Err(_)) | None => return Err(foreign(file)),
    };
    if entry_name(&first).as_deref() != Some(MANIFEST) {
        return Err(foreign(file));
    }
    let mut json = Vec::new();
    (&mut first)
        .take(MAX_MANIFEST)
        .read_to_end(&mut json)
        .map_err(broken)?;
    let manifest = parse_manifest(file, &json)?;
    drop(first);

    let mut database_seen = false;
    let mut documents = 0u32;
    for entry in entries {
        let mut entry = entry.map_err(broken)?;
        let name = entry_name(&entry).unwrap_or_default();
        if !entry.header().entry_type().is_file() {
            return Err(damaged(format!("it holds \"{name}\", which is not a file")));
        }
        if name == DATABASE_FILE && !database_seen {
            let target = into.map(|dir| dir.join(DATABASE_FILE));
            let sha256 = copy_hashing(&mut entry, target.as_deref()).map_err(broken)?;
            if sha256 != manifest.database_sha256 {
                return Err(damaged(
                    "its database does not match the checksum it was saved with".to_owned(),
                ));
            }
            database_seen = true;
        } else if let Some(sha256) = name
            .strip_prefix(DOCUMENTS_DIR)
            .and_then(|n| n.strip_prefix('/'))
            .filter(|n| is_sha256(n))
        {
            let target = match into {
                Some(dir) => {
                    let docs = dir.join(DOCUMENTS_DIR);
                    data_dir::create_private_dir(&docs).map_err(broken)?;
                    Some(docs.join(sha256))
                }
                None => None,
            };
            if copy_hashing(&mut entry, target.as_deref()).map_err(broken)? != sha256 {
                return Err(damaged(format!(
                    "the document {sha256} does not match its checksum"
                )));
            }
            documents += 1;
        } else {
            return Err(damaged(format!(
                "it holds \"{name}\", which UniAsset does not write"
            )));
        }
    }
    // Read to the end, so age checks that its stream was not cut short after the tar.
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(broken)?;
    if !database_seen {
        return Err(damaged("it holds no database".to_owned()));
    }
    if documents != manifest.documents {
        return Err(damaged(format!(
            "it holds {documents} of its {} documents",
            manifest.documents
        )));
    }
    Ok(manifest)
}

/// The manifest, or why it is not one: foreign JSON is not a backup, a later format is a
/// newer UniAsset's, and a UniAsset manifest that does not parse is damaged.
fn parse_manifest(file: &Path, json: &[u8]) -> Result<Manifest, BackupError> {
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| BackupError::Damaged {
            file: file.to_owned(),
            detail: format!("its manifest is not readable ({e})"),
        })?;
    let Some(format) = value.get("format").and_then(|f| f.as_u64()) else {
        return Err(BackupError::NotABackup(file.to_owned()));
    };
    let app_version = value
        .get("app_version")
        .and_then(|v| v.as_str())
        .unwrap_or("unknown")
        .to_owned();
    let too_new = || BackupError::NewerVersion {
        file: file.to_owned(),
        app_version: app_version.clone(),
    };
    if format > u64::from(FORMAT) {
        return Err(too_new());
    }
    let manifest: Manifest = serde_json::from_value(value).map_err(|e| BackupError::Damaged {
        file: file.to_owned(),
        detail: format!("its manifest is not complete ({e})"),
    })?;
    if manifest.schema_version as usize > crate::store::MIGRATIONS.len() {
        return Err(too_new());
    }
    Ok(manifest)
}

fn entry_name<R: Read>(entry: &tar::Entry<'_, R>) -> Option<String> {
    entry.path().ok().map(|p| p.to_string_lossy().into_owned())
}

fn is_sha256(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Copies `from` to a new private file at `to` (or nowhere), returning the SHA-256 of
/// what passed. The file is synced: it is about to replace the organization's own.
fn copy_hashing(from: &mut impl Read, to: Option<&Path>) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut out = match to {
        Some(path) => Some(data_dir::open_private_file(path, true)?),
        None => None,
    };
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some(out) = out.as_mut() {
            out.write_all(&buf[..n])?;
        }
    }
    if let Some(out) = out {
        out.sync_all()?;
    }
    Ok(hex::encode(hasher.finalize()))
}

/// The SHA-256 of a file, hex.
pub(super) fn sha256_of(path: &Path) -> io::Result<String> {
    copy_hashing(&mut File::open(path)?, None)
}
