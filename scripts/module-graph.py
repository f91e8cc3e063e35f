#!/usr/bin/env python3
"""Prints the dependencies between the core's top-level modules, read from every
`crate::x` path in crates/core/src (or the source folder given): one line per module with
what it uses, then the cycles, if any. `--dot` prints Graphviz instead
(`| dot -Tpng > graph.png`)."""
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


def main() -> None:
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
