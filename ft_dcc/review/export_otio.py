"""The review session as an OpenTimelineIO timeline (``session.otio``).

One video track, one clip per version in the session's order. A clip's media is the version's
review movie (``media/<asset>_vNNN.mp4`` next to the timeline, the server's component address in
its metadata) and its range is the movie's, in shot frames at the movie's rate. Each note with a
frame is a marker at that frame (duration 0; a drawing held over frames: a marker whose range
covers them, ``end_time_inclusive`` its last); its text,
author, date, replies and drawings' files are in the marker's ``ft_dcc`` metadata. The version's
status, its task's status and each reviewer's verdict are in the clip's ``ft_dcc`` metadata.

A still is a clip of its one picture (``media/<asset>_vNNN.png``, an ``ExternalReference`` of
one frame at :data:`STILL_RATE`; its metadata ``"still": true`` with the picture's size): OTIO
has no still media of its own, and an editorial tool holds a one-frame image as long as it is
told. Its notes (a still's have no frame) are markers at that one frame.

``opentimelineio`` is an optional package (``pip install 'ft-dcc[review]'``): imported only here,
only when a timeline is written, so the core imports without it.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List, Mapping, Optional, Tuple

import attr

from ft_dcc.cut.timing import load_otio
from ft_dcc.review.export_read import ExportSession, ExportVersion
from ft_dcc.review.feedback import FeedbackNote, status_word

#: the metadata namespace of everything ft_dcc writes into the timeline
NAMESPACE = "ft_dcc"
NOTE_COLOUR = "GREEN"
#: the rate of a still's one-frame clip (the timeline's placeholder rate too)
STILL_RATE = 24
DRAWING_COLOUR = "RED"


def _note_data(note: FeedbackNote, files: Mapping[str, List[str]]) -> Dict[str, Any]:
    data = attr.asdict(note, filter=lambda a, _v: a.name not in ("replies", "drawings"))
    data["drawing_files"] = list(files.get(note.id, []))
    data["drawing_urls"] = list(note.drawings)
    data["replies"] = [_note_data(reply, files) for reply in note.replies]
    return {k: v for k, v in data.items() if v is not None}


def _marker_name(note: FeedbackNote) -> str:
    text = note.content.strip().splitlines()[0] if note.content.strip() else ""
    return text[:80] or ("drawing" if note.drawings else "note")


def _markers(
    otio: ModuleType, version: ExportVersion, rate: float, files: Mapping[str, List[str]]
) -> List[object]:
    markers = []
    still = version.still is not None
    for note in version.feedback.notes:
        if note.frame is None and not still:
            continue
        first = 0 if still else note.frame or 0  # a still's note: its one picture
        last = first if still else version.frame_out(note) or first
        length = last - first + 1 if last > first else 0  # 0: a point at the frame
        marked = otio.opentime.TimeRange(
            otio.opentime.RationalTime(first, rate), otio.opentime.RationalTime(length, rate)
        )
        data = _note_data(note, files)
        if still:
            data.pop("frame", None)
        else:
            data["frame_out"] = last
        markers.append(
            otio.schema.Marker(
                name=_marker_name(note),
                marked_range=marked,
                color=DRAWING_COLOUR if note.drawings else NOTE_COLOUR,
                metadata={NAMESPACE: data},
            )
        )
    return markers


def _clip_metadata(
    session: ExportSession, version: ExportVersion, files: Mapping[str, List[str]]
) -> Dict[str, Any]:
    feedback = version.feedback
    movie = version.movie
    still = version.still
    media = movie or still
    extra: Dict[str, Any] = {}
    if still is not None:
        extra = {"still": True, "width": still.width, "height": still.height}
    return {
        **extra,
        "review_session_object_id": feedback.review_session_object_id,
        "version_id": feedback.version_id,
        "asset": feedback.asset,
        "version": feedback.version,
        "status": version.status,
        "task": version.task,
        "task_status": version.task_status,
        "verdicts": [
            dict(attr.asdict(s), verdict=status_word(s.status)) for s in feedback.statuses
        ],
        "review_movie_url" if still is None else "review_image_url": (
            f"{session.server_url}/component/get?id={media.component_id}" if media else None
        ),
        "notes_without_frame": [
            _note_data(n, files) for n in feedback.notes if n.frame is None and still is None
        ],
    }


def _clip(
    otio: ModuleType,
    session: ExportSession,
    version: ExportVersion,
    movie_file: Optional[str],
    files: Mapping[str, List[str]],
) -> object:
    movie = version.movie
    metadata = {NAMESPACE: _clip_metadata(session, version, files)}
    if version.still is not None:  # one picture: a one-frame clip of it
        rate = float(STILL_RATE)
        span = otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(1, rate)
        )
        reference = otio.schema.ExternalReference(target_url=movie_file, available_range=span)
        if movie_file is None:
            reference = otio.schema.MissingReference()
    elif movie is None:  # no review movie: a one-frame placeholder keeps the notes in the order
        frames = [n.frame for n in version.feedback.notes if n.frame is not None]
        start = min(frames) if frames else 0
        span = otio.opentime.TimeRange(
            otio.opentime.RationalTime(start, 24),
            otio.opentime.RationalTime(max(frames or [start]) - start + 1, 24),
        )
        reference = otio.schema.MissingReference()
        rate = 24.0
    else:
        rate = movie.fps
        span = otio.opentime.TimeRange(
            otio.opentime.RationalTime(movie.first, rate),
            otio.opentime.RationalTime(movie.frames, rate),
        )
        reference = otio.schema.ExternalReference(target_url=movie_file, available_range=span)
    clip = otio.schema.Clip(
        name=version.label, media_reference=reference, source_range=span, metadata=metadata
    )
    for marker in _markers(otio, version, rate, files):
        clip.markers.append(marker)
    return clip


def build_timeline(
    session: ExportSession, movie_files: Mapping[str, str], drawing_files: Mapping[str, List[str]]
) -> Any:
    """``session`` as an OTIO timeline (untyped: OTIO ships no types); ``movie_files`` maps a
    version id to its movie's path relative to the timeline, ``drawing_files`` a note id to its
    drawings'. The EDL and FCP XML exports (:mod:`~ft_dcc.review.export_markers`) start here."""
    otio = load_otio()
    timeline = otio.schema.Timeline(
        name=session.name,
        metadata={
            NAMESPACE: {
                "review_session_id": session.id,
                "review_session": session.name,
                "project": session.project,
                "server_url": session.server_url,
            }
        },
    )
    track = otio.schema.Track(name="Review", kind=otio.schema.TrackKind.Video)
    clips = [
        (
            version,
            _clip(
                otio,
                session,
                version,
                movie_files.get(version.feedback.version_id or ""),
                drawing_files,
            ),
        )
        for version in session.versions
    ]
    if session.cut_rate:
        _in_cut(otio, track, clips, session.cut_rate)
    else:
        track.extend(clip for _version, clip in clips)
    timeline.tracks.append(track)
    return timeline


