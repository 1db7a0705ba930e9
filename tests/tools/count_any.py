"""Count the public functions and methods with ``Any`` in their signature, per area.

Usage: ``python tests/tools/count_any.py [--list AREA]`` - prints a table (area, public
functions, those with ``Any``, share); ``--list`` names them for one area.

Public: the name does not start with ``_`` (module-level functions and methods of classes;
functions nested in functions are not counted). A signature has ``Any`` when a parameter's or
the return annotation mentions the name ``Any`` (``Any``, ``typing.Any``, ``Dict[str, Any]``,
``**options: Any``...) or a name the tree aliases to it (``Node = Any``): an alias does not
hide an ``Any``. Read from the source with ``ast``; nothing is imported.

The one place an alias is counted apart is a host's ``untyped.py`` (``hosts/<dcc>/untyped.py``):
each name there stands for an object of the host's own API that ships no type information
(a ``bpy`` scene, a ``nuke.Node``), with a line saying which. A signature whose only ``Any``
comes from those names is counted in the "host API" column, not in "with Any".
"""

from __future__ import annotations

import argparse
import ast
import functools
import sys
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

ROOT = Path(__file__).resolve().parents[2]

#: area name -> (folder, file name prefix or None)
AREAS: List[Tuple[str, Path, Optional[str]]] = [
    ("session", ROOT / "ft_dcc" / "session", None),
    ("publish", ROOT / "ft_dcc" / "publish", None),
    ("host", ROOT / "ft_dcc" / "host", None),
    ("media", ROOT / "ft_dcc" / "media", None),
    ("review", ROOT / "ft_dcc" / "review", None),
    ("review", ROOT / "ft_dcc", "review"),  # the loose review*.py modules before the review room
    ("protocol", ROOT / "ft_dcc" / "protocol", None),
    ("settings", ROOT / "ft_dcc" / "settings", None),
    ("farm", ROOT / "ft_dcc" / "farm", None),
    ("core (top)", ROOT / "ft_dcc", ""),  # cli.py, demo.py, console.py...
    ("server", ROOT / "ft_dcc" / "server", None),
    ("hosts/maya", ROOT / "hosts" / "maya", None),
    ("hosts/nuke", ROOT / "hosts" / "nuke", None),
    ("hosts/blender", ROOT / "hosts" / "blender", None),
]

FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)

#: the file in each host that declares the host API's untyped objects
HOST_UNTYPED = "untyped.py"


def _is_any(value: Optional[ast.AST]) -> bool:
    return (isinstance(value, ast.Name) and value.id == "Any") or (
        isinstance(value, ast.Attribute) and value.attr == "Any"
    )


def _is_any_alias(value: Optional[ast.AST]) -> bool:
    """A type expression that is or contains ``Any`` (``Any``, ``Dict[str, Any]``)."""
    if not isinstance(value, (ast.Name, ast.Attribute, ast.Subscript)):
        return False
    return any(_is_any(node) for node in ast.walk(value))


