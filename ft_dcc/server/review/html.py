"""The HTML of the web review page (the dailies player): rendered from ``review_data`` views.

A session page groups its versions by asset (one player per asset, a version picker with the
latest first, the latest shown), each version an ``article.item`` with its player, review
buttons and notes. Everything that comes from the Store is escaped here; the page's scripts
(``web/*.js``, no inline script: see ``SECURITY_HEADERS``) add the live feedback.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import json
import string
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import quote

from starlette.responses import HTMLResponse, Response

from ft_dcc.server.review.data import ItemView, NoteView, SessionView

WEB_DIR = Path(__file__).resolve().parent / "web"
#: The page's scripts, in load order (all ``defer``; ``review.js`` starts the page).
SCRIPTS = (
    "dom.js",
    "player.js",
    "compare.js",
    "draw.js",
    "feedback.js",
    "live.js",
    "whoami.js",
    "presenter.js",
    "watchers.js",
    "review.js",
    "compare_link.js",
)

#: The page's scripts as one (``/review/static/scripts.js``): a page far away loads them in one
#: request, not eleven queued on the browser's six connections to the server, a round trip or
#: more each (the files stay served one by one too).
SCRIPT_BUNDLE = "scripts.js"

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

ICON_PLAY = "M8 5v14l11-7z"
ICON_PAUSE = "M6 5h4v14H6zM14 5h4v14h-4z"
ICON_STEP_BACK = "M6 5h2v14H6zM20 5v14L9 12z"
ICON_STEP_FORWARD = "M16 5h2v14h-2zM4 5v14l11-7z"
ICON_LOOP = "M7 7h10v3l4-4-4-4v3H5v6h2zm10 10H7v-3l-4 4 4 4v-3h12v-6h-2z"
ICON_FULLSCREEN = "M5 5h5v2H7v3H5zm9 0h5v5h-2V7h-3zM5 14h2v3h3v2H5zm12 3v-3h2v5h-5v-2z"
ICON_PEN = "M3 17.25V21h3.75L17.8 9.94l-3.75-3.75zM20.7 7.04a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75z"  # noqa: E501
PEN_COLOURS = (("#ff3b30", "Red"), ("#ffd60a", "Yellow"), ("#32d74b", "Green"),
               ("#40c8ff", "Cyan"), ("#ffffff", "White"))  # fmt: skip
SPEEDS = ("0.25", "0.5", "1", "2")


# -- links and small pieces ------------------------------------------------------------------
def review_url(base_url: str, review_session_id: Optional[str], token: str) -> str:
    """``<base>/review/<id>?token=…`` (or the list page ``<base>/review/?token=…``)."""
    path = f"/review/{quote(review_session_id, safe='')}" if review_session_id else "/review/"
    return f"{base_url.rstrip('/')}{path}?token={quote(token, safe='')}"


def _route(review_session_id: str, tail: str, token: str) -> str:
    return f"/review/{quote(review_session_id, safe='')}/{tail}?token={quote(token, safe='')}"


def _template(name: str) -> string.Template:
    return string.Template((WEB_DIR / name).read_text(encoding="utf-8"))


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def date_text(value: Optional[dt.datetime]) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _int(value: Any, default: Optional[int]) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _fps_label(rate: Any) -> str:
    return f"{float(rate):.3f}".rstrip("0").rstrip(".")


def _icon(path: str, css_class: str = "icon") -> str:
    return (
        f'<svg class="{css_class}" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        f'<path d="{path}"/></svg>'
    )


def _button(css: str, title: str, label: str, content: str) -> str:
    return (
        f'<button type="button" class="{css}" title="{_e(title)}" aria-label="{_e(label)}">'
        f"{content}</button>"
    )


def script_bundle() -> Tuple[bytes, str]:
    """SCRIPTS in their order as one script (each file is strict and wraps itself in a
    function), and its version (a digest of it); made again when a file changed."""
    return _bundle(tuple((WEB_DIR / name).stat().st_mtime_ns for name in SCRIPTS))


@functools.lru_cache(maxsize=1)
def _bundle(_changed: Tuple[int, ...]) -> Tuple[bytes, str]:
    parts = [f"/* {n} */\n{(WEB_DIR / n).read_text(encoding='utf-8')}\n;\n" for n in SCRIPTS]
    body = "".join(parts).encode("utf-8")
    return body, hashlib.sha256(body).hexdigest()[:16]


def scripts_response(if_none_match: Optional[str]) -> Response:
    """The bundle (304 when the browser holds this version: its ETag is the digest)."""
    body, digest = script_bundle()
    tag = f'"{digest}"'
    headers = {"Cache-Control": "no-cache", "ETag": tag, "X-Content-Type-Options": "nosniff"}
    if if_none_match and tag in if_none_match:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)


def page(title: str, body_class: str, body: str, status: int = 200) -> HTMLResponse:
    """A whole page (the shared head: stylesheet, scripts, no-referrer) around ``body``."""
    scripts = f'<script src="/review/static/{SCRIPT_BUNDLE}" defer></script>'
    text = _template("page.html").substitute(
        title=_e(title), body_class=body_class, body=body, scripts=scripts
    )
    return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)


def _refusal(
    title: str, main_class: str, text: str, status: int = 403, *, heading: str = ""
) -> HTMLResponse:
    """A page that shows nothing of the session: ``heading`` (else ``title``) and ``text``'s
    paragraphs (HTML)."""
    body = f'<main class="{main_class}"><h1>{_e(heading or title)}</h1>{text}</main>'
    return page(title, "denied", body, status=status)


def denied(message: str) -> HTMLResponse:
    return _refusal(
        "Access denied", "denied",
        f"<p>{_e(message)}</p><p>Ask the person who shared this review for a new link.</p>",
    )  # fmt: skip


def passphrase_prompt(review_session_id: str, token: str, wrong: bool = False) -> HTMLResponse:
    """The prompt a client link of a session with a passphrase shows (a plain form, no script):
    it posts to ``/review/<id>/passphrase``; nothing of the session is on it."""
    action = _route(review_session_id, "passphrase", token)
    error = (
        '<p class="gate-error" role="alert">That passphrase is not right; try again.</p>'
        if wrong
        else ""
    )
    form = (
        "<p>Enter the passphrase you were given with the link.</p>"
        f'{error}<form method="post" action="{_e(action)}" class="gate-form">'
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
        f'<p class="gate-when">{_e(message)}</p>'
        "<p>Ask the person who shared this review if you need it at another time.</p>"
    )
    return _refusal("Not open", "denied gate", text, heading="This review is not open")


def not_found() -> HTMLResponse:
    return _refusal("Not found", "denied", "<p>It may have been deleted.</p>", 404,
                    heading="No such review session")  # fmt: skip


# -- one version -------------------------------------------------------------------------------
def note_html(note: NoteView) -> str:
    """A note as the page first shows it (the scripts re-render it with replies and drawings)."""
    frame = (
        f'<button type="button" class="note-frame" data-frame="{note.frame}" '
        f'title="Go to frame {note.frame}">{note.frame}</button>'
        if note.frame is not None
        else '<span class="note-frame none">&ndash;</span>'
    )
    meta = " &middot; ".join(p for p in (_e(note.author), _e(date_text(note.date))) if p)
    return (
        f'<li class="note" data-note-id="{_e(note.id)}">{frame}'
        f'<div class="note-body"><p class="note-content">{_e(note.content)}</p>'
        f'<p class="note-meta">{meta}</p></div></li>'
    )


class _Frames:
    """An item's frame facts: shot frame numbers, rate, the frame the poster shows."""

    def __init__(self, item: ItemView) -> None:
        meta = item.movie_meta
        frame_in = _int(meta.get("frameIn"), 0) or 0
        frame_out = _int(meta.get("frameOut"), None)
        # ftr_meta counts from 0; when the publish recorded the scene's first frame, show those.
        shift = (_int(meta.get("sourceFirstFrame"), frame_in) or 0) - frame_in
        self.first = frame_in + shift
        self.end = None if frame_out is None else frame_out + shift  # one past the last
        rate = meta.get("frameRate")
        self.rate = rate if isinstance(rate, (int, float)) and rate > 0 else 24
        # The poster must show the frame the counter shows: only a thumbnail whose frame the
        # publish recorded is the poster, and the counter (and a new note) starts there.
        poster = _int(meta.get("posterFrame"), None) if item.thumbnail_id else None
        if poster is not None and self.end is not None and not self.first <= poster < self.end:
            poster = None
        self.poster = poster
        self.shown = self.first if poster is None else poster
        self.last = "" if self.end is None else str(self.end - 1)
        timecode = meta.get("sourceTimecode")
        self.source_timecode = timecode if isinstance(timecode, str) else ""
        self.width = _int(meta.get("width"), None)
        self.height = _int(meta.get("height"), None)


