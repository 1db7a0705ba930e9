"""One version on the review page, as its template (``templates/parts/item.html`` and
``player.html``) shows it: its frame facts (shot frame numbers, rate, the frame the poster
shows), its media's URLs with the link's token, its byline and notes. The templates escape
everything that comes from the Store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple

from ft_dcc.server.review.reads.data import ItemView, NoteView, SessionView
from ft_dcc.server.review.render.markup import date_text, media_url


def _int(value: Any, default: Optional[int]) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _fps_label(rate: Any) -> str:
    return f"{float(rate):.3f}".rstrip("0").rstrip(".")


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
        self.rate_label = _fps_label(self.rate)
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


def _present(*parts: Optional[str]) -> List[str]:
    """The parts that say something (a byline's author and date)."""
    return [part for part in parts if part]


@dataclass
class NoteShown:
    """A note as the page first shows it (the scripts re-render it with replies and drawings):
    the note and its byline's parts (author, date)."""

    note: NoteView
    meta: List[str]


@dataclass
class ItemShown:
    """What ``templates/parts/item.html`` shows of one version, the ``index``-th of the page
    (counted from 1: only the first comes with its movie; the others' wait for the page's loading
    queue); its media's URLs carry the link's token."""

    item: ItemView
    index: int
    is_open: bool
    frames: _Frames
    version: str
    movie_url: str
    image_url: str
    poster_url: str
    alt: str
    description: str
    byline: List[str]
    downloads: List[Tuple[str, str]]
    notes: List[NoteShown]
    #: its name in the version picker (``html``)
    label: str = field(default="")


def item_shown(session: SessionView, item: ItemView, token: str, index: int) -> ItemShown:
    """What the page shows of ``item``, the ``index``-th version of the page."""
    frames = _Frames(item)
    version = f"v{item.version_number:03d}" if isinstance(item.version_number, int) else ""
    poster = ""
    if frames.poster is not None and item.thumbnail_id:
        poster = media_url(session.id, item.thumbnail_id, token)
    described = item.description and item.description.strip() != item.comment.strip()
    return ItemShown(
        item=item,
        index=index,
        is_open=session.is_open,
        frames=frames,
        version=version,
        movie_url=media_url(session.id, item.movie_id, token) if item.movie_id else "",
        image_url=media_url(session.id, item.image_id, token) if item.image_id else "",
        poster_url=poster,
        alt=f"{item.asset_name} v{item.version_number or ''}".strip(),
        description=item.description if described else "",
        byline=_present(item.author, date_text(item.date)),
        downloads=[(media_url(session.id, i, token), label) for i, label in item.downloads],
        notes=[NoteShown(note, _present(note.author, date_text(note.date))) for note in item.notes],
        label=version or item.name,
    )
