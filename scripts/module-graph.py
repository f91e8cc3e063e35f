#!/usr/bin/env python3
"""Prints the dependencies between the core's top-level modules, read from every
`crate::x` path in crates/core/src (or the source folder given): one line per module with
what it uses, then the cycles, if any. `--dot` prints Graphviz instead
(`| dot -Tpng > graph.png`). `--files` prints, for each module folder, the cycles between
its files, by the rule crates/core/tests/it/layers.rs keeps (see its comment there)."""
import re
import sys
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
SRC = Path(ARGS[0]) if ARGS else Path(__file__).resolve().parent.parent / "crates" / "core" / "src"
PATH = re.compile(r"\bcrate::([a-z_]+)")
USE_GROUP = re.compile(r"\buse crate::\{([^}]*)\}", re.S)


def top_module(file: Path) -> str:
    rel = file.relative_to(SRC)
    return rel.parts[0].removesuffix(".rs")


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for file in sorted(SRC.rglob("*.rs")):
        module = top_module(file)
        if module == "lib":
            continue
        text = file.read_text()
        # Tests may reach anywhere; only the module's own code counts.
        text = text.split("#[cfg(test)]")[0]
        used = set(PATH.findall(text))
        for group in USE_GROUP.findall(text):
            used.update(re.findall(r"(?:^|,)\s*([a-z_]+)", group))
        used.discard(module)
        edges.setdefault(module, set()).update(u for u in used if (SRC / u).exists() or (SRC / f"{u}.rs").exists())
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


TOKEN = re.compile(r'r#".*?"#|"(?:\\.|[^"\\])*"|\'.\'|//[^\n]*|::|[A-Za-z0-9_]+|\S', re.S)


def tokens(file: Path) -> list[str]:
    """The file's own code (test code aside) as identifiers, `::` and punctuation;
    strings, chars and comments dropped."""
    code = file.read_text().split("#[cfg(test)]")[0]
    return [t for t in TOKEN.findall(code) if not t.startswith(("//", '"', "'", 'r#"'))]


def use_tree(t: list[str], at: int) -> tuple[list[tuple[str, str]], int]:
    """Each path of the use tree at `at` as (first segment, name known by here); its end."""
    if at < len(t) and t[at] == "{":
        found, at = [], at + 1
        while at < len(t) and t[at] != "}":
            inner, at = use_tree(t, at)
            found += inner
            if at < len(t) and t[at] == ",":
                at += 1
        return found, at + 1
    if at >= len(t):
        return [], at
    first, at = t[at], at + 1
    if at < len(t) and t[at] == "::":
        inner, end = use_tree(t, at + 1)
        return ([(first, n) for _, n in inner] or [(first, first)]), end
    if at < len(t) and t[at] == "as":
        return [(first, t[at + 1])], at + 2
    return [(first, first)], at


def paths_after(t: list[str], prefix: list[str]) -> list[tuple[str, str]]:
    found = []
    for at in range(len(t)):
        if t[at:at + len(prefix)] == prefix and (at == 0 or t[at - 1] != "::"):
            found += use_tree(t, at + len(prefix))[0]
    return found


def without_reexports(t: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    kept, exported, at = [], [], 0
    while at < len(t):
        start = at + (4 if t[at:at + 2] == ["pub", "("] else 1 if t[at] == "pub" else 0)
        if start > at and start < len(t) and t[start] == "use":
            names, end = use_tree(t, start + 1)
            exported += names
            at = end + 1
        elif start < len(t) and t[start] == "mod" and t[start + 2:start + 3] == [";"]:
            at = start + 3
        else:
            kept.append(t[at])
            at += 1
    return kept, exported


def defined_in(t: list[str]) -> set[str]:
    keywords = {"fn", "struct", "enum", "trait", "type", "const", "static", "mod"}
    return {
        t[at] for at in range(1, len(t))
        if t[at - 1] in keywords or (at >= 2 and t[at - 2:at] == ["!", "{"] and t[at + 1:at + 2] == [","])
    }


def file_edges(src: Path, folder: Path) -> dict[str, set[str]]:
    """Edges between the files of one module folder (the rule: crates/core/tests/it/layers.rs)."""
    if folder == src:
        parent_name, parent = "lib", folder / "lib.rs"
    elif (folder / "mod.rs").exists():
        parent_name, parent = "mod", folder / "mod.rs"
    else:
        parent_name, parent = "mod", folder.with_suffix(".rs")
    children = {}
    for path in folder.iterdir():
        if path.is_dir() and (path / "mod.rs").exists():
            children[path.name] = path / "mod.rs"
        elif path.suffix == ".rs" and path.stem not in ("mod", "lib", "main"):
            children[path.stem] = path
    if not parent.exists() or not children:
        return {}
    own = ["crate", "::"] + [x for part in folder.relative_to(src).parts for x in (part, "::")]
    parent_code, exported = without_reexports(tokens(parent))
    reexported = {name: first for first, name in exported if first in children}
    defined = defined_in(parent_code)
    edges: dict[str, set[str]] = {}
    for name, file in children.items():
        code = tokens(file)
        uses = set()
        for prefix in (["super", "::"], own):
            for first, _ in paths_after(code, prefix):
                if first in children:
                    uses.add(first)
                elif first in defined or first == "*":
                    uses.add(parent_name)
                elif first in reexported:
                    uses.add(reexported[first])
        uses.discard(name)
        edges[name] = uses
    uses = {first for prefix in (["self", "::"], own) for first, _ in paths_after(parent_code, prefix) if first in children}
    for at, token in enumerate(parent_code):
        after_path = at > 0 and parent_code[at - 1] in ("::", ".")
        if token in children and not after_path and parent_code[at + 1:at + 2] == ["::"]:
            uses.add(token)
        if token in reexported and not after_path:
            uses.add(reexported[token])
    edges[parent_name] = uses
    return edges


def main() -> None:
    if "--files" in sys.argv:
        found = []
        for folder in sorted([SRC] + [p for p in SRC.rglob("*") if p.is_dir()]):
            edges = file_edges(SRC, folder)
            for module, used in sorted(edges.items()):
                print(f"{folder.relative_to(SRC.parent)}/{module:<18} -> {', '.join(sorted(used)) or '(nothing)'}")
            found += [f"{folder.relative_to(SRC.parent)}: " + " <-> ".join(c) for c in cycles(edges)]
        print()
        print("cycles between files:" if found else "no cycles between files")
        for c in found:
            print("  " + c)
        return
    edges = graph()
    if "--dot" in sys.argv:
        print("digraph core {")
        for module, used in sorted(edges.items()):
            for u in sorted(used):
                print(f'  "{module}" -> "{u}";')
        print("}")
        return
    for module, used in sorted(edges.items()):
        print(f"{module:<14} -> {', '.join(sorted(used)) or '(nothing)'}")
    found = cycles(edges)
    print()
    print("cycles:" if found else "no cycles")
    for c in found:
        print("  " + " <-> ".join(c))


if __name__ == "__main__":
    main()