def _transport(frames: _Frames) -> str:
    last = frames.last or str(frames.first)
    return (
        '<div class="controls transport">'
        + _button("ctl step-back", "Previous frame (\u2190)", "Previous frame",
                  _icon(ICON_STEP_BACK))
        + _button("ctl play", "Play / pause (Space, J K L)", "Play or pause",
                  _icon(ICON_PLAY, "icon-play") + _icon(ICON_PAUSE, "icon-pause"))
        + _button("ctl step-forward", "Next frame (\u2192)", "Next frame",
                  _icon(ICON_STEP_FORWARD))
        + '<div class="scrub-wrap"><div class="in-out" hidden></div>'
        f'<input type="range" class="scrub" min="{frames.first}" max="{_e(last)}" '
        f'step="1" value="{frames.shown}" aria-label="Frame"></div>'
        '<span class="counter"><span class="label">Frame</span> '
        f'<output class="frame-number">{frames.shown}</output>'
        f'<span class="frame-range">{frames.first}&ndash;{_e(frames.last or "?")}</span></span>'
        '<span class="timecodes"><span class="timecode" title="Clip timecode">00:00:00:00</span>'
        f'<span class="source-timecode" title="Source timecode"'
        f'{"" if frames.source_timecode else " hidden"}></span></span>'
        "</div>"
    )  # fmt: skip


