"""Fail on an import cycle among kincare's modules, counting imports inside functions.

Reads every module under ``src/kincare`` (tests and migrations excluded) with ``ast``, builds the
graph of ``kincare.*`` imports (module level, inside functions and under ``TYPE_CHECKING`` alike:
a cycle hidden in a function is still a cycle), folds each module into the unit that owns it — a
package's ``__init__`` and its submodules are separate nodes, ``from pkg import name`` points at
``pkg.name`` when that is a module, else at ``pkg`` — and prints every strongly connected
component of more than one module. Exit status 1 when there is any.

It also checks the layering rule: ``kincare.core`` imports no app.

    .venv/bin/python scripts/import_cycles.py
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "kincare"
#: modules of kincare that are not apps (core may import them)
BELOW_CORE = {"kincare.settings", "kincare.env", "kincare.celery"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def skipped(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "tests" in parts or "migrations" in parts or path.name in {"conftest.py"}


def collect() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py")) if not skipped(p)}


def resolve(target: str, modules: dict[str, Path]) -> str | None:
    """The longest known module that ``target`` names (``a.b.c`` → ``a.b`` if c is not a module)."""
    while target:
        if target in modules:
            return target
        if "." not in target:
            return None
        target = target.rsplit(".", 1)[0]
    return None


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + "."):
                    hit = resolve(alias.name, modules)
                    if hit:
                        found.add(hit)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = name.split(".") if is_package else name.split(".")[:-1]
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if not (base == PACKAGE or base.startswith(PACKAGE + ".")):
                continue
            for alias in node.names:
                hit = resolve(f"{base}.{alias.name}", modules)
                if hit:
                    found.add(hit)
    found.discard(name)
    return found


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    item = stack.pop()
                    on_stack.discard(item)
                    component.append(item)
                    if item == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return result


def main() -> int:
    modules = collect()
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    # a package imports its own submodules through ``__init__``; that edge alone is not a cycle
    # we want to forbid, but a submodule importing its package's ``__init__`` back is.
    problems = 0
    for component in strongly_connected(graph):
        problems += 1
        print("import cycle:", " ↔ ".join(component))
        members = set(component)
        for module in component:
            for target in sorted(graph[module] & members):
                print(f"    {module} → {target}")
    core_deps: dict[str, set[str]] = defaultdict(set)
    for name, targets in graph.items():
        if name == "kincare.core" or name.startswith("kincare.core."):
            for target in targets:
                if not (target.startswith("kincare.core") or target in BELOW_CORE or target == PACKAGE):
                    core_deps[name].add(target)
    for name in sorted(core_deps):
        problems += 1
        print(f"core depends on an app: {name} → {', '.join(sorted(core_deps[name]))}")
    if problems:
        print(f"{problems} problem(s)")
        return 1
    print(f"no import cycle among {len(modules)} modules; core imports no app")
    return 0


if __name__ == "__main__":
    sys.exit(main())
