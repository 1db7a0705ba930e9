"""Cut files for the cut review tests, written by real writers: a CMX 3600 EDL by hand
(:func:`edl_file`) and an OpenTimelineIO timeline (:func:`otio_timeline`, written as ``.otio`` or
FCP 7 XML by OTIO's adapters). Five shots of a project (:data:`SHOTS`) at 24 fps."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Tuple

SHOTS = ("sh010", "sh020", "sh030", "sh040", "sh050")
RATE = 24


def edl_file(path: Path, events: List[Tuple[int, str, int, int, int, int]]) -> Path:
    """A CMX 3600 EDL: (event, clip, source in, source out, record in, record out), frames."""
    tc = timecode
    lines = ["TITLE: reel 2 cut", "FCM: NON-DROP FRAME", ""]
    for event, clip, s_in, s_out, r_in, r_out in events:
        lines.append(f"{event:03d}  AX       V     C        {tc(s_in)} {tc(s_out)} {tc(r_in)} "
                     f"{tc(r_out)}")  # fmt: skip
        lines.append(f"* FROM CLIP NAME: {clip}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def timecode(frame: int) -> str:
    seconds, frames = divmod(frame, RATE)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{frames:02d}"


HOUR = 3600 * RATE
#: sh030 (handles: frames 1003-1020 of 1001-1030), sh010, a clip that is no shot, a gap, sh020
FIRST_CUT = [
    (1, "sh030", 1003, 1021, HOUR, HOUR + 18),
    (2, "sh010", 1005, 1029, HOUR + 18, HOUR + 42),
    (3, "sh999_temp", 1001, 1025, HOUR + 42, HOUR + 66),
    (4, "sh020", 1001, 1013, HOUR + 72, HOUR + 84),
]



def otio_timeline(start: int = 0) -> Any:
    """sh040 (1001-1012), sh050 (1010-1030), a gap of 6 frames, sh010, written by OTIO."""
    import opentimelineio as otio

    def clip(name: str, first: int, count: int) -> Any:
        return otio.schema.Clip(
            name=name,
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(first, RATE), otio.opentime.RationalTime(count, RATE)
            ),
        )

    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.extend([clip("sh040", 1001, 12), clip("sh050", 1010, 20),
                  otio.schema.Gap(duration=otio.opentime.RationalTime(6, RATE)),
                  clip("sh010", 1001, 10)])  # fmt: skip
    timeline = otio.schema.Timeline(name="trailer cut", tracks=[track])
    timeline.global_start_time = otio.opentime.RationalTime(start, RATE)
    return timeline