def _tools(frames: _Frames, can_draw: bool) -> str:
    speeds = "".join(
        f'<option value="{s}"{" selected" if s == "1" else ""}>{s}&times;</option>' for s in SPEEDS
    )
    draw = (
        _button("tool draw-toggle", "Draw on this frame", "Draw on this frame",
                _icon(ICON_PEN) + "<span>Draw</span>")
        if can_draw
        else ""
    )  # fmt: skip
    return (
        '<div class="controls tools">'
        + _button("tool loop", "Loop between in and out", "Loop",
                  _icon(ICON_LOOP) + "<span>Loop</span>")
        + _button("tool mark-in", "Set the in point here (I)", "Set in point", "In")
        + _button("tool mark-out", "Set the out point here (O)", "Set out point", "Out")
        + _button("tool clear-marks", "Clear in and out", "Clear in and out", "Clear in/out")
        + '<span class="marks"></span>'
        '<label class="speed-label">Speed <select class="speed" aria-label="Playback speed">'
        f"{speeds}</select></label>"
        f'<span class="fps">{_e(_fps_label(frames.rate))} fps</span>'
        '<span class="shuttle" aria-live="polite"></span>'
        + draw
        + _button("tool ghost-toggle", "Onion skin: show the drawings before and after this "
                  "frame faintly", "Onion skin", "<span>Onion skin</span>")
        + _button("tool fullscreen", "Fullscreen (F)", "Fullscreen", _icon(ICON_FULLSCREEN))
        + "</div>"
    )  # fmt: skip


def _draw_bar() -> str:
    swatches = "".join(
        f'<button type="button" class="swatch{" selected" if i == 0 else ""}" '
        f'data-colour="{c}" title="{n}" aria-label="{n} pen"></button>'
        for i, (c, n) in enumerate(PEN_COLOURS)
    )
    return (
        '<div class="draw-bar" hidden><span class="draw-hint">Drawing on frame '
        '<output class="draw-frame"></output></span>'
        '<label class="draw-hold">held to <input type="number" class="draw-out" step="1" '
        'aria-label="Last frame the drawing is held to"></label>'
        f'<span class="swatches">{swatches}</span>'
        '<button type="button" class="tool draw-undo">Undo</button>'
        '<button type="button" class="tool draw-clear">Clear</button>'
        '<span class="draw-error" role="alert"></span>'
        '<button type="button" class="tool draw-cancel">Cancel</button>'
        '<button type="button" class="primary draw-save">Save drawing</button></div>'
    )


def _stage(session: SessionView, item: ItemView, token: str, index: int) -> str:
    frames = _Frames(item)
    if not item.movie_id:
        return (
            '<div class="stage"><div class="screen"><div class="no-movie">'
            "No reviewable movie (ftrackreview-mp4) yet.</div></div></div>"
        )
    poster = (
        f' poster="{_e(_route(session.id, "media/" + quote(item.thumbnail_id, safe=""), token))}"'
        if frames.poster is not None and item.thumbnail_id
        else ""
    )
    preload = "auto" if index == 1 else "metadata"  # many items: load the rest on demand
    movie = _route(session.id, "media/" + quote(item.movie_id, safe=""), token)
    return (
        '<div class="stage"><div class="screen">'
        '<div class="picture main"><span class="picture-label"></span>'
        f'<video class="video" preload="{preload}" playsinline{poster} '
        f'src="{_e(movie)}"></video><div class="overlays"></div>'
        '<canvas class="draw-layer" hidden></canvas>'
        '<div class="wipe-handle" hidden><span></span></div></div></div>'
        f"{_transport(frames)}{_tools(frames, session.is_open)}"
        f"{_draw_bar() if session.is_open else ''}</div>"
    )


