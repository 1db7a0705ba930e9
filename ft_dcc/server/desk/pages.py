"""The desk's HTML, from the Jinja2 templates of ``desk/web`` (escaped by default:
``http.pages``): the projects with their review sessions, one project's sessions (and the form
that creates one), a session, the *Mail* page and a refusal.

Every page is ``desk.html`` (its bar: who is signed in, sign out) around one body template. A
session's page holds what its first screen needs in its HTML (the session, its first
:data:`FIRST_ITEMS` items, its rules); its script reads the rest as JSON (``/desk/api/…``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from starlette.responses import HTMLResponse

from ft_dcc.server.desk.project_lists import MOST_FIND
from ft_dcc.server.http.pages import page as render_page
from ft_dcc.server.http.pages import templates_in

WEB_DIR = Path(__file__).resolve().parent / "web"
TEMPLATES = templates_in(WEB_DIR)
#: items written into a session page's HTML (the rest come as JSON)
FIRST_ITEMS = 40
HEADERS: Dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def page(
    title: str,
    body: str,
    username: str,
    csrf: str,
    kind: str,
    status: int = 200,
    data: Optional[Mapping[str, Any]] = None,
    **context: Any,
) -> HTMLResponse:
    """A desk page: its bar (who is signed in, sign out), the body template ``body`` given
    ``context``, and ``data`` for its script (a JSON data block: never run, ``<`` escaped)."""
    return render_page(TEMPLATES, "desk.html", status, HEADERS, title=title, body=body,
                       username=username, csrf=csrf, kind=kind, data=dict(data or {}),
                       **context)  # fmt: skip


def home(listed: Mapping[str, Any], username: str, csrf: str) -> HTMLResponse:
    """A page of the projects (``listed``: ``routes.DeskRoutes._projects``' answer), each with
    its open and recent sessions (open first, today's on top), how many it holds and a button
    for the rest; with more than a page of projects, the finder and the links to the next and
    previous pages."""
    return page("Dailies desk", "home.html", username, csrf, "home", listed=listed,
                most_find=MOST_FIND)  # fmt: skip


def project(
    title: str, found: Mapping[str, Any], listed: Mapping[str, Any], username: str, csrf: str
) -> HTMLResponse:
    """A project's sessions page: the form that creates one, then the first page of its
    sessions (``listed``: ``session_lists.SessionLists.page``'s answer) and a button for the
    next."""
    return page(title, "project.html", username, csrf, "project", project=found, listed=listed)


def session(found: Mapping[str, Any], username: str, csrf: str) -> HTMLResponse:
    """The session's page: its bar of actions, its first items and its sections (the script
    fills in the rest). ``found``: the session view (``session``, ``items``, ``total``,
    ``manages``), also the script's data."""
    view = found["session"]
    return page(view["name"], "session.html", username, csrf, "session", data=found,
                session=view, items=list(found["items"])[:FIRST_ITEMS], total=found["total"],
                manages=bool(found["manages"]), cut=found.get("cut"),
                private_toggle=private_toggle(bool(view.get("private"))))  # fmt: skip


def private_toggle(private: bool) -> str:
    """The button that makes a session private or not, as it reads now."""
    return "Open it to its room link" if private else "Make private"


def refused(title: str, message: str, username: str, csrf: str, status: int) -> HTMLResponse:
    return page(title, "refused.html", username, csrf, "refused", status, message=message)
