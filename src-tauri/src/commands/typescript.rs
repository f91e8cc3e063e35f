//! Writes what is generated from the command and event tables: the TypeScript client
//! (ui/src/bindings/commands.ts, beside ts-rs's types), the command list build.rs reads
//! (names.rs) and the window's capability. `cargo test -p uniasset-desktop` rewrites any that
//! is stale and fails, so a stale file never passes CI unnoticed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ts_rs::{Config, Dependency, TypeVisitor, TS};
use uniasset_core::backup::BackupError;
use uniasset_core::entra::{EntraCheck, EntraError, ReactivationError};
use uniasset_core::sessions::SignInError;
use uniasset_core::ErrorCode;

/// One line of a `commands!` table.
pub struct Command {
    pub name: &'static str,
    pub args: Vec<(&'static str, Ts)>,
    pub returns: Ts,
}

/// One line of the `events!` table.
pub struct Event {
    pub name: &'static str,
    pub wire: &'static str,
    pub doc: &'static str,
    pub payload: Ts,
}

/// A Rust type as TypeScript names it, and the ts-rs bindings that name needs imported.
pub struct Ts {
    name: String,
    imports: BTreeMap<String, PathBuf>,
}

impl Ts {
    pub fn of<T: TS + 'static>() -> Ts {
        struct Collect<'a>(&'a Config, Vec<Dependency>);
        impl TypeVisitor for Collect<'_> {
            fn visit<U: TS + 'static + ?Sized>(&mut self) {
                self.1.extend(Dependency::from_ty::<U>(self.0));
            }
        }
        let cfg = config();
        let name = T::name(&cfg);
        let mut found = Collect(&cfg, Vec::new());
        found.visit::<T>();
        T::visit_generics(&mut found);
        // A struct's dependencies are its fields' types; only those the name mentions
        // (`Array<Asset>`, `Asset | null`) are imported here.
        let imports = found
            .1
            .into_iter()
            .filter(|d| mentions(&name, &d.ts_name))
            .map(|d| (d.ts_name, d.output_path))
            .collect();
        Ts { name, imports }
    }
}

/// The error codes the window branches on, read from the core errors that carry them.
fn error_codes() -> Vec<&'static str> {
    let entra_says_disabled = EntraCheck {
        state: String::new(),
        live: true,
        warning: String::new(),
    };
    vec![
        SignInError::SessionEnded.code(),
        SignInError::WrongPassword.code(),
        ReactivationError::NeedsConfirmation(entra_says_disabled).code(),
        BackupError::PassphraseNeeded(Default::default()).code(),
        EntraError::AdminRoleNeeded {
            account: String::new(),
            needs: "",
        }
        .code(),
        EntraError::DisableRefused(String::new()).code(),
    ]
}

fn config() -> Config {
    // Ids and counts are i64 in Rust and plain numbers in JSON, as in the core's bindings.
    Config::new().with_large_int("number")
}

fn mentions(ts_type: &str, ident: &str) -> bool {
    ts_type
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|word| word == ident)
}

/// `user_id` → `userId`, as Tauri maps a command's JSON keys to its parameters.
fn camel(snake: &str) -> String {
    let mut out = String::new();
    for (i, part) in snake.split('_').filter(|p| !p.is_empty()).enumerate() {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                out.push(first);
            } else {
                out.extend(first.to_uppercase());
            }
            out.push_str(chars.as_str());
        }
    }
    out
}

/// A parameter name TypeScript accepts (strict mode reserves a few a Rust name may take).
fn parameter(key: &str) -> String {
    const RESERVED: &[&str] = &[
        "arguments",
        "await",
        "case",
        "catch",
        "class",
        "const",
        "debugger",
        "default",
        "delete",
        "do",
        "eval",
        "export",
        "extends",
        "finally",
        "function",
        "implements",
        "import",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "static",
        "switch",
        "this",
        "throw",
        "try",
        "typeof",
        "var",
        "void",
        "with",
        "yield",
    ];
    if RESERVED.contains(&key) {
        format!("{key}_")
    } else {
        key.to_owned()
    }
}

