"""The HTML of the web review page (the dailies player): rendered from ``review_data`` views.

A session page groups its versions by asset (one player per asset, a version picker with the
latest first, the latest shown), each version an ``article.item`` with its player, review
buttons and notes. Everything that comes from the Store is escaped here; the page's scripts
(``web/*.js``, no inline script: see ``SECURITY_HEADERS``) add the live feedback.
"""

from __future__ import annotations

import json
import string
from typing import Callable, Collection, Dict, List, Mapping, Optional

from starlette.responses import HTMLResponse

from ft_dcc.protocol.client_review import DEFAULT_STILL_HOLD
from ft_dcc.server.review.data import ItemView, SessionView
from ft_dcc.server.review.markup import date_text, escape, review_url, route
from ft_dcc.server.review.player_html import item_html
from ft_dcc.server.review.scripts import SCRIPT_BUNDLE, WEB_DIR

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "media-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _template(name: str) -> string.Template:
    return string.Template((WEB_DIR / name).read_text(encoding="utf-8"))


def page(title: str, body_class: str, body: str, status: int = 200) -> HTMLResponse:
    """A whole page (the shared head: stylesheet, scripts, no-referrer) around ``body``."""
    scripts = f'<script src="/review/static/{SCRIPT_BUNDLE}" defer></script>'
    text = _template("page.html").substitute(
        title=escape(title), body_class=body_class, body=body, scripts=scripts
    )
    return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)


def _refusal(
    title: str, main_class: str, text: str, status: int = 403, *, heading: str = ""
) -> HTMLResponse:
    """A page that shows nothing of the session: ``heading`` (else ``title``) and ``text``'s
    paragraphs (HTML)."""
    body = f'<main class="{main_class}"><h1>{escape(heading or title)}</h1>{text}</main>'
    return page(title, "denied", body, status=status)


def denied(message: str) -> HTMLResponse:
    return _refusal(
        "Access denied", "denied",
        f"<p>{escape(message)}</p><p>Ask the person who shared this review for a new link.</p>",
    )  # fmt: skip


def passphrase_prompt(review_session_id: str, token: str, wrong: bool = False) -> HTMLResponse:
    """The prompt a client link of a session with a passphrase shows (a plain form, no script):
    it posts to ``/review/<id>/passphrase``; nothing of the session is on it."""
    action = route(review_session_id, "passphrase", token)
    error = (
        '<p class="gate-error" role="alert">That passphrase is not right; try again.</p>'
        if wrong
        else ""
    )
    form = (
        "<p>Enter the passphrase you were given with the link.</p>"
        f'{error}<form method="post" action="{escape(action)}" class="gate-form">'
        '<label for="gate-passphrase">Passphrase</label> '
        '<input id="gate-passphrase" name="passphrase" type="password" required autofocus '
        'autocomplete="current-password" maxlength="1024"> '
        '<button type="submit">Open the review</button></form>'
    )
    return _refusal("Passphrase", "denied gate", form,
                    heading="This review asks for a passphrase")  # fmt: skip


def not_open(message: str) -> HTMLResponse:
    """The page of a client link outside the session's window ("opens on" / "closed on")."""
    text = (
        f'<p class="gate-when">{escape(message)}</p>'
        "<p>Ask the person who shared this review if you need it at another time.</p>"
    )
    return _refusal("Not open", "denied gate", text, heading="This review is not open")


def not_found() -> HTMLResponse:
    return _refusal("Not found", "denied", "<p>It may have been deleted.</p>", 404,
                    heading="No such review session")  # fmt: skip


# -- the session page --------------------------------------------------------------------------
def group_items(items: List[ItemView]) -> List[List[ItemView]]:
    """Items by asset, in session order of each asset's first item; latest version first."""
    groups: Dict[str, List[ItemView]] = {}
    for item in items:  # by the asset itself: every shot's animation is called "anim"
        groups.setdefault(group_key(item), []).append(item)
    for versions in groups.values():
        versions.sort(
            key=lambda i: i.version_number if isinstance(i.version_number, int) else -1,
            reverse=True,
        )
    return list(groups.values())


