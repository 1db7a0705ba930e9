"""The review session's notes as markers in the cut: a CMX 3600 EDL (``session.edl``, each note a
``* LOC:`` locator) and a Final Cut Pro 7 XML (``session.xml``, each note a clip ``<marker>``).

Both are the OTIO timeline of :mod:`~ft_dcc.review.export_otio` (one clip per version, a note a
marker at its shot frame) written by OpenTimelineIO's own adapters, ``cmx_3600`` and ``fcp_xml``
(the ``otio-cmx3600-adapter`` and ``otio-fcp-adapter`` packages of the ``review`` extra).

Frames: OTIO keeps a clip's marker at the clip's source frame (the note's shot frame); the
adapters write that number as it is, which no editing system reads so (OTIO issues 169 and
345). An editor reads an EDL locator (``* LOC:``) as the record timecode of its place in the
cut, and an FCP 7 XML clip marker's ``<in>`` as frames from the start of the clip's media (as
the clip's own ``<in>``, turned into timecode with the file's ``<timecode>``). So the markers are
handed to the adapters already there: for the EDL at the clip's record start plus the note's
offset into the clip (frame 1003 of a clip whose first frame is 1001 and that starts the cut:
``00:00:00:02``), for the XML at that offset (``<in>2</in>``).

An editor's marker has one line of text, so each marker's name becomes the note in one line:
``Ana Lee: the arc reads well (frame 1010)``, its replies after it. Control characters and line
breaks from the server's text are spaces: a note never adds a line (an event) to the EDL nor an
invalid character to the XML. The adapters are imported only here, when such a file is written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, List, Mapping, Optional

from ft_dcc.exceptions import ConfigurationError
from ft_dcc.review.export_otio import build_timeline, load_otio
from ft_dcc.review.export_read import ExportSession, ExportVersion
from ft_dcc.review.feedback import FeedbackNote

#: export format -> (OTIO adapter, the package that brings it)
ADAPTERS = {"edl": ("cmx_3600", "otio-cmx3600-adapter"), "fcpxml": ("fcp_xml", "otio-fcp-adapter")}
#: the longest marker text written (editing systems show one short line)
MAX_TEXT = 240
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def check_adapter(fmt: str) -> None:
    """Raise :class:`ConfigurationError` naming what to install when ``fmt``'s adapter is missing
    (said before anything is downloaded)."""
    adapter, package = ADAPTERS[fmt]
    if adapter not in load_otio().adapters.available_adapter_names():
        raise ConfigurationError(
            f"writing --format {fmt} needs OpenTimelineIO's {adapter} adapter, which is not "
            "installed",
            hint=f"pip install 'ft-dcc[review]' (or: pip install {package})",
        )


def one_line(text: object, limit: int = MAX_TEXT) -> str:
    """``text`` from the server as one line of plain text: control characters and line breaks
    are spaces, runs of spaces one, at most ``limit`` characters."""
    flat = " ".join(_CONTROL.sub(" ", str(text or "")).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"


def _said(note: FeedbackNote) -> str:
    text = note.content.strip() or ("(drawing)" if note.drawings else "(note)")
    return f"{note.author}: {text}" if note.author else text


def marker_text(version: ExportVersion, note: FeedbackNote) -> str:
    """A note as an editor's marker reads it: author, text, frame(s), then its replies."""
    last = version.frame_out(note)
    where = f"frames {note.frame}-{last}" if last and last != note.frame else f"frame {note.frame}"
    if version.still is not None or note.frame is None:
        where = "on the still" if version.still is not None else "no frame"
    parts = [f"{_said(note)} ({where})"] + [f"reply {_said(r)}" for r in note.replies]
    return one_line(" | ".join(parts))


def _rename(timeline: Any, session: ExportSession) -> None:
    """Every name the adapters write, from server data, made one plain line."""
    timeline.name = one_line(timeline.name, 120)
    versions = {v.feedback.review_session_object_id: v for v in session.versions}
    for clip in timeline.tracks[0].find_clips(shallow_search=True):  # in cut order, gaps between
        clip.name = one_line(clip.name, 120)
        version = versions[clip.metadata["ft_dcc"]["review_session_object_id"]]
        notes = {n.id: n for n in version.feedback.notes}
        for marker in clip.markers:
            note = notes.get(marker.metadata["ft_dcc"]["id"])
            if note is not None:
                marker.name = marker_text(version, note)


def _place_markers(timeline: Any, record: bool) -> None:
    """Each marker at its frames from its clip's media's start, as the clip's own ``<in>``
    (FCP 7 XML: in a session made from a cut, the clip starts at its cut in, after its handles),
    or with ``record`` at the clip's start in the cut plus its offset into the clip (an EDL's
    record timecode): see the module's doc."""
    otio = load_otio()
    track = timeline.tracks[0]
    for index, clip in enumerate(track):
        if not len(clip.markers):
            continue  # a gap between the cut's clips, or a clip without notes
        if record:
            shift = clip.source_range.start_time - track.range_of_child_at_index(index).start_time
        else:
            available = getattr(clip.media_reference, "available_range", None)
            rate = clip.source_range.start_time.rate
            shift = available.start_time if available else otio.opentime.RationalTime(0, rate)
        for marker in clip.markers:
            marked = marker.marked_range
            marker.marked_range = otio.opentime.TimeRange(
                marked.start_time - shift, marked.duration
            )


def _rate(session: ExportSession) -> Optional[float]:
    rates = [v.movie.fps for v in session.versions if v.movie is not None]
    return rates[0] if rates else None


def write_markers(
    fmt: str,
    session: ExportSession,
    path: Path,
    movie_files: Mapping[str, str],
    drawing_files: Mapping[str, List[str]],
) -> Path:
    """Write ``session``'s notes as markers in ``fmt`` (``edl`` | ``fcpxml``) to ``path``."""
    check_adapter(fmt)
    otio = load_otio()
    timeline = build_timeline(session, movie_files, drawing_files)
    _rename(timeline, session)
    adapter = ADAPTERS[fmt][0]
    _place_markers(timeline, record=fmt == "edl")
    options = {}
    if fmt == "edl" and _rate(session):
        options["rate"] = _rate(session)  # the first movie's: an EDL has one rate
    text = otio.adapters.write_to_string(timeline, adapter_name=adapter, **options)
    path.write_text(text, encoding="utf-8")
    return path
