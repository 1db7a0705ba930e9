"""Every Playwright ``wait_for_function`` of the suite is given a function, never a bare
expression.

Playwright evaluates a bare expression (``"document.x === 'y'"``) again at every poll with
``eval``; the review page and the desk forbid ``eval`` (their Content-Security-Policy has no
``'unsafe-eval'``), and the browser lets Playwright's own evaluation through only at its first,
synchronous poll. So such a wait passes when its condition already holds when it starts and fails
with ``EvalError`` when it must really wait: a test whose outcome follows the machine's speed.
A function (``"() => …"``) is evaluated once and called at every poll. Seen failing first:
``test_a_clients_open_page_shows_that_the_project_was_closed``, once under load.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path
from typing import Dict, Iterator, Optional, Tuple

TESTS = Path(__file__).resolve().parent

#: a function's source as Playwright recognises it: an arrow (``x =>``, ``(a, b) =>``,
#: ``async () =>``) or ``function``
FUNCTION = re.compile(r"\s*(async\s+)?(function\b|\w+\s*=>|\([^()]*\)\s*=>|\(\[[^\]]*\]\)\s*=>)")


def _text(node: ast.expr) -> Optional[str]:
    """The string ``node`` is written as (an f-string's holes as ``{}``), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _text(node.left)
        return None if left is None else left + "{}"
    return None


def _constants(tree: ast.Module) -> Dict[str, str]:
    """The ``NAME = "…"`` strings of the module, its functions' too (a name given two strings:
    the first one that is not a function, so that either is checked)."""
    found: Dict[str, str] = {}
    for statement in ast.walk(tree):
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target, text = statement.targets[0], _text(statement.value)
        if not isinstance(target, ast.Name) or text is None:
            continue
        if target.id not in found or FUNCTION.match(found[target.id]):
            found[target.id] = text
    return found


@functools.cache
def _module_constants(source: Path) -> Dict[str, str]:
    """:func:`_constants` of the module at ``source`` (read once: many files import the same)."""
    return _constants(ast.parse(source.read_text(encoding="utf-8")))


def _imported(tree: ast.Module, path: Path) -> Dict[str, str]:
    """Strings the module imports by name from a module of the suite."""
    found = {}
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module:
            parts = statement.module.split(".")
            for base in (path.parent, TESTS, TESTS / "support"):
                source = base.joinpath(*parts).with_suffix(".py")
                if source.is_file():
                    constants = _module_constants(source)
                    found.update({a.asname or a.name: constants[a.name]
                                  for a in statement.names if a.name in constants})  # fmt: skip
                    break
    return found


def _waits(path: Path) -> Iterator[Tuple[int, Optional[str]]]:
    """Each ``wait_for_function`` call of ``path``: its line and its first argument's text (None
    where it is not a string the file or the module it imports from names). A file whose text
    never spells the name calls none (only a non-ASCII identifier could, normalised to it)."""
    text = path.read_text(encoding="utf-8")
    if "wait_for_function" not in text and text.isascii():
        return
    tree = ast.parse(text)
    names = {**_imported(tree, path), **_constants(tree)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr == "wait_for_function":
            first = node.args[0]
            yield node.lineno, names.get(first.id) if isinstance(first, ast.Name) else _text(first)


def bare_expressions(root: Path) -> list:
    """``path:line: text`` of every wait given a bare expression (or something not read)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        for line, text in _waits(path):
            if text is None or not FUNCTION.match(text):
                found.append(f"{path.relative_to(root)}:{line}: {text!r:.80}")
    return found


def test_every_wait_for_function_is_given_a_function() -> None:
    bare = bare_expressions(TESTS)
    assert not bare, (
        "wait_for_function given a bare expression (evaluated again at each poll, refused by the "
        "page's CSP once it must wait); write it as '() => …':\n" + "\n".join(bare)
    )


def test_the_check_finds_a_bare_expression_and_passes_a_function(tmp_path: Path) -> None:
    (tmp_path / "waits.py").write_text(
        "LOADED = \"() => document.body.dataset.x === '1'\"\n"
        "page.wait_for_function(LOADED)\n"
        "page.wait_for_function(\"([a, b]) => a === b\", arg=[1, 1])\n"
        "page.wait_for_function(f\"(i) => i.value === {1}\", arg=item)\n"
        "page.wait_for_function(\"document.body.dataset.x === '1'\")\n"
        "page.wait_for_function(somewhere.unknown)\n",
        encoding="utf-8",
    )
    assert [found.split(":")[1] for found in bare_expressions(tmp_path)] == ["5", "6"]