def group_key(item: ItemView) -> str:
    """What makes two items versions of one asset (its id; its name without one)."""
    return item.asset_id or f"name:{item.asset_name}"


def _version_label(item: ItemView) -> str:
    return f"v{item.version_number:03d}" if isinstance(item.version_number, int) else item.name


def _group_html(session: SessionView, versions: List[ItemView], token: str, start: int) -> str:
    tabs = "".join(
        f'<button type="button" role="tab" class="version-tab{" selected" if i == 0 else ""}" '
        f'data-object-id="{escape(v.id)}" aria-selected="{"true" if i == 0 else "false"}">'
        f'<span class="status-dot"></span>{escape(_version_label(v))}'
        f"{'<small>latest</small>' if i == 0 else ''}</button>"
        for i, v in enumerate(versions)
    )
    options = "".join(
        f'<option value="{escape(v.id)}" data-kind="{"still" if v.image_id else "movie"}">'
        f"{escape(_version_label(v))}</option>"
        for v in versions
        if v.movie_id or v.image_id
    )
    shown = sum(1 for v in versions if v.movie_id or v.image_id)
    compare = (
        f'<div class="compare-tools"{"" if shown > 1 else " hidden"}><label>Compare with '
        f'<select class="compare-with"><option value="">&mdash;</option>{options}</select>'
        '</label><span class="compare-mode" role="group" aria-label="Compare mode">'
        '<button type="button" class="mode selected" data-mode="side">Side by side</button>'
        '<button type="button" class="mode" data-mode="wipe">Wipe</button></span>'
        '<span class="compare-refused" role="alert" hidden></span></div>'
    )
    articles = "".join(
        item_html(session, v, token, start + i).replace("<article ", "<article hidden ", 1)
        if i
        else item_html(session, v, token, start + i)
        for i, v in enumerate(versions)
    )
    count = len(versions)
    shot = f'<span class="asset-shot">{escape(versions[0].shot)}</span>' if versions[0].shot else ""
    return (
        f'<section class="asset-group" data-asset="{escape(group_key(versions[0]))}">'
        f'<header class="asset-head">{shot}'
        f'<h2 class="asset-title">{escape(versions[0].asset_name)}</h2>'
        f'<span class="version-count">{count} version{"s" if count != 1 else ""}</span>'
        f'<nav class="version-picker" role="tablist" aria-label="Versions">{tabs}</nav>'
        f"{compare}</header>{articles}</section>"
    )


#: the asset groups the page's first HTML carries: its first screen and a little more (the
#: page's size does not grow with the session); the rest come as data (``/review/<id>/items``),
#: PAGE_GROUPS at a time, once the first frame is there
FIRST_GROUPS = 4
PAGE_GROUPS = 50


def _ids(groups: List[List[ItemView]]) -> List[str]:
    return [item.id for versions in groups for item in versions]


def first_screen(items: List[ItemView]) -> List[str]:
    """The items the page's first HTML shows (``ReviewData.session``'s ``detail``)."""
    return _ids(group_items(items)[:FIRST_GROUPS])


def page_of(first: int) -> Callable[[List[ItemView]], List[str]]:
    """The items of the page of groups from ``first`` on (:func:`items_page`)."""
    return lambda items: _ids(group_items(items)[max(0, first) : max(0, first) + PAGE_GROUPS])


def _holding(groups: List[List[ItemView]], object_ids: Collection[str]) -> List[int]:
    return [n for n, versions in enumerate(groups) if any(i.id in object_ids for i in versions)]


def groups_of(object_ids: Collection[str]) -> Callable[[List[ItemView]], List[str]]:
    """The items of the groups holding ``object_ids`` (:func:`item_groups`)."""

    def chosen(items: List[ItemView]) -> List[str]:
        groups = group_items(items)
        return _ids([groups[n] for n in _holding(groups, object_ids)])

    return chosen


def _count_text(session: SessionView, groups: List[List[ItemView]]) -> str:
    count = len(session.items)
    return (
        f"{len(groups)} asset{'s' if len(groups) != 1 else ''} \u00b7 "
        f"{count} version{'s' if count != 1 else ''}"
    )


