"""No HTML is built from strings in ``ft_dcc/server``: pages come from Jinja2 templates that
escape by default (``http.pages``). Walks every module and fails on ``string.Template``, a call
to an ``escape`` function, or a string (or f-string) holding an HTML tag.

Every page has moved to templates: :data:`NOT_YET` (modules still building their HTML from
strings) is empty, and the test fails when any module starts to.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import List, Set, Tuple

import ft_dcc.server

SERVER = Path(ft_dcc.server.__file__).parent
TAG = re.compile(
    r"<\s*/?\s*(html|head|body|title|meta|link|script|style|main|header|footer|nav|section|"
    r"article|div|span|p|a|h[1-6]|ul|ol|li|table|thead|tbody|tr|td|th|form|input|button|"
    r"label|select|option|textarea|img|video|source|br|strong|em|kbd|code|pre|svg|canvas)"
    r"[\s>/]",
    re.IGNORECASE,
)
#: modules still building their HTML from strings (to move to templates, then off this list)
NOT_YET: Set[str] = set()


def html_from_strings(path: Path) -> List[Tuple[int, str]]:
    """Where the module at ``path`` builds HTML from strings: (line, how)."""
    found: List[Tuple[int, str]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }  # fmt: skip
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "Template":
            found.append((node.lineno, "string.Template"))
        elif isinstance(node, ast.ImportFrom) and node.module == "string":
            found.append((node.lineno, "from string import"))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "escape":
                found.append((node.lineno, "escape()"))
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docstrings and TAG.search(node.value)):  # fmt: skip
            found.append((node.lineno, f"HTML in a string: {node.value[:40]!r}"))
    return found


def offenders() -> dict:
    found = {}
    for path in sorted(SERVER.rglob("*.py")):
        reads = html_from_strings(path)
        if reads:
            found[path.relative_to(SERVER).as_posix()] = reads
    return found


def test_the_walk_sees_html_built_from_strings(tmp_path: Path) -> None:
    module = tmp_path / "page.py"
    module.write_text(
        "import html, string\n"
        "def page(name):\n"
        "    a = string.Template('<p>$name</p>').substitute(name=html.escape(name))\n"
        "    return f'<div>{name}</div>' + '<br>'\n",
        encoding="utf-8",
    )
    assert {line for line, _ in html_from_strings(module)} == {3, 4}


def test_no_module_of_the_server_builds_html_from_strings() -> None:
    found = offenders()
    assert set(found) - NOT_YET == set(), {k: v for k, v in found.items() if k not in NOT_YET}
    assert NOT_YET - set(found) == set(), "these build no HTML from strings now: list them no more"
