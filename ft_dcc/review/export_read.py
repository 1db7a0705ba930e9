"""What ``ft-dcc review export`` needs of a review session, read with standard ftrack queries.

The feedback (notes, frames, drawings, replies, reviewers' verdicts) comes from the one feedback
reader, :func:`ft_dcc.review.feedback.session_feedback`; this module adds, in one more request
(three queries in one ``call``), what a timeline needs besides: each version's workflow status and
its task's, each version's review movie (its ``ftr_meta`` frame rate and range, and the shot frame
its first picture shows, from the ``ft_dcc_capture`` a ft_dcc publish records) or a still's
``ftrackreview-image`` (its size), and the last frame
of drawings held over several frames (the note's ``frame_out`` metadata).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import attr

from ft_dcc.exceptions import FtDccError
from ft_dcc.protocol import REVIEW_COMPONENT_IMAGE, REVIEW_COMPONENT_MP4, REVIEW_META_KEY
from ft_dcc.protocol.query_text import quote, quoted_list
from ft_dcc.review.cut_rows import GROUP as CUT_GROUP
from ft_dcc.review.cut_rows import SESSION_ROW as CUT_SESSION_ROW
from ft_dcc.review.cut_rows import TIMING_KEYS, frames_of
from ft_dcc.review.feedback import FeedbackNote, VersionFeedback, session_feedback
from ft_dcc.session.interface import EntityLike, PublishSession
from ft_dcc.session.replies import query_entities

log = logging.getLogger(__name__)

#: the component metadata key where a ft_dcc publish records its capture (source frames)
CAPTURE_KEY = "ft_dcc_capture"
#: the note metadata key of the last frame a drawing is held to (inclusive; ``frame`` the first)
FRAME_OUT_KEY = "frame_out"
#: the rate assumed when a movie does not say (ftrack's web player does the same)
DEFAULT_FPS = 24.0


@attr.s(auto_attribs=True, frozen=True)
class ReviewMovie:
    """A version's ``ftrackreview-mp4``: movie frame ``i`` shows shot frame ``first + i``."""

    component_id: str
    fps: float
    first: int
    frames: int
    file_type: str = ".mp4"

    @property
    def last(self) -> int:
        return self.first + self.frames - 1

    def index_of(self, frame: int) -> Optional[int]:
        """The movie's 0-based picture of shot ``frame``, or None outside the movie."""
        index = frame - self.first
        return index if 0 <= index < self.frames else None


@attr.s(auto_attribs=True, frozen=True)
class ReviewStill:
    """A still's ``ftrackreview-image``: one picture (its size from its ``ftr_meta``, 0 when
    unsaid); a still has no frames."""

    component_id: str
    width: int = 0
    height: int = 0
    file_type: str = ".png"


def still_from_metadata(component_id: str, metadata: Mapping[str, object]) -> ReviewStill:
    """The still a ``ftrackreview-image``'s ``ftr_meta`` describes."""
    meta = _parsed(metadata.get(REVIEW_META_KEY))
    width, height = _number(meta.get("width")), _number(meta.get("height"))
    return ReviewStill(component_id, int(width or 0), int(height or 0))


@attr.s(auto_attribs=True, frozen=True)
class CutTiming:
    """An item's place in the cut the session was made from (frames at the cut's rate; outs
    exclusive), read from the session's ``EntitySetting`` of group ``cut``
    (:mod:`ft_dcc.cut.apply`)."""

    event: int
    source_in: int
    source_out: int
    record_in: int
    record_out: int


@attr.s(auto_attribs=True, kw_only=True)
class ExportVersion:
    """One version of the session with everything the timeline and the report show."""

    feedback: VersionFeedback
    status: str = ""  # the version's workflow status ("Pending Review", ...)
    task: str = ""
    task_status: str = ""
    shot: str = ""  # the task's parent (its shot, asset build...)
    movie: Optional[ReviewMovie] = None
    still: Optional[ReviewStill] = None  # a still's picture (then no movie, and no frames)
    frame_outs: Dict[str, int] = attr.Factory(dict)  # note id -> last frame held
    cut: Optional[CutTiming] = None  # its place in the session's cut, when made from one

    @property
    def label(self) -> str:
        return self.feedback.label or self.feedback.review_session_object_id

    def frame_out(self, note: FeedbackNote) -> Optional[int]:
        """The last frame ``note`` covers (its own frame unless held over more)."""
        if note.frame is None or self.still is not None:
            return None
        last = self.frame_outs.get(note.id, note.frame)
        return last if last >= note.frame else note.frame


@attr.s(auto_attribs=True, kw_only=True)
class ExportSession:
    id: str
    name: str
    project: str
    server_url: str
    versions: List[ExportVersion] = attr.Factory(list)
    cut_rate: Optional[float] = None  # the rate of the cut the session was made from


