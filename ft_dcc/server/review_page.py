"""The web review page of the embedded server: watch a review session and add notes.

Routes (every one needs ``?token=``, a review token from ``get_widget_url`` with
``name="review_session"``; see :mod:`ft_dcc.server.review_access`):

- ``GET /review/?token=``: the open review sessions (needs a token for every session);
- ``GET /review/<review session id>?token=``: the session's items in ``sort_order``, each with
  a frame-accurate player of its ``ftrackreview-mp4`` component, its version facts and notes;
- ``GET|HEAD /review/<id>/media/<component id>?token=``: a movie or thumbnail of that session
  (HTTP Range, so the player can seek);
- ``POST /review/<id>/notes?token=``: JSON ``{"object_id", "content", "frame",
  "in_reply_to_id"}`` creates a Note on that ReviewSessionObject (frame in the Note's ``frame``
  metadata); ``GET`` answers ``{object id: [note, ...]}`` (kept for old pages);
- ``/status``, ``/annotations``, ``/feedback``: see :mod:`ft_dcc.server.review_feedback`;
- ``GET /review/<id>/live?token=``: server-sent events, see :mod:`ft_dcc.server.review_live`;
- ``GET /review/static/...``: the page's CSS and JavaScript.

A link acts as the user who made it or, made for a ``ReviewSessionInvitee``, as that invitee;
a private session opens only to its invitees' links and its managers' (see
:mod:`ft_dcc.server.review_links`). A bad, expired, foreign or refused token answers 403 with
no data. Pages forbid inline scripts and
foreign origins (Content-Security-Policy) and never leak the token as a referrer.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import math
import mimetypes
import string
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ft_dcc.server import permissions
from ft_dcc.server.errors import ApiFailure
from ft_dcc.server.files import FileStoreError, check_component_id
from ft_dcc.server.review_access import (
    ALL_SESSIONS,
    MAX_TTL,
    ReviewAccessError,
    ReviewSigner,
    signer_for,
)
from ft_dcc.server.review_data import ItemView, NoteView, ReviewData, SessionView
from ft_dcc.server.review_identity import load_invitee
from ft_dcc.server.review_links import Link, may_open, open_link
from ft_dcc.server.review_rules import may_manage

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent / "web"
WIDGET_NAME = "review_session"

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


# -- links ---------------------------------------------------------------------------------------
def review_url(base_url: str, review_session_id: Optional[str], token: str) -> str:
    """``<base>/review/<id>?token=…`` (or the list page ``<base>/review/?token=…``)."""
    path = f"/review/{quote(review_session_id, safe='')}" if review_session_id else "/review/"
    return f"{base_url.rstrip('/')}{path}?token={quote(token, safe='')}"


def _entity_key(op: Dict[str, Any]) -> Any:
    entity_key = op.get("entity_key")
    if isinstance(entity_key, list):
        entity_key = entity_key[0] if entity_key else None
    return entity_key


def _checked_id(value: Any) -> str:
    try:
        return check_component_id(value)
    except FileStoreError as exc:
        raise ApiFailure("ValidationError", exc.message) from None


def _refuse(message: str) -> ApiFailure:
    return ApiFailure(permissions.PERMISSION_ERROR, message, 403)


def _link_target(ctx: Any, op: Dict[str, Any], caller: Any) -> Tuple[Optional[str], Optional[str]]:
    """(review session id or None for the list, invitee id or None) of a widget request."""
    entity_key = _entity_key(op)
    entity_type = op.get("entity_type")
    if entity_key is None:
        return None, None
    if entity_type not in (None, "ReviewSession", "ReviewSessionInvitee"):
        raise ApiFailure(
            "ValidationError",
            "The review_session widget needs a ReviewSession or a ReviewSessionInvitee, not "
            f"{str(entity_type)[:40]}.",
        )
    ident = _checked_id(entity_key)
    invitee = load_invitee(ctx.execute, ident) if entity_type == "ReviewSessionInvitee" else None
    if entity_type == "ReviewSessionInvitee" and invitee is None:
        raise ApiFailure(
            "ValidationError", f"ReviewSessionInvitee {ident} does not exist; commit it first."
        )
    review_session_id = invitee.review_session_id if invitee else ident
    facts = ReviewData(ctx.execute, caller.user_id).session_facts(review_session_id)
    if facts is None:
        raise ApiFailure(
            "ValidationError", f"ReviewSession {review_session_id} does not exist; commit it first."
        )
    if invitee is not None and not may_manage(ctx.store, caller.user_id, facts.created_by_id):
        raise _refuse(
            "Only the review session's creator or an administrator may make an invitee's link; "
            "ask them for it."
        )
    if invitee is None and not may_open(ctx.store, caller.user_id, facts):
        raise _refuse(
            "This review session is private: ask its creator or an administrator for a link, "
            "or for an invitee's link (entity_type='ReviewSessionInvitee')."
        )
    return review_session_id, invitee.id if invitee else None


def widget_url(ctx: Any, op: Dict[str, Any], caller: Any) -> Dict[str, Any]:
    """Answer ``get_widget_url`` for ``name="review_session"``: a signed review-page link.

    With ``entity_type="ReviewSession"`` and ``entity_key`` the link opens that session as the
    caller; with ``entity_type="ReviewSessionInvitee"`` it opens the invitee's session acting as
    that invitee (only the session's creator or an administrator may ask); without an entity it
    opens the list of open sessions. Optional ``expires_in`` (seconds, default one day, at most
    30 days) sets how long the link works.
    """
    review_session_id, invitee_id = _link_target(ctx, op, caller)
    expires_in = op.get("expires_in")
    if expires_in is not None and (
        isinstance(expires_in, bool)
        or not isinstance(expires_in, (int, float))
        or not math.isfinite(expires_in)
        or expires_in <= 0
    ):
        raise ApiFailure(
            "ValidationError",
            f"expires_in must be a positive, finite number of seconds (at most {MAX_TTL}).",
        )
    signer = signer_for(ctx.config.data_dir)
    ttl = None if expires_in is None else int(expires_in)
    token = signer.sign(review_session_id or ALL_SESSIONS, caller.user_id, ttl, invitee_id)
    return {
        "action": "get_widget_url",
        "widget_url": review_url(caller.base_url, review_session_id, token),
    }


# -- rendering -----------------------------------------------------------------------------------
def _template(name: str) -> string.Template:
    return string.Template((WEB_DIR / name).read_text(encoding="utf-8"))


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _date(value: Optional[dt.datetime]) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _page(title: str, body_class: str, body: str, status: int = 200) -> HTMLResponse:
    page = _template("page.html").substitute(title=_e(title), body_class=body_class, body=body)
    return HTMLResponse(page, status_code=status, headers=SECURITY_HEADERS)


def _denied(message: str) -> HTMLResponse:
    body = (
        '<main class="denied"><h1>Access denied</h1>'
        f"<p>{_e(message)}</p>"
        "<p>Ask the person who shared this review for a new link.</p></main>"
    )
    return _page("Access denied", "denied", body, status=403)


def _media_url(review_session_id: str, component_id: str, token: str) -> str:
    return (
        f"/review/{quote(review_session_id, safe='')}/media/{quote(component_id, safe='')}"
        f"?token={quote(token, safe='')}"
    )


def _note_html(note: NoteView) -> str:
    frame = (
        f'<button type="button" class="note-frame" data-frame="{note.frame}" '
        f'title="Go to frame {note.frame}">{note.frame}</button>'
        if note.frame is not None
        else '<span class="note-frame none">&ndash;</span>'
    )
    meta = " &middot; ".join(p for p in (_e(note.author), _e(_date(note.date))) if p)
    return (
        f'<li class="note" data-note-id="{_e(note.id)}">{frame}'
        f'<div class="note-body"><p class="note-content">{_e(note.content)}</p>'
        f'<p class="note-meta">{meta}</p></div></li>'
    )


def _item_html(session: SessionView, item: ItemView, token: str, index: int) -> str:
    meta = item.movie_meta
    frame_in = _int(meta.get("frameIn"), 0) or 0
    frame_out = _int(meta.get("frameOut"), None)
    # ftr_meta counts from 0; when the publish recorded the scene's first frame, show those.
    shift = (_int(meta.get("sourceFirstFrame"), frame_in) or 0) - frame_in
    frame_in += shift
    frame_out = None if frame_out is None else frame_out + shift
    rate = meta.get("frameRate") if isinstance(meta.get("frameRate"), (int, float)) else 24
    version = f"v{item.version_number:03d}" if isinstance(item.version_number, int) else ""
    # The poster must show the frame the counter shows: only a thumbnail whose frame the publish
    # recorded is the poster, and the counter (and a note typed before playing) starts there.
    poster_frame = _int(meta.get("posterFrame"), None) if item.thumbnail_id else None
    if poster_frame is not None and not (frame_out is None or frame_in <= poster_frame < frame_out):
        poster_frame = None
    poster = (
        f' poster="{_e(_media_url(session.id, item.thumbnail_id, token))}"'
        if poster_frame is not None and item.thumbnail_id
        else ""
    )
    shown = frame_in if poster_frame is None else poster_frame
    preload = "auto" if index == 1 else "metadata"  # many items: load the rest on demand
    if item.movie_id:
        player = (
            f'<video class="video" preload="{preload}" playsinline{poster} '
            f'src="{_e(_media_url(session.id, item.movie_id, token))}"></video>'
        )
    else:
        player = '<div class="no-movie">No reviewable movie (ftrackreview-mp4) yet.</div>'
    last = "" if frame_out is None else str(frame_out - 1)
    controls = (
        '<div class="controls">'
        '<button type="button" class="ctl step-back" title="Previous frame (Left)" '
        f'aria-label="Previous frame">{_icon(ICON_STEP_BACK)}</button>'
        '<button type="button" class="ctl play" title="Play / pause (Space)" '
        f'aria-label="Play or pause">{_icon(ICON_PLAY, "icon-play")}'
        f"{_icon(ICON_PAUSE, 'icon-pause')}</button>"
        '<button type="button" class="ctl step-forward" title="Next frame (Right)" '
        f'aria-label="Next frame">{_icon(ICON_STEP_FORWARD)}</button>'
        f'<input type="range" class="scrub" min="{frame_in}" max="{_e(last or frame_in)}" '
        f'step="1" value="{shown}" aria-label="Frame">'
        '<span class="counter"><span class="label">Frame</span> '
        f'<output class="frame-number">{shown}</output>'
        f'<span class="frame-range">{frame_in}&ndash;{_e(last or "?")}</span></span>'
        '<span class="timecode">00:00:00:00</span>'
        f'<span class="fps">{_e(_fps_label(rate))} fps</span>'
        "</div>"
    )
    notes = "".join(_note_html(n) for n in item.notes)
    byline = " &middot; ".join(p for p in (_e(item.author), _e(_date(item.date))) if p)
    description = (
        f'<p class="description">{_e(item.description)}</p>'
        if item.description and item.description.strip() != item.comment.strip()
        else ""
    )
    note_label = (
        f'Note at frame <output class="note-at">{shown}</output>' if item.movie_id else "Note"
    )
    form = (
        '<form class="note-form" autocomplete="off">'
        f'<label class="note-label" for="note-{index}">{note_label}</label>'
        f'<textarea id="note-{index}" name="content" rows="3" maxlength="20000" '
        'placeholder="Feedback for this frame&hellip;" required></textarea>'
        '<div class="note-actions"><p class="note-error" role="alert"></p>'
        '<button type="submit" class="add-note">Add note</button></div></form>'
        if session.is_open
        else '<p class="closed-hint">This review session is closed to new notes.</p>'
    )
    return (
        f'<article class="item" id="item-{_e(item.id)}" data-object-id="{_e(item.id)}" '
        f'data-frame-in="{frame_in}" data-frame-out="{_e(frame_out if frame_out else "")}" '
        f'data-frame-rate="{_e(rate)}" data-poster-frame="{_e(shown)}">'
        f'<div class="stage"><div class="screen">{player}</div>{controls if item.movie_id else ""}'
        "</div>"
        '<aside class="info">'
        f'<header><span class="index">{index}</span><h2><span class="asset">'
        f"{_e(item.asset_name)}</span> "
        f'<span class="version">{_e(version)}</span></h2></header>'
        f'<p class="comment">{_e(item.comment)}</p>{description}'
        f'<p class="byline">{byline}</p>'
        f'<section class="notes"><h3>Notes <span class="note-count">{len(item.notes)}</span>'
        f'</h3><ol class="note-list">{notes}</ol>{form}</section>'
        "</aside></article>"
    )


ICON_PLAY = "M8 5v14l11-7z"
ICON_PAUSE = "M6 5h4v14H6zM14 5h4v14h-4z"
ICON_STEP_BACK = "M6 5h2v14H6zM20 5v14L9 12z"
ICON_STEP_FORWARD = "M16 5h2v14h-2zM4 5v14l11-7z"


def _icon(path: str, css_class: str = "icon") -> str:
    return (
        f'<svg class="{css_class}" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        f'<path d="{path}"/></svg>'
    )


def _int(value: Any, default: Optional[int]) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _fps_label(rate: Any) -> str:
    return f"{float(rate):.3f}".rstrip("0").rstrip(".")


def render_session(session: SessionView, token: str) -> HTMLResponse:
    state = "open" if session.is_open else "closed"
    until = f" until {_date(session.end_date)}" if session.is_open and session.end_date else ""
    items = "".join(
        _item_html(session, item, token, index) for index, item in enumerate(session.items, 1)
    )
    if not items:
        items = '<p class="empty">Nothing in this review session yet.</p>'
    count = len(session.items)
    body = _template("session.html").substitute(
        project=_e(session.project_name),
        name=_e(session.name),
        state=state,
        state_label=_e(state.capitalize() + until),
        description=_e(session.description),
        count=f"{count} version{'s' if count != 1 else ''}",
        items=items,
        notes_url=_e(f"/review/{quote(session.id, safe='')}/notes?token={quote(token, safe='')}"),
    )
    return _page(f"{session.name} · {session.project_name}", "session", body)


def render_list(sessions: List[SessionView], token: str) -> HTMLResponse:
    rows = "".join(
        f'<li><a href="{_e(review_url("", s.id, token))}"><span class="name">{_e(s.name)}</span>'
        f'<span class="project">{_e(s.project_name)}</span>'
        f'<span class="until">{_e("open until " + _date(s.end_date) if s.end_date else "open")}'
        "</span></a></li>"
        for s in sessions
    )
    body = (
        '<main class="sessions"><h1>Open review sessions</h1>'
        + (f'<ul class="session-list">{rows}</ul>' if rows else '<p class="empty">None.</p>')
        + "</main>"
    )
    return _page("Review sessions", "list", body)


class _UsernameCache:
    """User id -> API user name, for the request log (``ftrack_user``) of review requests."""

    def __init__(self, keys: Any) -> None:
        self._keys = keys
        self._names: Dict[str, Optional[str]] = {}

    def get(self, user_id: Any) -> Optional[str]:
        if not isinstance(user_id, str):
            return None
        if user_id not in self._names:
            try:
                self._names[user_id] = self._keys.username_for(user_id)
            except Exception:
                log.exception("could not look up the user of a review link")
                return None
        return self._names[user_id]


def denied(message: str) -> HTMLResponse:
    return _denied(message)


def not_found() -> HTMLResponse:
    return _page(
        "Not found",
        "denied",
        '<main class="denied"><h1>No such review session</h1>'
        "<p>It may have been deleted.</p></main>",
        status=404,
    )


def json_error(message: str, status: int) -> JSONResponse:
    """The JSON error answer of the review routes: ``{"error": "<what to do>"}``."""
    return JSONResponse({"error": message}, status_code=status, headers=SECURITY_HEADERS)


# -- routes --------------------------------------------------------------------------------------
class ReviewRoutes:
    """The review page's handlers for one ``EmbeddedServer``."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.signer: ReviewSigner = signer_for(server.config.data_dir)
        self.usernames = _UsernameCache(server.keys)

    def _open(self, request: Request, review_session_id: Optional[str]) -> Link:
        link = open_link(
            self.server.store,
            self.server.ctx.execute,
            self.signer,
            request.query_params.get("token"),
            review_session_id,
        )
        request.state.auth_ok = True
        request.state.ftrack_user = self.usernames.get(link.maker_id)
        return link

    def _access(self, request: Request) -> Tuple[str, ReviewData, Link]:
        review_session_id = check_component_id(request.path_params["review_session_id"])
        link = self._open(request, review_session_id)
        return review_session_id, ReviewData(self.server.ctx.execute, link.maker_id), link

    async def access(self, request: Request) -> Tuple[str, ReviewData, Link]:
        """The path's review session id, the link holder's view of the data and the link
        (raises ReviewAccessError or FileStoreError for a bad link)."""
        return await run_in_threadpool(self._access, request)

    def _open_sessions(self, request: Request) -> List[SessionView]:
        link = self._open(request, None)
        sessions = ReviewData(self.server.ctx.execute, link.maker_id).open_sessions()
        return [s for s in sessions if may_open(self.server.store, link.maker_id, s)]

    async def list_page(self, request: Request) -> Response:
        try:
            sessions = await run_in_threadpool(self._open_sessions, request)
        except ReviewAccessError as exc:
            return denied(str(exc))
        return render_list(sessions, request.query_params["token"])

    async def session_page(self, request: Request) -> Response:
        try:
            review_session_id, data, _link = await self.access(request)
        except (ReviewAccessError, FileStoreError) as exc:
            return denied(str(exc))
        view = await run_in_threadpool(data.session, review_session_id)
        if view is None:
            return not_found()
        return render_session(view, request.query_params["token"])

    async def media(self, request: Request) -> Response:
        try:
            review_session_id, data, _link = await self.access(request)
            component_id = check_component_id(request.path_params["component_id"])
        except (ReviewAccessError, FileStoreError) as exc:
            return json_error(str(exc), 403)
        allowed = await run_in_threadpool(data.media_ids, review_session_id)
        path = self.server.files.path_for(component_id)
        if component_id not in allowed or not path.is_file():
            return json_error("No such movie, thumbnail or drawing in this review session.", 404)
        info = self.server.files.info(component_id)
        media_type = info.get("content_type") or ""
        if not media_type or media_type == "application/octet-stream":
            guessed = mimetypes.guess_type(str(info.get("file_name") or ""))[0]
            media_type = guessed or "application/octet-stream"
        return FileResponse(
            path,
            media_type=media_type,
            headers={"Cache-Control": "private, max-age=3600", "Referrer-Policy": "no-referrer"},
        )

    def routes(self) -> List[BaseRoute]:
        return [
            Mount("/review/static", app=StaticFiles(directory=str(WEB_DIR)), name="review-static"),
            Route("/review/", self.list_page, methods=["GET"]),
            Route("/review/{review_session_id}", self.session_page, methods=["GET"]),
            Route(
                "/review/{review_session_id}/media/{component_id}",
                self.media,
                methods=["GET", "HEAD"],
            ),
        ]


def routes(server: Any) -> List[BaseRoute]:
    """Starlette routes of the review page for an ``embedded.EmbeddedServer``: the page, its
    media, the feedback API (:mod:`ft_dcc.server.review_feedback`) and the live stream
    (:mod:`ft_dcc.server.review_live`)."""
    from ft_dcc.server import review_feedback, review_live

    base = ReviewRoutes(server)
    return (
        base.routes()
        + review_feedback.FeedbackRoutes(base).routes()
        + review_live.LiveRoutes(base).routes()
    )