@functools.cache
def _aliases_of_any(path: Path) -> Tuple[str, ...]:
    """Module-level names ``path`` binds to a type with ``Any`` in it (``X = Any``,
    ``X: TypeAlias = Any``, ``Json = Dict[str, Any]``); each file read once (the aliases of the
    tree, and each module importing from it, ask again)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: List[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and _is_any_alias(node.value):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif (
            isinstance(node, ast.AnnAssign)
            and _is_any_alias(node.value)
            and isinstance(node.target, ast.Name)
        ):
            names.append(node.target.id)
    return tuple(names)


def _module_file(module: str) -> Optional[Path]:
    """The file of ``ft_dcc.x.y`` or ``ft_dcc_hosts.x`` (the hosts' installed name) in the tree."""
    parts = module.split(".")
    roots = {"ft_dcc": ROOT / "ft_dcc", "ft_dcc_hosts": ROOT / "hosts"}
    if parts[0] not in roots:
        return None
    return _package_file(roots[parts[0]].joinpath(*parts[1:]))


def _package_file(target: Path) -> Optional[Path]:
    for candidate in (Path(f"{target}.py"), target / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_file(path: Path, node: ast.ImportFrom) -> Optional[Path]:
    if node.level == 0:
        return _module_file(node.module or "")
    package = path.parent
    for _ in range(node.level - 1):
        package = package.parent
    return _package_file(package.joinpath(*(node.module or "").split(".")))


@functools.cache
def visible_aliases(path: Path) -> FrozenSet[str]:
    """The names ``path`` can use for a type with ``Any`` in it: its own aliases, and those it
    imports by name from a module of the tree that defines them (``from .x import Row``)."""
    names = set(_aliases_of_any(path))
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        source = _imported_file(path, node)
        defined = set(_aliases_of_any(source)) if source is not None else set()
        names.update(a.asname or a.name for a in node.names if a.name in defined)
    return frozenset(names)


@functools.cache
def aliases() -> Tuple[Set[str], Set[str]]:
    """(names aliased to Any anywhere, those declared in a host's untyped.py)."""
    every: Set[str] = set()
    host: Set[str] = set()
    for folder in (ROOT / "ft_dcc", ROOT / "hosts"):
        for path in folder.rglob("*.py"):
            found = _aliases_of_any(path)
            every.update(found)
            if path.name == HOST_UNTYPED and path.parent.parent.name == "hosts":
                host.update(found)
    return every, host


def _files(folder: Path, prefix: Optional[str]) -> List[Path]:
    if prefix == "":  # the loose modules at the top of a folder, bar the review ones
        return sorted(p for p in folder.glob("*.py") if not p.name.startswith("review"))
    if prefix is not None:
        return sorted(p for p in folder.glob(f"{prefix}*.py") if p.is_file())
    return sorted(folder.rglob("*.py")) if folder.is_dir() else []


def _public_functions(tree: ast.Module) -> Iterator[ast.AST]:
    """Module-level functions and methods (of classes at any depth of classes)."""
    bodies: List[List[ast.stmt]] = [tree.body]
    while bodies:
        for node in bodies.pop():
            if isinstance(node, FunctionNode):
                if not node.name.startswith("_"):
                    yield node
            elif isinstance(node, ast.ClassDef):
                bodies.append(node.body)
            elif isinstance(node, (ast.If, ast.Try)):
                bodies.append(node.body + node.orelse)


def _any_names(annotation: Optional[ast.AST], anys: Set[str]) -> Set[str]:
    """The names in ``annotation`` that are ``Any`` or stand for it."""
    if annotation is None:
        return set()
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval")
        except SyntaxError:
            return {"Any"} if "Any" in annotation.value else set()
    found: Set[str] = set()
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and (node.id == "Any" or node.id in anys):
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and (node.attr == "Any" or node.attr in anys):
            found.add(node.attr)
    return found


def any_names(function: ast.AST, anys: Set[str]) -> Set[str]:
    """The ``Any`` names (or aliases of it) in the parameters and return of ``function``."""
    assert isinstance(function, FunctionNode)
    args = function.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    annotations = [a.annotation for a in every if a is not None] + [function.returns]
    return set().union(*(_any_names(a, anys) for a in annotations))


Counted = Tuple[int, List[str], List[str]]


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def count(files: List[Path], names: Optional[Tuple[Set[str], Set[str]]] = None) -> Counted:
    """(public functions, "path:line name" of those with Any, of those with host-API aliases only).

    ``names``: (aliases of Any, the host API's ones); by default those each file can see."""
    host = names[1] if names is not None else aliases()[1]
    total = 0
    with_any: List[str] = []
    host_only: List[str] = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        anys = set(names[0]) if names is not None else set(visible_aliases(path))
        for function in _public_functions(tree):
            total += 1
            used = any_names(function, anys)
            where = f"{_shown(path)}:{function.lineno}"  # type: ignore[attr-defined]
            line = f"{where} {function.name}"  # type: ignore[attr-defined]
            if used and used <= host:
                host_only.append(line)
            elif used:
                with_any.append(line)
    return total, with_any, host_only


def table() -> Dict[str, Counted]:
    """Area -> (public functions, those with Any, those with only the host API's untyped names)."""
    found: Dict[str, Counted] = {}
    for area, folder, prefix in AREAS:
        total, with_any, host_only = count(_files(folder, prefix))
        before = found.get(area, (0, [], []))
        found[area] = (before[0] + total, before[1] + with_any, before[2] + host_only)
    return found


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", metavar="AREA", help="name the functions with Any in AREA")
    parser.add_argument("--host", action="store_true", help="with --list: the host-API ones")
    options = parser.parse_args(argv)
    found = table()
    if options.list:
        for line in found[options.list][2 if options.host else 1]:
            print(line)
        return 0
    print(f"{'area':<16}{'public':>8}{'with Any':>10}{'share':>8}{'host API':>10}")
    totals = [0, 0, 0]
    for area, (total, with_any, host_only) in found.items():
        share = f"{100 * len(with_any) / total:.0f}%" if total else "-"
        print(f"{area:<16}{total:>8}{len(with_any):>10}{share:>8}{len(host_only):>10}")
        totals[0] += total
        totals[1] += len(with_any)
        totals[2] += len(host_only)
    share = f"{100 * totals[1] / max(totals[0], 1):.0f}%"
    print(f"{'all':<16}{totals[0]:>8}{totals[1]:>10}{share:>8}{totals[2]:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
