"""The web review page (the dailies player), rendered from ``review_data`` views through the
room's Jinja2 templates (:mod:`.jinja`, ``templates/``), which escape everything that comes from
the Store.

A session page groups its versions by asset (one player per asset, a version picker with the
latest first, the latest shown), each version an ``article.item`` with its player, review
buttons and notes (:mod:`.player_html`). The page's scripts (``web/*.js``, no inline script:
see ``SECURITY_HEADERS``) add the live feedback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Collection, Dict, List, Mapping, Optional

from markupsafe import Markup
from starlette.responses import HTMLResponse

from ft_dcc.protocol.client_review import DEFAULT_STILL_HOLD
from ft_dcc.server.review.reads.data import ItemView, SessionView
from ft_dcc.server.review.render.jinja import render
from ft_dcc.server.review.render.markup import date_text, review_url, route
from ft_dcc.server.review.render.player_html import ItemShown, item_shown
from ft_dcc.server.review.render.scripts import SCRIPT_BUNDLE

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


def page(title: str, body_class: str, body: Markup, status: int = 200) -> HTMLResponse:
    """A whole page (the shared head: stylesheet, scripts, no-referrer) around ``body``."""
    text = render("page.html", title=title, body_class=body_class, body=body,
                  bundle=SCRIPT_BUNDLE)  # fmt: skip
    return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)


def _refusal(
    title: str,
    main_class: str,
    kind: str,
    status: int = 403,
    *,
    heading: str = "",
    **context: Any,
) -> HTMLResponse:
    """A page that shows nothing of the session: ``heading`` (else ``title``) and the words of
    its ``kind`` (``templates/parts/refusal.html``)."""
    body = render("parts/refusal.html", main_class=main_class, heading=heading or title,
                  kind=kind, **context)  # fmt: skip
    return page(title, "denied", body, status=status)


def denied(message: str) -> HTMLResponse:
    return _refusal("Access denied", "denied", "denied", message=message)


def passphrase_prompt(review_session_id: str, token: str, wrong: bool = False) -> HTMLResponse:
    """The prompt a client link of a session with a passphrase shows (a plain form, no script):
    it posts to ``/review/<id>/passphrase``; nothing of the session is on it."""
    action = route(review_session_id, "passphrase", token)
    return _refusal("Passphrase", "denied gate", "passphrase", action=action, wrong=wrong,
                    heading="This review asks for a passphrase")  # fmt: skip


def not_open(message: str) -> HTMLResponse:
    """The page of a client link outside the session's window ("opens on" / "closed on")."""
    return _refusal("Not open", "denied gate", "not_open", message=message,
                    heading="This review is not open")  # fmt: skip


def not_found() -> HTMLResponse:
    return _refusal("Not found", "denied", "not_found", 404, heading="No such review session")


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


@dataclass
class _GroupShown:
    """What ``templates/parts/groups.html`` shows of one asset's versions (latest first)."""

    key: str
    shot: str
    asset_name: str
    #: how many of its versions have a picture (a movie or a still) to compare
    shown: int
    versions: List[ItemShown]


def _group_shown(
    session: SessionView, versions: List[ItemView], token: str, start: int
) -> _GroupShown:
    """One asset's versions, the first of them the ``start``-th item of the page."""
    return _GroupShown(
        key=group_key(versions[0]),
        shot=versions[0].shot,
        asset_name=versions[0].asset_name,
        shown=sum(1 for v in versions if v.movie_id or v.image_id),
        versions=[item_shown(session, v, token, start + i) for i, v in enumerate(versions)],
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
) -> Markup:
    """Groups ``first``..``end`` (exclusive) of the page, their items numbered as on the whole
    page."""
    start = 1 + sum(len(versions) for versions in groups[:first])
    shown = []
    for versions in groups[first:end]:
        shown.append(_group_shown(session, versions, token, start))
        start += len(versions)
    return render("parts/groups.html", groups=shown) if shown else Markup()


def items_page(session: SessionView, token: str, first: int) -> Dict[str, object]:
    """The page's groups from ``first`` on (PAGE_GROUPS of them) as data: ``{"html", "next"
    (the next page's first group, null after the last), "count"}``."""
    groups = group_items(session.items)
    first = max(0, first)
    end = min(len(groups), first + PAGE_GROUPS)
    return {
        "html": str(_groups_html(session, groups, token, first, end)),
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
    body = render(
        "session.html",
        project=session.project_name,
        name=session.name,
        state=state,
        state_label=state.capitalize() + until,
        description=session.description,
        count=_count_text(session, groups),
        items=_groups_html(session, groups, token, 0, FIRST_GROUPS),
        notes_url=route(session.id, "notes", token),
        feedback_url=route(session.id, "feedback", token),
        status_url=route(session.id, "status", token),
        annotations_url=route(session.id, "annotations", token),
        live_url=route(session.id, "live", token),
        items_url=route(session.id, "items", token),
        share_url=route(session.id, "share", token),
        cut_url=route(session.id, "cut", token) if cut else "",
        more_from=str(FIRST_GROUPS) if len(groups) > FIRST_GROUPS else "",
        is_open="true" if session.is_open else "false",
        still_hold=f"{still_hold:g}",
        presenter_first="" if presenter is None else json.dumps(presenter, separators=(",", ":")),
    )
    return page(f"{session.name} · {session.project_name}", "session", body)


def render_list(sessions: List[SessionView], token: str) -> HTMLResponse:
    rows = [
        {
            "url": review_url("", s.id, token),
            "name": s.name,
            "project": s.project_name,
            "until": "open until " + date_text(s.end_date) if s.end_date else "open",
        }
        for s in sessions
    ]
    return page("Review sessions", "list", render("parts/list.html", sessions=rows))
