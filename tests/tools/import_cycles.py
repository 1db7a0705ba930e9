"""Find the import cycles in ``ft_dcc/`` and ``hosts/`` (imported as ``ft_dcc_hosts``).

Usage: ``python tests/tools/import_cycles.py`` - prints each cycle (a strongly connected
component of the module graph with more than one module, or a module importing itself) and
exits 1 when there is one.

Every ``import`` and ``from ... import`` statement counts, wherever it stands: at the top,
under ``if TYPE_CHECKING:``, inside a function or a ``try``. A name ``from package import name``
is an edge to ``package.name`` when that is a module, otherwise to ``package``. The graph is
read from the source (``ast``), so nothing is imported and a host's own API need not exist.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set

ROOT = Path(__file__).resolve().parents[2]
#: the folders scanned and the package name each imports as
PACKAGES = {"ft_dcc": ROOT / "ft_dcc", "ft_dcc_hosts": ROOT / "hosts"}

Graph = Dict[str, Set[str]]


def module_files(packages: Dict[str, Path] = PACKAGES) -> Dict[str, Path]:
    """Every module's dotted name and its file (a package is its ``__init__.py``)."""
    found: Dict[str, Path] = {}
    for name, folder in packages.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([name, *parts])] = path
    return found


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imported(node: ast.AST, module: str, is_package: bool, known: Set[str]) -> Iterator[str]:
    """The modules of ours one import statement names."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    if not isinstance(node, ast.ImportFrom):
        return
    base = node.module or ""
    if node.level:
        here = module.split(".") if is_package else module.split(".")[:-1]
        if node.level > 1:
            here = here[: len(here) - (node.level - 1)]
        base = ".".join([*here, base]) if base else ".".join(here)
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        yield submodule if submodule in known else base


def _ours(name: str, known: Set[str]) -> Optional[str]:
    """The nearest module of ours ``name`` refers to (``a.b.c`` -> ``a.b`` when c is a class)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(packages: Dict[str, Path] = PACKAGES) -> Graph:
    """Module -> the modules of ours it imports, every import statement counted."""
    files = module_files(packages)
    known = set(files)
    graph: Graph = {name: set() for name in files}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for target in _imported(node, name, _is_package(path), known):
                ours = _ours(target, known)
                if ours is not None and ours != name:
                    graph[name].add(ours)
    return graph


def cycles(graph: Graph) -> List[List[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        # iterative Tarjan: (node, iterator over its successors)
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(found)


def describe(component: List[str], graph: Graph) -> str:
    """A component as its modules and the imports between them."""
    members = set(component)
    lines = [f"{len(component)} modules: " + ", ".join(component)]
    for name in component:
        inside = sorted(graph[name] & members)
        lines.append(f"    {name} -> {', '.join(inside)}")
    return "\n".join(lines)


def main() -> int:
    graph = import_graph()
    found = cycles(graph)
    print(f"{len(graph)} modules, {len(found)} import cycles")
    for component in found:
        print(describe(component, graph))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
