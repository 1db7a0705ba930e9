"""The sign-in cookie: a random id (the table keeps only its digest), ``HttpOnly``,
``SameSite=Lax`` (a link from a mail opens the desk signed in; every write also needs the
sign-in's CSRF token), ``Secure`` when the request came over https, for the whole site."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

COOKIE = "ft_dcc_signin"
#: the longest cookie value read (an id is 43 characters)
MOST_ID = 128


def cookie_id(request: HTTPConnection) -> Optional[str]:
    """The sign-in id the request's cookie holds (``None``: none, or not one of ours)."""
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > MOST_ID:
        return None
    return raw


def set_cookie(response: Response, request: Request, raw_id: str, lifetime: dt.timedelta) -> None:
    """Give the browser its sign-in (see the module docstring)."""
    response.set_cookie(
        COOKIE,
        raw_id,
        max_age=int(lifetime.total_seconds()),
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, request: Request) -> None:
    """Tell the browser to forget its sign-in."""
    response.delete_cookie(COOKIE, path="/", secure=request.url.scheme == "https",
                           httponly=True, samesite="lax")  # fmt: skip