def _number(value: object) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _parsed(text: object) -> Mapping[str, object]:
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def movie_from_metadata(component_id: str, metadata: Mapping[str, object]) -> Optional[ReviewMovie]:
    """The movie a review component's ``ftr_meta`` (and ``ft_dcc_capture``) describe; None when
    they do not say how many frames it has."""
    meta = _parsed(metadata.get(REVIEW_META_KEY))
    frame_in, frame_out = _number(meta.get("frameIn")), _number(meta.get("frameOut"))
    if frame_in is None or frame_out is None or frame_out <= frame_in:
        log.warning("review movie %s has no frame range in its ftr_meta", component_id)
        return None
    fps = _number(meta.get("frameRate")) or DEFAULT_FPS
    first = _parsed(metadata.get(CAPTURE_KEY)).get("source_first_frame")
    start = first if isinstance(first, int) and not isinstance(first, bool) else int(frame_in)
    return ReviewMovie(
        component_id, fps if fps > 0 else DEFAULT_FPS, start, int(frame_out - frame_in)
    )


def _queries(
    session_id: str, version_ids: Sequence[str], note_ids: Sequence[str]
) -> List[Dict[str, str]]:
    versions, notes = quoted_list(version_ids), quoted_list(note_ids) or '""'
    expressions = [
        "select id, status.name, task.name, task.status.name, task.parent.name from AssetVersion "
        f"where id in ({versions})",
        "select id, name, version_id, file_type, metadata.key, metadata.value from Component "
        f"where name in ({quote(REVIEW_COMPONENT_MP4)}, {quote(REVIEW_COMPONENT_IMAGE)}) "
        f"and version_id in ({versions})",
        "select parent_id, value from Metadata "
        f"where key is {quote(FRAME_OUT_KEY)} and parent_id in ({notes})",
        "select name, value from EntitySetting "
        f"where parent_id is {quote(session_id)} and group is {quote(CUT_GROUP)}",
    ]
    return [{"action": "query", "expression": e} for e in expressions]


def _all_notes(notes: Sequence[FeedbackNote]) -> List[FeedbackNote]:
    found: List[FeedbackNote] = []
    for note in notes:
        found.append(note)
        found += _all_notes(note.replies)
    return found


def _name(entity: Any, key: str) -> str:
    related = entity[key] if entity is not None else None
    return str(related["name"] or "") if related is not None else ""


def _frame_outs(rows: Sequence[EntityLike]) -> Dict[str, int]:
    outs: Dict[str, int] = {}
    for row in rows:
        try:
            outs[row["parent_id"]] = int(float(row["value"]))
        except (TypeError, ValueError):
            log.warning(
                "note %s has an unreadable %s: %r", row["parent_id"], FRAME_OUT_KEY, row["value"]
            )
    return outs


def _cut_timings(rows: Sequence[EntityLike]) -> Tuple[Optional[float], Dict[str, CutTiming]]:
    """The cut's rate and each item's timing, from the session's rows of group ``cut``."""
    values = {str(row["name"]): _parsed(row["value"]) for row in rows}
    rate = _number(values.pop(CUT_SESSION_ROW, {}).get("rate"))
    if not rate or rate <= 0:
        return None, {}
    timings: Dict[str, CutTiming] = {}
    for item, value in values.items():
        try:
            timings[item] = CutTiming(
                int(str(value["event"])), *(frames_of(str(value[k]), rate) for k in TIMING_KEYS)
            )
        except (KeyError, ValueError, FtDccError):
            log.warning("the cut timing of item %s is unreadable: %r", item, value)
    return rate, timings


def read_export(session: PublishSession, review_session: EntityLike) -> ExportSession:
    """Everything about ``review_session`` (read with ``project.name``) the export writes."""
    feedback = session_feedback(session, review_session)
    result = ExportSession(
        id=review_session["id"],
        name=str(review_session["name"]),
        project=str(review_session["project"]["name"]),
        server_url=str(session.server_url).rstrip("/"),
    )
    version_ids = [v.version_id for v in feedback if v.version_id]
    if not version_ids:
        result.versions = [ExportVersion(feedback=v) for v in feedback]
        return result
    note_ids = [n.id for v in feedback for n in _all_notes(v.notes)]
    replies = session.call(_queries(result.id, version_ids, note_ids))
    versions = {v["id"]: v for v in query_entities(replies[0])}
    movies: Dict[str, ReviewMovie] = {}
    stills: Dict[str, ReviewStill] = {}
    for component in sorted(query_entities(replies[1]), key=lambda c: c["id"]):
        if component["name"] == REVIEW_COMPONENT_IMAGE:
            still = still_from_metadata(component["id"], component["metadata"] or {})
            still = attr.evolve(still, file_type=component["file_type"] or ".png")
            stills.setdefault(component["version_id"], still)
            continue
        movie = movie_from_metadata(component["id"], component["metadata"] or {})
        if movie is not None:
            movie = attr.evolve(movie, file_type=component["file_type"] or ".mp4")
            movies.setdefault(component["version_id"], movie)
    outs = _frame_outs(query_entities(replies[2]))
    result.cut_rate, cuts = _cut_timings(query_entities(replies[3]))
    for item in feedback:
        version = versions.get(item.version_id or "")
        task = version["task"] if version is not None else None
        result.versions.append(
            ExportVersion(
                feedback=item,
                status=_name(version, "status"),
                task=str(task["name"] or "") if task is not None else "",
                task_status=_name(task, "status"),
                shot=_name(task, "parent"),
                movie=movies.get(item.version_id or ""),
                still=None if item.version_id in movies else stills.get(item.version_id or ""),
                frame_outs={n.id: outs[n.id] for n in _all_notes(item.notes) if n.id in outs},
                cut=cuts.get(item.review_session_object_id),
            )
        )
    return result
