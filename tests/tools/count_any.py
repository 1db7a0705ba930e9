"""Count the public functions and methods with ``Any`` in their signature, per area.

Usage: ``python tests/tools/count_any.py [--list AREA]`` - prints a table (area, public
functions, those with ``Any``, share); ``--list`` names them for one area.

Public: the name does not start with ``_`` (module-level functions and methods of classes;
functions nested in functions are not counted). A signature has ``Any`` when a parameter's or
the return annotation mentions the name ``Any`` (``Any``, ``typing.Any``, ``Dict[str, Any]``,
``**options: Any``...). Read from the source with ``ast``; nothing is imported.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

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
    ("server", ROOT / "ft_dcc" / "server", None),
    ("hosts/maya", ROOT / "hosts" / "maya", None),
    ("hosts/nuke", ROOT / "hosts" / "nuke", None),
    ("hosts/blender", ROOT / "hosts" / "blender", None),
]

FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)


def _files(folder: Path, prefix: Optional[str]) -> List[Path]:
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


def _mentions_any(annotation: Optional[ast.AST]) -> bool:
    if annotation is None:
        return False
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval")
        except SyntaxError:
            return "Any" in annotation.value
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id == "Any":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "Any":
            return True
    return False


def has_any(function: ast.AST) -> bool:
    """True when a parameter or the return annotation of ``function`` mentions ``Any``."""
    assert isinstance(function, FunctionNode)
    args = function.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    annotations = [a.annotation for a in every if a is not None] + [function.returns]
    return any(_mentions_any(a) for a in annotations)


def count(files: List[Path]) -> Tuple[int, List[str]]:
    """(public functions, "path:line name" of those with Any) in ``files``."""
    total = 0
    with_any: List[str] = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function in _public_functions(tree):
            total += 1
            if has_any(function):
                where = f"{path.relative_to(ROOT)}:{function.lineno}"  # type: ignore[attr-defined]
                with_any.append(f"{where} {function.name}")  # type: ignore[attr-defined]
    return total, with_any


def table() -> Dict[str, Tuple[int, List[str]]]:
    """Area -> (public functions, those with Any)."""
    found: Dict[str, Tuple[int, List[str]]] = {}
    for area, folder, prefix in AREAS:
        total, with_any = count(_files(folder, prefix))
        before = found.get(area, (0, []))
        found[area] = (before[0] + total, before[1] + with_any)
    return found


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", metavar="AREA", help="name the functions with Any in AREA")
    options = parser.parse_args(argv)
    found = table()
    if options.list:
        for line in found[options.list][1]:
            print(line)
        return 0
    print(f"{'area':<16}{'public':>8}{'with Any':>10}{'share':>8}")
    totals = [0, 0]
    for area, (total, with_any) in found.items():
        share = f"{100 * len(with_any) / total:.0f}%" if total else "-"
        print(f"{area:<16}{total:>8}{len(with_any):>10}{share:>8}")
        totals[0] += total
        totals[1] += len(with_any)
    print(f"{'all':<16}{totals[0]:>8}{totals[1]:>10}{100 * totals[1] / max(totals[0], 1):>7.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
