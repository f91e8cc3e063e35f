//! The core's modules form layers, and every dependency points down: a module may use only
//! modules of lower layers. This test reads every `crate::…` path in `src/` (test code
//! aside) and fails on one that points up or sideways, or on a module not placed in a
//! layer. docs/architecture.md draws the same layers; `scripts/module-graph.py` prints the
//! graph as it is (`--files`: the files of each module, below). Inside a module, the files
//! may not use each other round a loop either (the rule is written above `tokens`), in the
//! core and in the Graph simulator. And every rule id the code cites is in docs/rules.md.

use std::collections::{BTreeMap, BTreeSet};
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
    &["backup", "updates"],
    &["overview", "details", "leavers", "diagnostics"],
    &["home"],
    &["demo"],
    &["app_status", "first_run"],
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

/// The layers as docs/architecture.md draws them, lowest first: the code block under "The
/// core's layers", one layer per line that is not a description running on (highest
/// first), its modules before the
/// description and joined by " · "; a line described "(same layer)" joins the one above.
fn documented_layers(doc: &str) -> Vec<Vec<String>> {
    let section = doc
        .split("## The core's layers")
        .nth(1)
        .expect("docs/architecture.md has a section \"The core's layers\"");
    let block = section
        .split("```")
        .nth(1)
        .expect("that section draws the layers in a code block");
    let mut layers: Vec<Vec<String>> = Vec::new();
    // The drawing is indented one space; a description running on is indented further.
    let lines = block.lines().map(|l| l.strip_prefix(' ').unwrap_or(l));
    for line in lines.filter(|l| l.starts_with(|c: char| c.is_alphanumeric())) {
        let (names, description) = line.split_once("  ").unwrap_or((line, ""));
        let names: Vec<String> = names.split(" · ").map(|n| n.trim().to_owned()).collect();
        match layers.last_mut() {
            Some(above) if description.trim_start().starts_with("(same layer)") => {
                above.extend(names)
            }
            _ => layers.push(names),
        }
    }
    layers.reverse();
    layers
}