fn pascal(snake: &str) -> String {
    let camel = camel(snake);
    let mut chars = camel.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn doc_comment(doc: &str, indent: &str) -> String {
    let lines: Vec<&str> = doc.lines().map(str::trim).collect();
    match lines.as_slice() {
        [] => String::new(),
        [one] => format!("{indent}/** {one} */\n"),
        many => {
            let body: String = many.iter().map(|l| format!("{indent} * {l}\n")).collect();
            format!("{indent}/**\n{body}{indent} */\n")
        }
    }
}

pub fn typescript(commands: &[Command], events: &[Event], codes: &[&str]) -> String {
    let mut imports = BTreeMap::new();
    for ts in commands
        .iter()
        .flat_map(|c| c.args.iter().map(|(_, ts)| ts).chain([&c.returns]))
        .chain(events.iter().map(|e| &e.payload))
    {
        imports.extend(ts.imports.clone());
    }

    let mut out = String::from(
        "// Generated by `cargo test -p uniasset-desktop` from the `commands!` and `events!` tables in\n\
         // src-tauri/src/commands and src-tauri/src/events.rs. Do not edit this file by hand.\n",
    );
    if !events.is_empty() {
        out.push_str("import { listen, type UnlistenFn } from \"@tauri-apps/api/event\";\n");
    }
    for (ident, path) in &imports {
        let module = path.with_extension("");
        out.push_str(&format!(
            "import type {{ {ident} }} from \"./{}\";\n",
            module.display()
        ));
    }

    out.push_str(
        "\n/** Sends one command to the shell (lib/api.ts passes `invoke` with the app's error handling). */\n\
         export type Call = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;\n\
         \n/** The commands the window may call; argument keys are camelCased, as Tauri expects. */\n\
         export function commands(call: Call) {\n  return {\n",
    );
    for command in commands {
        let params: Vec<String> = command
            .args
            .iter()
            .map(|(arg, ts)| format!("{}: {}", parameter(&camel(arg)), ts.name))
            .collect();
        let keys: Vec<String> = command
            .args
            .iter()
            .map(|(arg, _)| {
                let key = camel(arg);
                match parameter(&key) {
                    name if name == key => key,
                    name => format!("{key}: {name}"),
                }
            })
            .collect();
        let args = if keys.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", keys.join(", "))
        };
        out.push_str(&format!(
            "    {}: ({}) => call<{}>(\"{}\"{args}),\n",
            camel(command.name),
            params.join(", "),
            command.returns.name,
            command.name,
        ));
    }
    out.push_str("  };\n}\n");
    out.push_str(&command_map(commands));

    out.push_str("\n/** The shell's events; each `on…` resolves to the function that stops listening. */\nexport const events = {\n");
    for event in events {
        out.push_str(&doc_comment(event.doc, "  "));
        out.push_str(&format!(
            "  on{}: (handler: (payload: {payload}) => void): Promise<UnlistenFn> =>\n    listen<{payload}>(\"{}\", (event) => handler(event.payload)),\n",
            pascal(event.name),
            event.wire,
            payload = event.payload.name,
        ));
    }
    out.push_str("};\n");

    out.push_str(
        "\n/** The error codes the window branches on, as the core's errors carry them. */\n\
         export const ErrorCodes = {\n",
    );
    for code in codes {
        out.push_str(&format!("  {}: \"{code}\",\n", camel(code)));
    }
    out.push_str(
        "} as const;\n\nexport type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];\n",
    );
    out
}

/// Each command's arguments as they arrive (camelCased keys) and its answer, by wire name:
/// the type a test double of the core is checked against, so a renamed command, a changed
/// argument or a changed answer fails the front end's type check.
fn command_map(commands: &[Command]) -> String {
    let mut out = String::from(
        "\n/** Each command's arguments, as sent, and its answer: what a test double must match. */\n\
         export type CommandMap = {\n",
    );
    for command in commands {
        let args: Vec<String> = command
            .args
            .iter()
            .map(|(arg, ts)| format!("{}: {}", camel(arg), ts.name))
            .collect();
        let args = if args.is_empty() {
            "Record<string, never>".to_owned()
        } else {
            format!("{{ {} }}", args.join("; "))
        };
        out.push_str(&format!(
            "  {}: {{ args: {args}; returns: {} }};\n",
            command.name, command.returns.name
        ));
    }
    out.push_str("};\n");
    out
}

