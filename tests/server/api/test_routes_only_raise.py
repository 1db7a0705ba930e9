"""The JSON API's routes only raise: every refusal is a ``ServerError`` answered once by the app's
error handler (``app._known_error``), which alone decides strict status or ftrack's 200."""

from __future__ import annotations

import ast
from pathlib import Path

import ft_dcc.server.api as api_package
from ft_dcc.server.common import errors

#: what builds an error reply: only the app's error handler may call these
REPLY_BUILDERS = {"error_response", "api_error", "error_payload"}


def _called_names(path: Path) -> set:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }


def test_api_routes_build_no_error_reply() -> None:
    folder = Path(api_package.__file__).parent
    offenders = {
        path.name: sorted(_called_names(path) & REPLY_BUILDERS)
        for path in sorted(folder.glob("*.py"))
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_one_operation_error_class() -> None:
    assert not hasattr(errors, "ApiFailure")
    refusal = errors.ApiOperationError("no", "PermissionError")
    assert (refusal.status, refusal.exception) == (403, "PermissionError")
    assert errors.ApiOperationError("big", "ValidationError", status=413).status == 413
    assert refusal.at(2, "create", "Task").status == 403