def _groups_html(
    session: SessionView, groups: List[List[ItemView]], token: str, first: int, end: int
) -> str:
    """Groups ``first``..``end`` (exclusive) of the page, their items numbered as on the whole
    page."""
    start = 1 + sum(len(versions) for versions in groups[:first])
    parts = []
    for versions in groups[first:end]:
        parts.append(_group_html(session, versions, token, start))
        start += len(versions)
    return "".join(parts)


def items_page(session: SessionView, token: str, first: int) -> Dict[str, object]:
    """The page's groups from ``first`` on (PAGE_GROUPS of them) as data: ``{"html", "next"
    (the next page's first group, null after the last), "count"}``."""
    groups = group_items(session.items)
    first = max(0, first)
    end = min(len(groups), first + PAGE_GROUPS)
    return {
        "html": _groups_html(session, groups, token, first, end),
        "next": end if end < len(groups) else None,
        "count": _count_text(session, groups),
    }


def item_groups(session: SessionView, token: str, object_ids: Collection[str]) -> Dict[str, object]:
    """The groups holding the items ``object_ids`` (versions added after the page opened) as
    data: ``{"html" ("" when the session holds none of them), "count"}``."""
    groups = group_items(session.items)
    html = "".join(
        _groups_html(session, groups, token, n, n + 1) for n in _holding(groups, object_ids)
    )
    return {"html": html, "count": _count_text(session, groups)}


def render_session(
    session: SessionView,
    token: str,
    presenter: Optional[Mapping[str, object]] = None,
    cut: bool = False,
    still_hold: float = DEFAULT_STILL_HOLD,
) -> HTMLResponse:
    """The session page (its first FIRST_GROUPS groups); ``presenter``: the presenter's state and
    the server's clock (``{"presenter", "received", "now"}``, as its route answers) for the page
    to follow at once (a page far away would wait a round trip or two for it: presenter.js);
    ``cut``: the reader may play the session's cut (the studio: cut.js asks its route);
    ``still_hold``: the seconds "Play all" holds a still (``still_hold.py``)."""
    state = "open" if session.is_open else "closed"
    until = f" until {date_text(session.end_date)}" if session.is_open and session.end_date else ""
    groups = group_items(session.items)
    body_items = _groups_html(session, groups, token, 0, FIRST_GROUPS)
    body = _template("session.html").substitute(
        project=escape(session.project_name),
        name=escape(session.name),
        state=state,
        state_label=escape(state.capitalize() + until),
        description=escape(session.description),
        count=escape(_count_text(session, groups)),
        items=body_items or '<p class="empty">Nothing in this review session yet.</p>',
        notes_url=escape(route(session.id, "notes", token)),
        feedback_url=escape(route(session.id, "feedback", token)),
        status_url=escape(route(session.id, "status", token)),
        annotations_url=escape(route(session.id, "annotations", token)),
        live_url=escape(route(session.id, "live", token)),
        items_url=escape(route(session.id, "items", token)),
        share_url=escape(route(session.id, "share", token)),
        cut_url=escape(route(session.id, "cut", token)) if cut else "",
        more_from=str(FIRST_GROUPS) if len(groups) > FIRST_GROUPS else "",
        is_open="true" if session.is_open else "false",
        still_hold=f"{still_hold:g}",
        presenter_first=""
        if presenter is None
        else f' data-presenter-first="{escape(json.dumps(presenter, separators=(",", ":")))}"',
    )
    return page(f"{session.name} · {session.project_name}", "session", body)


def render_list(sessions: List[SessionView], token: str) -> HTMLResponse:
    rows = "".join(_list_row(s, token) for s in sessions)
    body = (
        '<main class="sessions"><h1>Open review sessions</h1>'
        + (f'<ul class="session-list">{rows}</ul>' if rows else '<p class="empty">None.</p>')
        + "</main>"
    )
    return page("Review sessions", "list", body)


def _list_row(session: SessionView, token: str) -> str:
    until = "open until " + date_text(session.end_date) if session.end_date else "open"
    return (
        f'<li><a href="{escape(review_url("", session.id, token))}">'
        f'<span class="name">{escape(session.name)}</span>'
        f'<span class="project">{escape(session.project_name)}</span>'
        f'<span class="until">{escape(until)}</span></a></li>'
    )
