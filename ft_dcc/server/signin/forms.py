"""A page's plain form (``application/x-www-form-urlencoded``), read without python-multipart,
and kept on the request so :func:`~ft_dcc.server.signin.person.require_csrf` finds its
``csrf_token`` field."""

from __future__ import annotations

from typing import Dict
from urllib.parse import parse_qs

from starlette.requests import Request

#: the longest form body read (a user name, a password of at most 1,024 characters, a token)
MOST_BODY_BYTES = 16 * 1024
#: the most fields read
MOST_FIELDS = 16


def parse_form(body: bytes) -> Dict[str, str]:
    """The first value of each field of a URL-encoded ``body`` ({} when it is not one, or when a
    field holds a NUL character: no name, password or token has one)."""
    try:
        fields = parse_qs(body[:MOST_BODY_BYTES].decode("utf-8"), max_num_fields=MOST_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return {}
    if any("\0" in name or "\0" in "".join(values) for name, values in fields.items()):
        return {}
    return {name: values[0] for name, values in fields.items() if values}


async def read_form(request: Request) -> Dict[str, str]:
    """The request's form fields (read once, then kept on ``request.state``)."""
    kept = getattr(request.state, "signin_form", None)
    if isinstance(kept, dict):
        return kept
    fields = parse_form(await request.body())
    request.state.signin_form = fields
    return fields
