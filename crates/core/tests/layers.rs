//! The core's modules form layers, and every dependency points down: a module may use only
//! modules of lower layers. This test reads every `crate::…` path in `src/` (test code
//! aside) and fails on one that points up or sideways, or on a module not placed in a
//! layer. docs/architecture.md draws the same layers; `scripts/module-graph.py` prints the
//! graph as it is.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first. Clean text (every other helper's messages echo values through it), small
/// helpers, then the store, who may act, what happened, the people,
/// the organization, signing in, assets, then the Entra side from the Graph client up to
/// the sync and its schedule (a plan change sits just above entra: leaving Enterprise
/// turns automatic runs off), backups of all of it (after the nightly window), then read
/// models for the screens and the diagnostics, then the demo.
const LAYERS: &[&[&str]] = &[
    &["text"],
    &[
        "clock",
        "text_enum",
        "error_code",
        "password",
        "data_dir",
        "spreadsheet",
    ],
    &["timestamp"],
    &["store"],
    &["secrets", "access"],
    &["audit"],
    &["directory"],
    &["organization"],
    &["sessions"],
    &["assets"],
    &["graph"],
    &["entra"],
    &["plan_change"],
    &["sync"],
    &["alerts"],
    &["schedule"],
    &["backup"],
    &["overview", "details", "leavers", "diagnostics"],
    &["demo"],
    &["app_status"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `sync` for src/sync/decide.rs.
fn module_of(file: &Path) -> String {
    let relative = file.strip_prefix(src()).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_owned()
}

/// Top-level modules named by `crate::x` paths and `use crate::{x, …}` groups.
fn modules_used(code: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            group.split(',').collect()
        } else {
            vec![rest]
        };
        for name in names {
            let name: String = name
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() {
                used.insert(name);
            }
        }
    }
    used
}

/// Every (file, module it is in, module it uses) that points against the layers.
fn violations() -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let module = module_of(&file);
        if module == "lib" {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            found.push(format!("{module} is in no layer: place it in LAYERS"));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        // Tests may reach anywhere; the rule is about the product's code.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for used in modules_used(code) {
            if used == module {
                continue;
            }
            match layer_of(&used) {
                Some(theirs) if theirs < own => {}
                Some(_) => found.push(format!(
                    "{} uses crate::{used}, which is not in a lower layer than {module}",
                    file.strip_prefix(src()).unwrap().display()
                )),
                None => found.push(format!("{used} is in no layer: place it in LAYERS")),
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn every_dependency_points_down_the_layers() {
    let found = violations();
    assert!(found.is_empty(), "\n{}", found.join("\n"));
}

#[test]
fn the_reader_sees_paths_and_groups() {
    let used = modules_used(
        "use crate::store::{Store, StoreError};\nuse crate::{audit, directory::User};\nlet x = crate::sync::run(y);",
    );
    let expected: BTreeSet<String> = ["store", "audit", "directory", "sync"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(used, expected);
}
