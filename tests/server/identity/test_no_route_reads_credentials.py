"""No route module reads a credential itself: the authentication layer does, once per request.

Walks every module of ``ft_dcc/server`` that defines routes (imports ``starlette.routing``) and
fails on each place one reads a credential: the API key headers or their URL forms, a cookie, or
a ``token`` of the URL. Routes read the request's identity (``identity.layer.identity_of``) and
ask the policy (``identity.policy``); the doors that read credentials are listed below.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, List, Tuple

import ft_dcc.server

SERVER = Path(ft_dcc.server.__file__).parent
#: names a route would read a credential with
CREDENTIAL_NAMES = {"HEADER_USER", "HEADER_API_KEY", "cookie_id", "passed_of"}
#: request parts a credential comes in, and the keys that hold one there
CREDENTIAL_KEYS = {"token", "apiKey", "api_key", "api_user", "username", "ftrack-user",
                   "ftrack-api-key"}  # fmt: skip
REQUEST_PARTS = {"query_params", "path_params", "headers"}


def route_modules() -> Iterator[Path]:
    for path in sorted(SERVER.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "starlette.routing":
                yield path
                break


def _key_of(node: ast.AST) -> object:
    """The constant key of ``x.get("key")`` or ``x["key"]`` (``None``: not such a read)."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get" and node.args and isinstance(node.args[0], ast.Constant)):
        return node.args[0].value
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return node.slice.value
    if isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant):
        return node.left.value  # "token" in request.query_params
    return None


def _part_of(node: ast.AST) -> object:
    target = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        target = node.func.value
    elif isinstance(node, ast.Subscript):
        target = node.value
    elif isinstance(node, ast.Compare) and node.comparators:
        target = node.comparators[0]
    return target.attr if isinstance(target, ast.Attribute) else None


def credential_reads(path: Path) -> List[Tuple[int, str]]:
    """Where the module at ``path`` reads a credential: (line, what)."""
    found: List[Tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr == "cookies":
            found.append((node.lineno, "a cookie"))
        elif isinstance(node, ast.Name) and node.id in CREDENTIAL_NAMES:
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.alias) and node.name in CREDENTIAL_NAMES:
            found.append((getattr(node, "lineno", 0), f"imports {node.name}"))
        elif _part_of(node) in REQUEST_PARTS and _key_of(node) in CREDENTIAL_KEYS:
            found.append((getattr(node, "lineno", 0), f"{_part_of(node)} {_key_of(node)!r}"))
    return found


def test_the_walk_finds_the_route_modules() -> None:
    names = {p.relative_to(SERVER).as_posix() for p in route_modules()}
    for area in ("api/routes.py", "api/components.py", "api/widget.py", "desk/routes.py",
                 "review/page/page.py", "events/hub.py", "signin/routes.py"):  # fmt: skip
        assert area in names


def test_the_walk_sees_a_route_that_reads_a_credential(tmp_path: Path) -> None:
    route = tmp_path / "route.py"
    route.write_text(
        "from starlette.routing import Route\n"
        "def page(request):\n"
        "    key = request.headers.get(HEADER_API_KEY)\n"
        "    token = request.query_params.get('token')\n"
        "    raw = request.cookies.get('ft_dcc_signin')\n"
        "    return 'token' in request.query_params\n",
        encoding="utf-8",
    )
    assert sorted({line for line, _ in credential_reads(route)}) == [3, 4, 5, 6]


def test_no_route_module_reads_a_credential() -> None:
    reads = {
        p.relative_to(SERVER).as_posix(): credential_reads(p)
        for p in route_modules()
    }
    assert {name: found for name, found in reads.items() if found} == {}
