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

/// Rule ids (`R-S4`) that text cites: `R-` after a non-word character, capitals, digits.
fn rule_ids(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for (at, _) in text.match_indices("R-") {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-') {
            continue;
        }
        let id: String = text[at + 2..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            .collect();
        if id.starts_with(|c: char| c.is_ascii_uppercase()) {
            ids.insert(format!("R-{id}"));
        }
    }
    ids
}

fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if path.is_dir() {
            // Build output and installed packages are not ours.
            if !matches!(&*name, "target" | "node_modules" | "gen" | "dist") {
                text_files(&path, out);
            }
        } else if ["rs", "ts", "svelte", "js"]
            .iter()
            .any(|e| path.extension().is_some_and(|x| x == *e))
        {
            out.push(path);
        }
    }
}

/// Every rule the code cites (crates, the shell, the UI) is written down in docs/rules.md,
/// so a reader can look it up.
#[test]
fn every_cited_rule_is_defined() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let rules = std::fs::read_to_string(root.join("docs/rules.md")).unwrap();
    let defined: BTreeSet<String> = rules
        .lines()
        .filter_map(|l| l.strip_prefix("- **"))
        .flat_map(rule_ids)
        .collect();
    assert!(defined.contains("R-S4"), "{defined:?}");
    let mut files = Vec::new();
    for dir in ["crates", "src-tauri/src", "ui/src"] {
        text_files(&root.join(dir), &mut files);
    }
    let mut undefined = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for id in rule_ids(&text).difference(&defined) {
            undefined.push(format!(
                "{}: {id}",
                file.strip_prefix(&root).unwrap().display()
            ));
        }
    }
    assert!(
        undefined.is_empty(),
        "not in docs/rules.md:\n{}",
        undefined.join("\n")
    );
}

#[test]
fn rule_ids_are_read_whole() {
    // Split so this file cites no undefined rule itself.
    let ids = rule_ids(concat!("(R-S1…R-S9, R-", "NEW) CR-LF x-R-A1 R-x"));
    let expected: BTreeSet<String> = ["R-S1", "R-S9", concat!("R-", "NEW")]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(ids, expected);
}
