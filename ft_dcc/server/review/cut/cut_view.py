"""The editor's cut of a review session as the review page plays it ("Play cut", ``cut.js``).

A session made from a cut (``ft-dcc review create --from-cut``, the desk's cut upload) keeps each
item's place in the cut in ftrack's own entities (:mod:`ft_dcc.protocol.cut_timing`): the
session's ``EntitySetting`` rows of group ``cut``. This module reads them, with each timed item's
movie (its shot frame range and rate, as the page's player counts them), into the plan the page
plays: the items in record order, each from its cut source in to its cut source out (the version's
frame N is timecode N at the cut's rate), at its record in.

An item whose movie runs at another rate than the cut (not the same whole frames per second:
23.976 in a 24 fps cut is the same frame for frame) is **refused**, not retimed: the page holds
its record frames as a card that says so. An item with no movie likewise.

Only the studio sees the cut (:attr:`Inside.EDITORIAL`): the page of a client or room guest is
given no cut, and its ``/cut`` route refuses them.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Tuple

from ft_dcc.protocol.cut_timing import GROUP, SESSION_ROW, TIMING_KEYS, frame_of, timecode
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.review.reads.data import ItemView, ReviewData
from ft_dcc.server.review.render.markup import media_url
from ft_dcc.server.review.render.player_html import frame_facts

log = logging.getLogger(__name__)

#: the rate a cut is counted at when its own row names none (as the client reads an EDL)
DEFAULT_RATE = 24.0


def _timings(rows: List[Dict[str, Any]]) -> Tuple[Dict[str, Any], Dict[str, Dict[str, Any]]]:
    """The session's own row and each item's timing (by object id), read leniently: a row that
    is not JSON with the keys is skipped (and logged)."""
    own: Dict[str, Any] = {}
    timings: Dict[str, Dict[str, Any]] = {}
    for row in rows:
        try:
            value = json.loads(str(row.get("value") or ""))
        except ValueError:
            value = None
        if not isinstance(value, dict):
            log.warning("an unreadable cut row %r on a review session", row.get("name"))
            continue
        name = str(row.get("name") or "")
        if name == SESSION_ROW:
            own = value
        elif all(isinstance(value.get(key), str) for key in TIMING_KEYS):
            timings[name] = value
    return own, timings


def _rate(own: Dict[str, Any]) -> float:
    rate = own.get("rate")
    return float(rate) if isinstance(rate, (int, float)) and rate > 0 else DEFAULT_RATE


def _label(item: ItemView) -> str:
    version = f"v{item.version_number:03d}" if isinstance(item.version_number, int) else ""
    return " ".join(part for part in (item.shot, item.asset_name, version) if part)


def _refusal(item: ItemView, movie_rate: float, rate: float) -> str:
    if not item.movie_id:
        return f"{_label(item)}: no review movie"
    if round(movie_rate) != round(rate):
        return (f"{_label(item)} is at {movie_rate:g} fps, the cut at {rate:g} fps: "
                "not played (not retimed)")  # fmt: skip
    return ""


def _segment(
    session_id: str, item: ItemView, timing: Dict[str, Any], rate: float, token: str
) -> Optional[Dict[str, Any]]:
    frames = {key: frame_of(timing[key], rate) for key in TIMING_KEYS}
    if any(value is None for value in frames.values()):
        log.warning("the cut timing of item %s is unreadable: %r", item.id, timing)
        return None
    facts = frame_facts(item)
    return {
        "object_id": item.id,
        "label": _label(item),
        "event": timing.get("event"),
        **frames,
        "record_in_tc": timing["record_in"],
        "movie": media_url(session_id, item.movie_id, token) if item.movie_id else None,
        "movie_id": item.movie_id,
        "frame_in": facts.first,
        "frame_end": facts.end,
        "movie_rate": facts.rate,
        "movie_width": facts.width,  # as recorded: the conform trusts it when the movie agrees
        "movie_height": facts.height,
        "refused": _refusal(item, float(facts.rate), rate),
    }


def cut_plan(data: ReviewData, session_id: str, token: str) -> Dict[str, Any]:
    """The session's cut as the page plays it: ``{"name", "revision", "rate", "segments"}``,
    the segments in record order (``segments`` empty: the session was not made from a cut)."""
    rows = data.rows(
        [
            "select name, value from EntitySetting where parent_id is "
            f"{quote(session_id)} and group is {quote(GROUP)}"
        ]
    )[0]
    own, timings = _timings(rows)
    rate = _rate(own)
    plan: Dict[str, Any] = {"name": str(own.get("name") or ""), "revision": own.get("revision"),
                            "rate": rate, "segments": []}  # fmt: skip
    if not timings:
        return plan
    view = data.session(session_id, lambda items: [i.id for i in items if i.id in timings])
    if view is None:
        return plan
    segments = [
        segment
        for item in view.items
        if item.id in timings
        for segment in [_segment(session_id, item, timings[item.id], rate, token)]
        if segment is not None
    ]
    segments.sort(key=lambda s: (s["record_in"], s["event"] or 0))
    plan["segments"] = segments
    plan["start_tc"] = timecode(segments[0]["record_in"], rate) if segments else ""
    return plan
