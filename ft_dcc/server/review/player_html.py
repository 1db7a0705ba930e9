"""The HTML of one version on the review page: its player (picture, transport, tools, drawing
bar), its facts for the scripts, review buttons, downloads and notes. Everything that comes from
the Store is escaped here."""

from __future__ import annotations

from typing import Any, Optional

from ft_dcc.server.review.data import ItemView, NoteView, SessionView
from ft_dcc.server.review.markup import date_text, escape, media_url

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
        f'<button type="button" class="{css}" title="{escape(title)}" aria-label="{escape(label)}">'
        f"{content}</button>"
    )


def note_html(note: NoteView) -> str:
    """A note as the page first shows it (the scripts re-render it with replies and drawings)."""
    frame = (
        f'<button type="button" class="note-frame" data-frame="{note.frame}" '
        f'title="Go to frame {note.frame}">{note.frame}</button>'
        if note.frame is not None
        else '<span class="note-frame none">&ndash;</span>'
    )
    meta = " &middot; ".join(p for p in (escape(note.author), escape(date_text(note.date))) if p)
    return (
        f'<li class="note" data-note-id="{escape(note.id)}">{frame}'
        f'<div class="note-body"><p class="note-content">{escape(note.content)}</p>'
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


def frame_facts(item: ItemView) -> _Frames:
    """An item's frame facts as its player counts them (the cut player's too: cut_view)."""
    return _Frames(item)


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
        f'<input type="range" class="scrub" min="{frames.first}" max="{escape(last)}" '
        f'step="1" value="{frames.shown}" aria-label="Frame"></div>'
        '<span class="counter"><span class="label">Frame</span> '
        f'<output class="frame-number">{frames.shown}</output>'
        f'<span class="frame-range">{frames.first}&ndash;{escape(frames.last or "?")}</span></span>'
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
        f'<span class="fps">{escape(_fps_label(frames.rate))} fps</span>'
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


def _video(session: SessionView, item: ItemView, token: str, frames: _Frames, index: int) -> str:
    """The version's video. Only the page's first version comes with its movie and poster (its
    first frame, then the rest: media.js makes it ``preload="auto"`` once the frame is there); the
    others name theirs (``data-src``, ``data-poster``) for the page's loading queue (media.js),
    which fetches them when they come near the screen, a few at a time: the first frame never
    waits behind other versions' media, however many the session holds."""
    movie = escape(media_url(session.id, item.movie_id or "", token))
    poster = ""
    if frames.poster is not None and item.thumbnail_id:
        poster = escape(media_url(session.id, item.thumbnail_id, token))
    if index == 1:
        shown = f' poster="{poster}"' if poster else ""
        return f'<video class="video" preload="metadata" playsinline{shown} src="{movie}"></video>'
    named = f' data-poster="{poster}"' if poster else ""
    return f'<video class="video" preload="none" playsinline{named} data-src="{movie}"></video>'


def _still_stage(session: SessionView, item: ItemView, token: str, frames: _Frames) -> str:
    """A still's picture: shown fitted first; "1:1" shows one picture pixel per screen pixel;
    zoom and pan (drag) between (``still.js``); drawings on it with the player's own tools,
    in the picture's own pixels (they zoom and pan with it)."""
    image = escape(media_url(session.id, item.image_id or "", token))
    size = (
        f' width="{frames.width}" height="{frames.height}"'
        if frames.width and frames.height
        else ""
    )
    alt = escape(f"{item.asset_name} v{item.version_number or ''}".strip())
    draw = (
        _button("tool draw-toggle", "Draw on the picture", "Draw on the picture",
                _icon(ICON_PEN) + "<span>Draw</span>")
        if session.is_open
        else ""
    )  # fmt: skip
    return (
        '<div class="stage"><div class="screen">'
        '<div class="still-view" data-zoom="fit"><span class="picture-label"></span>'
        '<div class="still-picture">'
        f'<img class="still-image" src="{image}" alt="{alt}"{size} draggable="false">'
        '<div class="overlays"></div><canvas class="draw-layer" hidden></canvas></div>'
        '<div class="wipe-handle" hidden><span></span></div></div></div>'
        '<div class="controls transport still-tools">'
        '<button type="button" class="still-fit" aria-pressed="true" title="Fit the picture '
        '(F)">Fit</button>'
        '<button type="button" class="still-actual" aria-pressed="false" title="One picture '
        'pixel per screen pixel (1)">1:1</button>'
        '<button type="button" class="still-zoom-out" title="Zoom out (-)">&minus;</button>'
        '<button type="button" class="still-zoom-in" title="Zoom in (+)">+</button>'
        f'<output class="still-scale">fit</output>{draw}'
        f'<span class="still-size">{frames.width or "?"} &times; {frames.height or "?"} px</span>'
        f"</div>{_draw_bar() if session.is_open else ''}</div>"
    )


def _stage(session: SessionView, item: ItemView, token: str, index: int) -> str:
    frames = _Frames(item)
    if item.image_id:
        return _still_stage(session, item, token, frames)
    if not item.movie_id:
        return (
            '<div class="stage"><div class="screen"><div class="no-movie">'
            "No reviewable movie (ftrackreview-mp4) yet.</div></div></div>"
        )
    return (
        '<div class="stage"><div class="screen">'
        '<div class="picture main"><span class="picture-label"></span>'
        f'{_video(session, item, token, frames, index)}<div class="overlays"></div>'
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
    about = "on this picture" if item.image_id else "for this frame"
    return (
        '<form class="note-form" autocomplete="off">'
        f'<label class="note-label" for="note-{index}">{label}</label>'
        f'<textarea id="note-{index}" name="content" rows="3" maxlength="20000" '
        f'placeholder="Feedback {about}&hellip;" required></textarea>'
        '<div class="note-actions"><p class="note-error" role="alert"></p>'
        '<label class="note-kind" title="A comment is not a to-do: the artist need not '
        'address it"><input type="checkbox" name="comment" class="note-comment"> Comment</label>'
        '<button type="submit" class="add-note">Add note</button></div></form>'
    )


def _downloads(session: SessionView, item: ItemView, token: str) -> str:
    """The item's download links: only the files its link may download (``media_route``)."""
    links = " ".join(
        f'<a class="download" download href="'
        f'{escape(media_url(session.id, ident, token))}&amp;download=1">'
        f"{escape(label)}</a>"
        for ident, label in item.downloads
    )
    return f'<p class="downloads">Download: {links}</p>' if links else ""


def item_html(session: SessionView, item: ItemView, token: str, index: int) -> str:
    """One version: its player, facts, review buttons and notes."""
    frames = _Frames(item)
    version = f"v{item.version_number:03d}" if isinstance(item.version_number, int) else ""
    notes = "".join(note_html(n) for n in item.notes)
    byline = " &middot; ".join(p for p in (escape(item.author), escape(date_text(item.date))) if p)
    description = (
        f'<p class="description">{escape(item.description)}</p>'
        if item.description and item.description.strip() != item.comment.strip()
        else ""
    )
    movie = (
        media_url(session.id, item.movie_id, token) if item.movie_id else ""
    )
    facts = (
        f'data-object-id="{escape(item.id)}" data-version="{escape(version or item.name)}" '
        f'data-frame-in="{frames.first}" data-frame-out="{escape(frames.end or "")}" '
        f'data-frame-rate="{escape(frames.rate)}" data-poster-frame="{escape(frames.shown)}" '
        f'data-source-timecode="{escape(frames.source_timecode)}" '
        f'data-width="{escape(frames.width or "")}" data-height="{escape(frames.height or "")}" '
        f'data-movie-url="{escape(movie)}"'
    )
    if item.image_id:  # a still: its picture (compared with another still's: still_compare.js)
        facts += f' data-image-url="{escape(media_url(session.id, item.image_id, token))}"'
    shot = f'<span class="shot">{escape(item.shot)}</span> ' if item.shot else ""
    return (
        f'<article class="item" id="item-{escape(item.id)}" {facts}>'
        f"{_stage(session, item, token, index)}"
        '<aside class="info">'
        f'<header><h2>{shot}<span class="asset">{escape(item.asset_name)}</span> '
        f'<span class="version">{escape(version)}</span></h2></header>'
        f'<p class="comment">{escape(item.comment)}</p>{description}'
        f'<p class="byline">{byline}</p>{_downloads(session, item, token)}{_review_box(session)}'
        f'<section class="notes"><h3>Notes <span class="note-count">{len(item.notes)}</span>'
        f'</h3><ol class="note-list">{notes}</ol>'
        f"{_note_form(session, item, frames.shown, index)}</section>"
        "</aside></article>"
    )