def _in_cut(
    otio: ModuleType, track: Any, clips: List[Tuple[ExportVersion, Any]], rate: float
) -> None:
    """The clips at their places in the session's cut: each from its cut source in to out, at
    its record in (gaps held by OTIO gaps, the first one from 00:00:00:00, so an EDL's record
    timecodes are the cut's); a note's marker outside the cut's part of its shot at the nearest
    frame inside (its text names its frame). Items not from the cut follow, whole."""
    placed = sorted((c for c in clips if c[0].cut is not None), key=lambda c: c[0].cut.record_in)  # type: ignore[union-attr]
    position = 0
    for version, clip in placed:
        cut = version.cut
        assert cut is not None
        if cut.record_in > position:
            track.append(
                otio.schema.Gap(duration=otio.opentime.RationalTime(cut.record_in - position, rate))
            )
        clip.source_range = _range(otio, cut.source_in, cut.source_out - cut.source_in, rate)
        _clamp_markers(otio, clip, cut.source_in, cut.source_out - 1)
        track.append(clip)
        position = max(position, cut.record_in) + (cut.source_out - cut.source_in)
    track.extend(clip for version, clip in clips if version.cut is None)


def _range(otio: ModuleType, start: int, length: int, rate: float) -> Any:
    return otio.opentime.TimeRange(
        otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(length, rate)
    )


def _clamp_markers(otio: ModuleType, clip: Any, first: int, last: int) -> None:
    for marker in clip.markers:
        start = marker.marked_range.start_time
        frame = min(max(round(start.value), first), last)
        if frame != round(start.value):  # in the handles: at the cut's nearest frame
            marker.marked_range = _range(otio, frame, 0, start.rate)


def write_timeline(
    session: ExportSession,
    path: Path,
    movie_files: Mapping[str, str],
    drawing_files: Mapping[str, List[str]],
) -> Path:
    """Write ``session`` as an OTIO timeline to ``path`` (see :func:`build_timeline`)."""
    timeline = build_timeline(session, movie_files, drawing_files)
    load_otio().adapters.write_to_file(timeline, str(path))
    return path