def _review_box(session: SessionView) -> str:
    buttons = (
        '<div class="my-review" hidden><span class="as"></span>'
        '<button type="button" class="verdict approve" data-status="approved">Approve</button>'
        '<button type="button" class="verdict request-changes" data-status="require_changes">'
        "Request changes</button>"
        '<p class="status-error" role="alert"></p></div>'
        if session.is_open
        else ""
    )
    return (
        '<section class="review"><h3>Reviews</h3>'
        f'{buttons}<ul class="statuses"><li class="no-status">No verdicts yet.</li></ul>'
        '<p class="version-status" hidden></p>'
        "</section>"
    )


def _note_form(session: SessionView, item: ItemView, shown: int, index: int) -> str:
    if not session.is_open:
        return '<p class="closed-hint">This review session is closed to new notes.</p>'
    label = f'Note at frame <output class="note-at">{shown}</output>' if item.movie_id else "Note"
    return (
        '<form class="note-form" autocomplete="off">'
        f'<label class="note-label" for="note-{index}">{label}</label>'
        f'<textarea id="note-{index}" name="content" rows="3" maxlength="20000" '
        'placeholder="Feedback for this frame&hellip;" required></textarea>'
        '<div class="note-actions"><p class="note-error" role="alert"></p>'
        '<button type="submit" class="add-note">Add note</button></div></form>'
    )


def _downloads(session: SessionView, item: ItemView, token: str) -> str:
    """The item's download links: only the files its link may download (``media_route``)."""
    links = " ".join(
        f'<a class="download" download href="'
        f'{_e(_route(session.id, "media/" + quote(ident, safe=""), token))}&amp;download=1">'
        f"{_e(label)}</a>"
        for ident, label in item.downloads
    )
    return f'<p class="downloads">Download: {links}</p>' if links else ""


def item_html(session: SessionView, item: ItemView, token: str, index: int) -> str:
    """One version: its player, facts, review buttons and notes."""
    frames = _Frames(item)
    version = f"v{item.version_number:03d}" if isinstance(item.version_number, int) else ""
    notes = "".join(note_html(n) for n in item.notes)
    byline = " &middot; ".join(p for p in (_e(item.author), _e(date_text(item.date))) if p)
    description = (
        f'<p class="description">{_e(item.description)}</p>'
        if item.description and item.description.strip() != item.comment.strip()
        else ""
    )
    movie = (
        _route(session.id, "media/" + quote(item.movie_id, safe=""), token) if item.movie_id else ""
    )
    facts = (
        f'data-object-id="{_e(item.id)}" data-version="{_e(version or item.name)}" '
        f'data-frame-in="{frames.first}" data-frame-out="{_e(frames.end or "")}" '
        f'data-frame-rate="{_e(frames.rate)}" data-poster-frame="{_e(frames.shown)}" '
        f'data-source-timecode="{_e(frames.source_timecode)}" '
        f'data-width="{_e(frames.width or "")}" data-height="{_e(frames.height or "")}" '
        f'data-movie-url="{_e(movie)}"'
    )
    return (
        f'<article class="item" id="item-{_e(item.id)}" {facts}>'
        f"{_stage(session, item, token, index)}"
        '<aside class="info">'
        f'<header><h2><span class="asset">{_e(item.asset_name)}</span> '
        f'<span class="version">{_e(version)}</span></h2></header>'
        f'<p class="comment">{_e(item.comment)}</p>{description}'
        f'<p class="byline">{byline}</p>{_downloads(session, item, token)}{_review_box(session)}'
        f'<section class="notes"><h3>Notes <span class="note-count">{len(item.notes)}</span>'
        f'</h3><ol class="note-list">{notes}</ol>'
        f"{_note_form(session, item, frames.shown, index)}</section>"
        "</aside></article>"
    )


# -- the session page --------------------------------------------------------------------------
def group_items(items: List[ItemView]) -> List[List[ItemView]]:
    """Items by asset, in session order of each asset's first item; latest version first."""
    groups: Dict[str, List[ItemView]] = {}
    for item in items:
        groups.setdefault(item.asset_name, []).append(item)
    for versions in groups.values():
        versions.sort(
            key=lambda i: i.version_number if isinstance(i.version_number, int) else -1,
            reverse=True,
        )
    return list(groups.values())


