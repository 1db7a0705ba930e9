"""Small pieces of what the review pages show: a review route's URL with its token, a date as
the pages show it (shared by the session page and one version's player: :mod:`.html`,
:mod:`.player_html`; the templates escape them)."""

from __future__ import annotations

import datetime as dt
from typing import Optional
from urllib.parse import quote


def review_url(base_url: str, review_session_id: Optional[str], token: str) -> str:
    """``<base>/review/<id>?token=…`` (or the list page ``<base>/review/?token=…``)."""
    path = f"/review/{quote(review_session_id, safe='')}" if review_session_id else "/review/"
    return f"{base_url.rstrip('/')}{path}?token={quote(token, safe='')}"


def route(review_session_id: str, tail: str, token: str) -> str:
    """``/review/<id>/<tail>?token=…``: one of a session's routes, for its page."""
    return f"/review/{quote(review_session_id, safe='')}/{tail}?token={quote(token, safe='')}"


def media_url(review_session_id: str, component_id: str, token: str) -> str:
    """``/review/<id>/media/<component id>?token=…``: a file of the session, for its page."""
    return route(review_session_id, "media/" + quote(component_id, safe=""), token)


def date_text(value: Optional[dt.datetime]) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
