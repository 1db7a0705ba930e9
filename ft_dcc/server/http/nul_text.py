"""A NUL character in a request's path or query string is refused with **400** before any
route reads it (by the door, ``http.door``): no id, name or token has one, and PostgreSQL
refuses it in any text (a look-up of one answered 500). Bodies are held to the same rule where
they are parsed (``http.bodies.parse_json_body``, ``signin.forms``)."""

from __future__ import annotations

from typing import Optional

from starlette.types import Scope

from ft_dcc.server.common.errors import BadInput

NUL_REFUSED = "The address holds a NUL character (%00); no id, name or token has one. Remove it."


def nul_refusal(scope: Scope) -> Optional[BadInput]:
    """The 400 for a request (or websocket) whose path or query string holds a NUL."""
    query = scope.get("query_string", b"")
    if "\0" in scope.get("path", "") or b"%00" in query or b"\0" in query:
        return BadInput(NUL_REFUSED)
    return None