def _version_label(item: ItemView) -> str:
    return f"v{item.version_number:03d}" if isinstance(item.version_number, int) else item.name


def _group_html(session: SessionView, versions: List[ItemView], token: str, start: int) -> str:
    tabs = "".join(
        f'<button type="button" role="tab" class="version-tab{" selected" if i == 0 else ""}" '
        f'data-object-id="{_e(v.id)}" aria-selected="{"true" if i == 0 else "false"}">'
        f'<span class="status-dot"></span>{_e(_version_label(v))}'
        f"{'<small>latest</small>' if i == 0 else ''}</button>"
        for i, v in enumerate(versions)
    )
    options = "".join(
        f'<option value="{_e(v.id)}">{_e(_version_label(v))}</option>'
        for v in versions
        if v.movie_id
    )
    movies = sum(1 for v in versions if v.movie_id)
    compare = (
        f'<div class="compare-tools"{"" if movies > 1 else " hidden"}><label>Compare with '
        f'<select class="compare-with"><option value="">&mdash;</option>{options}</select>'
        '</label><span class="compare-mode" role="group" aria-label="Compare mode">'
        '<button type="button" class="mode selected" data-mode="side">Side by side</button>'
        '<button type="button" class="mode" data-mode="wipe">Wipe</button></span></div>'
    )
    articles = "".join(
        item_html(session, v, token, start + i).replace("<article ", "<article hidden ", 1)
        if i
        else item_html(session, v, token, start + i)
        for i, v in enumerate(versions)
    )
    count = len(versions)
    return (
        f'<section class="asset-group" data-asset="{_e(versions[0].asset_name)}">'
        '<header class="asset-head">'
        f'<h2 class="asset-title">{_e(versions[0].asset_name)}</h2>'
        f'<span class="version-count">{count} version{"s" if count != 1 else ""}</span>'
        f'<nav class="version-picker" role="tablist" aria-label="Versions">{tabs}</nav>'
        f"{compare}</header>{articles}</section>"
    )


def render_session(
    session: SessionView, token: str, presenter: Optional[Mapping[str, object]] = None
) -> HTMLResponse:
    """The session page; ``presenter``: the presenter's state and the server's clock
    (``{"presenter", "received", "now"}``, as its route answers) for the page to follow at once
    (a page far away would wait a round trip or two for it: presenter.js)."""
    state = "open" if session.is_open else "closed"
    until = f" until {date_text(session.end_date)}" if session.is_open and session.end_date else ""
    groups = group_items(session.items)
    parts, start = [], 1
    for versions in groups:
        parts.append(_group_html(session, versions, token, start))
        start += len(versions)
    body_items = "".join(parts) or '<p class="empty">Nothing in this review session yet.</p>'
    count = len(session.items)
    body = _template("session.html").substitute(
        project=_e(session.project_name),
        name=_e(session.name),
        state=state,
        state_label=_e(state.capitalize() + until),
        description=_e(session.description),
        count=f"{len(groups)} asset{'s' if len(groups) != 1 else ''} &middot; "
        f"{count} version{'s' if count != 1 else ''}",
        items=body_items,
        notes_url=_e(_route(session.id, "notes", token)),
        feedback_url=_e(_route(session.id, "feedback", token)),
        status_url=_e(_route(session.id, "status", token)),
        annotations_url=_e(_route(session.id, "annotations", token)),
        live_url=_e(_route(session.id, "live", token)),
        is_open="true" if session.is_open else "false",
        presenter_first=""
        if presenter is None
        else f' data-presenter-first="{_e(json.dumps(presenter, separators=(",", ":")))}"',
    )
    return page(f"{session.name} · {session.project_name}", "session", body)


def render_list(sessions: List[SessionView], token: str) -> HTMLResponse:
    rows = "".join(
        f'<li><a href="{_e(review_url("", s.id, token))}"><span class="name">{_e(s.name)}</span>'
        f'<span class="project">{_e(s.project_name)}</span>'
        f'<span class="until">{_e("open until " + date_text(s.end_date) if s.end_date else "open")}'
        "</span></a></li>"
        for s in sessions
    )
    body = (
        '<main class="sessions"><h1>Open review sessions</h1>'
        + (f'<ul class="session-list">{rows}</ul>' if rows else '<p class="empty">None.</p>')
        + "</main>"
    )
    return page("Review sessions", "list", body)
