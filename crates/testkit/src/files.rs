//! What a data directory holds on disk, for proving a secret is in none of it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every byte of every file under `dir`, the SQLite file and its journal included.
pub fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    add_bytes(dir, &mut out);
    out
}

fn add_bytes(dir: &Path, out: &mut Vec<u8>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            add_bytes(&path, out);
        } else {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
}

/// Whether `text` appears anywhere in `bytes`.
pub fn contains(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

/// Each file under `dir`, by its path inside `dir`, with its bytes: what "nothing changed"
/// compares.
pub fn each_file(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                found.insert(path.strip_prefix(dir).unwrap().to_owned(), bytes);
            }
        }
    }
    found
}