#[test]
fn the_architecture_page_draws_these_layers() {
    let doc = std::fs::read_to_string(src().join("../../../docs/architecture.md")).unwrap();
    let expected: Vec<Vec<String>> = LAYERS
        .iter()
        .map(|layer| layer.iter().map(|m| m.to_string()).collect())
        .collect();
    assert_eq!(
        documented_layers(&doc),
        expected,
        "docs/architecture.md's layers differ from LAYERS: redraw them (highest first)"
    );
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

// Cycles between the files of one module.
//
// The files of a module directory are its parent file (`mod.rs`, or `lib.rs` at a crate's
// root) and its children (each other `.rs` file, each folder with a `mod.rs`). An edge
// A -> B means A's own code (test code and comments aside) uses an item of B:
// - a child uses a sibling through `super::b::…`, `crate::<module>::b::…` or a group of
//   those; an item it takes from `super::` counts against the file that defines it: the
//   parent when the parent defines it, the child the parent re-exports it from otherwise;
// - the parent uses a child through `b::…`, `self::b::…` or `crate::<module>::b::…`, or
//   by naming an item it re-exports from b.
// The parent declaring `mod b;` and re-exporting with `pub use b::…` is not an edge: that
// is how a module shows its face, and it does not make the parent's code depend on b. A
// child that uses what the parent defines while the parent's own code calls into that
// child is a cycle, as between any two files.

/// A Rust file's tokens, enough to follow paths: identifiers, `::` and single punctuation.
/// Strings, chars and comments are skipped.
fn tokens(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == 'r' && chars.get(i + 1) == Some(&'#') {
            let end = code_position(&chars, i, "\"#");
            i = end + 2;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push("::".into());
            i += 2;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

fn code_position(chars: &[char], from: usize, needle: &str) -> usize {
    let needle: Vec<char> = needle.chars().collect();
    (from..chars.len())
        .find(|&i| chars[i..].starts_with(&needle))
        .unwrap_or(chars.len())
}

/// A use tree at `at` (`b::X`, `{b::{X, Y as Z}, W}`): each path's first segment and the
/// name it is known by here; and where the tree ends.
fn use_tree(t: &[String], mut at: usize) -> (Vec<(String, String)>, usize) {
    let mut found = Vec::new();
    if t.get(at).map(String::as_str) == Some("{") {
        at += 1;
        while at < t.len() && t[at] != "}" {
            let (inner, next) = use_tree(t, at);
            found.extend(inner);
            at = next;
            if t.get(at).map(String::as_str) == Some(",") {
                at += 1;
            }
        }
        return (found, at + 1);
    }
    let Some(first) = t.get(at).cloned() else {
        return (found, at);
    };
    at += 1;
    if t.get(at).map(String::as_str) == Some("::") {
        let (inner, next) = use_tree(t, at + 1);
        let name = inner.last().map_or(first.clone(), |(_, n)| n.clone());
        found.extend(inner.into_iter().map(|(_, n)| (first.clone(), n)));
        if found.is_empty() {
            found.push((first, name));
        }
        return (found, next);
    }
    if t.get(at).map(String::as_str) == Some("as") {
        let alias = t.get(at + 1).cloned().unwrap_or_default();
        return (vec![(first, alias)], at + 2);
    }
    (vec![(first.clone(), first)], at)
}

/// Every path that starts with `prefix` (tokens such as `super ::`), read as a use tree.
fn paths_after(t: &[String], prefix: &[String]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for at in 0..t.len() {
        if t[at..].starts_with(prefix) && (at == 0 || t[at - 1] != "::") {
            found.extend(use_tree(t, at + prefix.len()).0);
        }
    }
    found
}

/// The parent's tokens without `mod b;` and `pub use …;`, and what those re-export.
fn without_reexports(t: &[String]) -> (Vec<String>, Vec<(String, String)>) {
    let mut kept = Vec::new();
    let mut exported = Vec::new();
    let mut at = 0;
    while at < t.len() {
        let mut start = at;
        if t[at] == "pub" {
            start += if t.get(at + 1).map(String::as_str) == Some("(") {
                4
            } else {
                1
            };
        }
        match t.get(start).map(String::as_str) {
            Some("use") if start > at => {
                let (names, end) = use_tree(t, start + 1);
                exported.extend(names);
                at = end + 1;
            }
            Some("mod") if t.get(start + 2).map(String::as_str) == Some(";") => at = start + 3,
            _ => {
                kept.push(t[at].clone());
                at += 1;
            }
        }
    }
    (kept, exported)
}

/// Names the parent's own code defines (items, and the first name in a macro's braces
/// such as `text_enum! { Trigger, … }`).
fn defined_in(t: &[String]) -> BTreeSet<String> {
    let keywords = [
        "fn", "struct", "enum", "trait", "type", "const", "static", "mod",
    ];
    let mut names = BTreeSet::new();
    for at in 1..t.len() {
        let macro_braces = at >= 2 && t[at - 1] == "{" && t[at - 2] == "!";
        if keywords.contains(&t[at - 1].as_str())
            || (macro_braces && t.get(at + 1).is_some_and(|n| n == ","))
        {
            names.insert(t[at].clone());
        }
    }
    names
}

fn code_tokens(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    tokens(text.split("#[cfg(test)]").next().unwrap_or_default())
}

fn words(path: &str) -> Vec<String> {
    tokens(path)
}

/// The edges between the files of the module in `dir` (`src` is the crate's source root).
fn file_edges(src: &Path, dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let (parent_name, parent) = if dir == src {
        ("lib", dir.join("lib.rs"))
    } else if dir.join("mod.rs").exists() {
        ("mod", dir.join("mod.rs"))
    } else {
        ("mod", dir.with_extension("rs"))
    };
    let mut children = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() && path.join("mod.rs").exists() {
            children.insert(stem, path.join("mod.rs"));
        } else if path.extension().is_some_and(|e| e == "rs")
            && !["mod", "lib", "main"].contains(&stem.as_str())
        {
            children.insert(stem, path);
        }
    }
    if !parent.exists() || children.is_empty() {
        return BTreeMap::new();
    }
    let mut own = words("crate::");
    for part in dir.strip_prefix(src).unwrap().components() {
        own.extend(words(&format!("{}::", part.as_os_str().to_string_lossy())));
    }
    let (parent_code, exported) = without_reexports(&code_tokens(&parent));
    let reexported: BTreeMap<String, String> = exported
        .into_iter()
        .filter(|(first, _)| children.contains_key(first))
        .map(|(first, name)| (name, first))
        .collect();
    let defined = defined_in(&parent_code);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, file) in &children {
        let code = code_tokens(file);
        let mut uses = BTreeSet::new();
        for prefix in [words("super::"), own.clone()] {
            for (first, _) in paths_after(&code, &prefix) {
                if children.contains_key(&first) {
                    uses.insert(first);
                } else if defined.contains(&first) || first == "*" {
                    uses.insert(parent_name.to_owned());
                } else if let Some(child) = reexported.get(&first) {
                    uses.insert(child.clone());
                }
            }
        }
        uses.remove(name);
        edges.insert(name.clone(), uses);
    }
    let mut uses = BTreeSet::new();
    for prefix in [words("self::"), own] {
        for (first, _) in paths_after(&parent_code, &prefix) {
            if children.contains_key(&first) {
                uses.insert(first);
            }
        }
    }
    for (at, token) in parent_code.iter().enumerate() {
        // `x::name` and `value.name` are not the re-exported `name`.
        let after_path = at > 0 && (parent_code[at - 1] == "::" || parent_code[at - 1] == ".");
        if children.contains_key(token)
            && !after_path
            && parent_code.get(at + 1).is_some_and(|n| n == "::")
        {
            uses.insert(token.clone());
        }
        if let Some(child) = reexported.get(token).filter(|_| !after_path) {
            uses.insert(child.clone());
        }
    }
    edges.insert(parent_name.to_owned(), uses);
    edges
}

/// Groups of files that use each other, directly or round a loop (Tarjan's strongly
/// connected components with more than one file).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        for u in w.edges.get(v).into_iter().flatten() {
            let u = u.as_str();
            if !w.index.contains_key(u) {
                visit(w, u);
                let low = w.low[v].min(w.low[u]);
                w.low.insert(v, low);
            } else if w.stack.contains(&u) {
                let low = w.low[v].min(w.index[u]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let at = w.stack.iter().position(|x| *x == v).unwrap();
            let mut group: Vec<String> = w.stack.drain(at..).map(String::from).collect();
            if group.len() > 1 {
                group.sort();
                w.found.push(group);
            }
        }
    }
    let mut w = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.found
}

