"""The desk's HTML: the projects with their review sessions, one project's sessions (and the
form that creates one), and a session. Everything from the database or the request is escaped.

A session's page holds what its first screen needs in its HTML (the session, its first
:data:`FIRST_ITEMS` items, its rules); its script reads the rest as JSON (``/desk/api/…``)."""

from __future__ import annotations

import html
import json
import string
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence

from starlette.responses import HTMLResponse

WEB_DIR = Path(__file__).resolve().parent / "web"
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


def escape(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def page(
    title: str,
    body: str,
    username: str,
    csrf: str,
    kind: str,
    status: int = 200,
    data: Optional[Mapping[str, Any]] = None,
) -> HTMLResponse:
    """A desk page: its bar (who is signed in, sign out), ``body``, and ``data`` for its script
    (a JSON data block: never run, ``<`` escaped)."""
    template = string.Template((WEB_DIR / "desk.html").read_text(encoding="utf-8"))
    blob = json.dumps(data or {}).replace("<", "\\u003c")
    text = template.substitute(
        title=escape(title),
        body=body,
        username=escape(username),
        csrf=escape(csrf),
        kind=escape(kind),
        data=blob,
    )
    return HTMLResponse(text, status_code=status, headers=HEADERS)


def _badges(session: Mapping[str, Any]) -> str:
    badges = []
    if session.get("today"):
        badges.append('<span class="badge today">today</span>')
    badges.append(
        '<span class="badge open">open</span>'
        if session.get("is_open")
        else '<span class="badge closed">closed</span>'
    )
    if session.get("private"):
        badges.append('<span class="badge">private</span>')
    if session.get("passphrase"):
        badges.append('<span class="badge">passphrase</span>')
    return " ".join(badges)


def session_list(sessions: Sequence[Mapping[str, Any]]) -> str:
    if not sessions:
        return '<p class="empty">No review sessions yet.</p>'
    rows = "".join(
        f'<li class="session-link" data-session-id="{escape(s["id"])}">'
        f'<a href="/desk/session/{escape(s["id"])}">{escape(s["name"]) or "(no name)"}</a> '
        f"{_badges(s)}</li>"
        for s in sessions
    )
    return f'<ul class="sessions">{rows}</ul>'


def more_sessions(project_id: str, shown: int, total: int, offset: int = 0) -> str:
    """The line under a list of sessions: how many of the project's it shows, and the button
    that reads the rest a page at a time (``offset``: the next page's)."""
    if total <= shown:
        return ""
    return (
        f'<p class="more-sessions" data-project-id="{escape(project_id)}" '
        f'data-offset="{int(offset)}" data-total="{int(total)}">'
        f'<span class="shown">{int(shown)}</span> of {int(total)} sessions '
        '<button type="button" class="more">More sessions</button></p>'
    )


def projects_body(projects: Sequence[Mapping[str, Any]]) -> str:
    """Each project (those you manage first) with its open and recent sessions (open first,
    today's on top), how many it holds and a button for the rest."""
    if not projects:
        return '<p class="empty">No projects yet. A publish makes one.</p>'
    parts = []
    for project in projects:
        manage = (
            '<span class="badge manage">you manage its reviews</span>' if project["manages"] else ""
        )
        parts.append(
            f'<section class="project" data-project-id="{escape(project["id"])}">'
            f'<h2><a href="/desk/project/{escape(project["id"])}">{escape(project["name"])}</a> '
            f"{manage}</h2>{session_list(project['sessions'])}"
            f"{more_sessions(project['id'], len(project['sessions']), project['total'])}</section>"
        )
    return "".join(parts)


def project_body(project: Mapping[str, Any], listed: Mapping[str, Any]) -> str:
    """A project's sessions page: the form that creates one, then the first page of its
    sessions (``listed``: ``session_lists.SessionLists.page``'s answer) and a button for the
    next."""
    create = (
        '<form class="create-session" data-project-id="' + escape(project["id"]) + '">'
        '<label for="new-session-name">New review session</label>'
        '<input id="new-session-name" name="name" required maxlength="255" '
        'placeholder="Client review wk49">'
        '<label class="check"><input type="checkbox" name="private" id="new-session-private"> '
        "Private: no room link, only invitees' own links</label>"
        '<button type="submit">Create</button><span class="error" role="alert"></span></form>'
    )
    sessions = listed["sessions"]
    more = more_sessions(project["id"], len(sessions), listed["total"], listed["next"] or 0)
    return f'<p><a href="/desk/">All projects</a></p>{create}{session_list(sessions)}{more}'


def item_rows(items: Sequence[Mapping[str, Any]]) -> str:
    """The first screen's items (the script renders them all the same way once read)."""
    return "".join(
        f'<li class="item" data-object-id="{escape(i["id"])}">'
        f'<span class="handle" title="Drag to reorder">&#8942;&#8942;</span>'
        f'<span class="label">{escape(i["label"])}</span>'
        f'<span class="meta">{escape(i["version"].get("task", ""))} '
        f"{escape(i['version'].get('status', ''))}</span></li>"
        for i in items[:FIRST_ITEMS]
    )


def session_body(found: Mapping[str, Any], manages: bool) -> str:
    """The session's page: its bar of actions, its first items and its sections (the script
    fills in the rest). ``found``: the session view (``session``, ``items``, ``total``)."""
    session = found["session"]
    template = string.Template((WEB_DIR / "session.html").read_text(encoding="utf-8"))
    state = "open" if session["is_open"] else "closed"
    return template.substitute(
        id=escape(session["id"]),
        name=escape(session["name"]),
        project_id=escape(session["project_id"]),
        badges=_badges(session),
        count=int(found["total"]),
        items=item_rows(found["items"]),
        state=state,
        manages="yes" if manages else "no",
        toggle="Close session" if session["is_open"] else "Reopen session",
        private_toggle=private_toggle(bool(session.get("private"))),
        present_hidden="" if manages and session["is_open"] else " hidden",
    )


def private_toggle(private: bool) -> str:
    """The button that makes a session private or not, as it reads now."""
    return "Open it to its room link" if private else "Make private"


def refused(title: str, message: str, username: str, csrf: str, status: int) -> HTMLResponse:
    body = (
        f'<p class="error" role="alert">{escape(message)}</p>'
        '<p><a href="/desk/">Back to the desk</a></p>'
    )
    return page(title, body, username, csrf, "refused", status)