/// build.rs includes this to generate a permission per command.
fn names(commands: &[Command]) -> String {
    let mut out = String::from(
        "// Generated by `cargo test -p uniasset-desktop` from the `commands!` tables in\n\
         // src/commands; do not edit. build.rs includes it to generate a permission per command.\n\
         pub const COMMANDS: &[&str] = &[\n",
    );
    for command in commands {
        out.push_str(&format!("    \"{}\",\n", command.name));
    }
    out.push_str("];\n");
    out
}

/// The main window is granted exactly the app's commands, listening for its events, and the
/// native open and save pickers (Import CSV, Export CSV); the files themselves are read and
/// written by the core, never by the window.
fn capability(commands: &[Command]) -> String {
    let mut permissions: Vec<String> = [
        "core:event:allow-listen",
        "core:event:allow-unlisten",
        "dialog:allow-open",
        "dialog:allow-save",
    ]
    .map(str::to_owned)
    .to_vec();
    permissions.extend(
        commands
            .iter()
            .map(|c| format!("allow-{}", c.name.replace('_', "-"))),
    );
    let capability = serde_json::json!({
        "$schema": "../gen/schemas/desktop-schema.json",
        "identifier": "main-window",
        "description": "Generated by `cargo test -p uniasset-desktop` from src/commands: the main window may call the app's own commands, listen for its events and open the native file pickers; nothing else.",
        "windows": ["main"],
        "permissions": permissions,
    });
    serde_json::to_string_pretty(&capability).unwrap() + "\n"
}

/// Rewrites each generated file that differs from what the tables give; says which did.
fn write_if_stale(files: &[(PathBuf, String)]) -> Vec<String> {
    let mut stale = Vec::new();
    for (path, text) in files {
        if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
            std::fs::write(path, text).unwrap();
            stale.push(path.display().to_string());
        }
    }
    stale
}

#[test]
fn the_generated_client_names_and_capability_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let commands = super::signatures();
    let events = crate::events::signatures();
    let stale = write_if_stale(&[
        (
            root.join("../ui/src/bindings/commands.ts"),
            typescript(&commands, &events, &error_codes()),
        ),
        (root.join("src/commands/names.rs"), names(&commands)),
        (
            root.join("capabilities/main-window.json"),
            capability(&commands),
        ),
    ]);
    assert!(
        stale.is_empty(),
        "{} did not match the command tables and have been regenerated; review and commit \
         them (run cargo test -p uniasset-desktop again to see this pass)",
        stale.join(", ")
    );
}

#[test]
fn command_names_are_unique_across_areas() {
    let mut names: Vec<_> = super::signatures().iter().map(|c| c.name).collect();
    let all = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), all, "two areas declare the same command");
}

#[test]
fn typescript_names_keep_to_what_tauri_and_strict_mode_accept() {
    assert_eq!(camel("user_id"), "userId");
    assert_eq!(camel("auto_deprovision"), "autoDeprovision");
    assert_eq!(camel("query"), "query");
    assert_eq!(pascal("sync_finished"), "SyncFinished");
    assert_eq!(parameter("protected"), "protected_");
    assert_eq!(parameter("userId"), "userId");
    let vec = Ts::of::<Vec<uniasset_core::assets::Asset>>();
    assert_eq!(vec.name, "Array<Asset>");
    assert_eq!(vec.imports.keys().collect::<Vec<_>>(), ["Asset"]);
    let user = Ts::of::<uniasset_core::directory::User>();
    assert_eq!(user.imports.keys().collect::<Vec<_>>(), ["User"]);
    assert_eq!(Ts::of::<i64>().name, "number");
    assert_eq!(Ts::of::<()>().name, "null");
}