/// Each cycle in a crate's modules as `dir: a <-> b`.
fn file_cycles(src: &Path) -> Vec<String> {
    let mut dirs = vec![src.to_path_buf()];
    let mut found = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            }
        }
        let crates = src.parent().and_then(Path::parent).unwrap();
        let name = dir.strip_prefix(crates).unwrap().display().to_string();
        for group in cycles(&file_edges(src, &dir)) {
            found.push(format!("{name}: {}", group.join(" <-> ")));
        }
    }
    found.sort();
    found
}

#[test]
fn no_cycles_between_the_files_of_a_module() {
    let mut found = file_cycles(&src());
    let simulator = src().join("../../graph-sim/src").canonicalize().unwrap();
    found.extend(file_cycles(&simulator));
    assert!(found.is_empty(), "cycles between files:\n{found:#?}");
}

#[test]
fn a_parent_that_only_reexports_is_no_cycle() {
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    let module = dir.join("m");
    std::fs::create_dir_all(&module).unwrap();
    let write = |name: &str, text: &str| std::fs::write(module.join(name), text).unwrap();
    write("a.rs", "use super::Kind;\npub fn a() -> Kind { Kind }\n");
    write("b.rs", "use super::a::a;\npub fn b() { a(); }\n");
    // Declaring and re-exporting a and b, and defining what a uses: no cycle.
    write(
        "mod.rs",
        "mod a;\nmod b;\npub use a::a;\npub use b::{b as run};\npub struct Kind;\n",
    );
    assert!(cycles(&file_edges(&dir, &module)).is_empty());
    // Calling into a, which uses what mod.rs defines: a cycle.
    write(
        "mod.rs",
        "mod a;\npub struct Kind;\npub fn go() { a::a(); }\n",
    );
    assert_eq!(
        cycles(&file_edges(&dir, &module)),
        vec![vec!["a".to_owned(), "mod".to_owned()]]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
