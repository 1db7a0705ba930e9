"""An editor's cut read into events on the record timeline: CMX 3600 EDL, OpenTimelineIO, FCP 7 XML.

OpenTimelineIO and its adapters read the file (``pip install 'ft-dcc[review]'``). Each clip of
the cut's video tracks is one :class:`CutEvent`: its clip name and reel, its source in/out and
record in/out as SMPTE timecodes of the cut's rate (outs exclusive, as CMX 3600 has them), and
its event number — the EDL's own, else the clip's place on the record timeline, from 1. The
record timeline's gaps and overlaps are found here too; which shot an event is, is
:mod:`ft_dcc.cut.match`'s question.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, List, Optional, Tuple

import attr

from ft_dcc.cut.timing import frames_of, load_otio
from ft_dcc.exceptions import CutError
from ft_dcc.protocol.cut_timing import timecode

#: the suffixes read, and the OTIO adapter of each
ADAPTERS = {".edl": "cmx_3600", ".otio": "otio_json", ".xml": "fcp_xml"}
#: an EDL's video event line: number, reel, track, transition, then four timecodes
_EDL_EVENT = re.compile(
    r"^\s*(\d+)\s+(\S+)\s+V\S*\s+\S+(?:\s+\d+)?\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$"
)
DEFAULT_RATE = 24.0
#: the frame rates an EDL may be read at, frames per second (an EDL carries none)
RATES = (1.0, 240.0)
RATE_HINT = ("give the EDL's frame rate in frames per second, from 1 to 240: 23.976, 24, 25, "
             "29.97, 30, 48, 50, 59.94 or 60 as its editing system made it")  # fmt: skip


@attr.s(auto_attribs=True, frozen=True)
class CutEvent:
    """One clip of the cut on the record timeline (frames counted at the cut's rate)."""

    event: int
    clip_name: str
    reel: str
    source_in: int
    source_out: int  # exclusive
    record_in: int
    record_out: int  # exclusive

    def timing(self, rate: float) -> dict:
        """What the session keeps of it: ``{"event", "source_in", …}``, SMPTE timecodes."""
        return {
            "event": self.event,
            "source_in": timecode(self.source_in, rate),
            "source_out": timecode(self.source_out, rate),
            "record_in": timecode(self.record_in, rate),
            "record_out": timecode(self.record_out, rate),
        }


@attr.s(auto_attribs=True, frozen=True)
class Cut:
    """The cut's events in record order, its rate, and the record timeline's holes and
    overlaps (pairs of record frames / of event numbers)."""

    name: str
    rate: float
    events: Tuple[CutEvent, ...]
    gaps: Tuple[Tuple[int, int], ...] = ()
    overlaps: Tuple[Tuple[int, int], ...] = ()


def read_cut(path: Path, rate: Optional[float] = None) -> Cut:
    """The cut in ``path`` (an EDL is read at ``rate``, 24 unless given; a rate that is no
    frame rate is refused)."""
    if rate is not None:
        rate = checked_rate(rate)
    adapter = ADAPTERS.get(path.suffix.lower())
    if adapter is None:
        raise CutError(
            f"{path.name}: not a cut ft_dcc reads",
            hint="give a CMX 3600 EDL (.edl), an OpenTimelineIO file (.otio) or an FCP 7 XML "
            "(.xml)",
        )
    if not path.is_file():
        raise CutError(f"{path}: no such file", hint="check the cut's path")
    otio = load_otio()
    options = {"rate": rate or DEFAULT_RATE} if adapter == "cmx_3600" else {}
    try:
        timeline = otio.adapters.read_from_file(str(path), adapter_name=adapter, **options)
    except Exception as error:  # OTIO's adapters raise many kinds; all mean "cannot read it"
        raise CutError(
            f"{path.name}: OpenTimelineIO could not read it ({error})",
            hint="check that it is a cut its editing system exported",
        ) from None
    return _cut_of(otio, timeline, path)


def checked_rate(rate: float) -> float:
    """``rate`` when it is a frame rate an EDL may be read at (:data:`RATES`), else a
    :class:`CutError` saying what to give."""
    if not math.isfinite(rate) or not RATES[0] <= rate <= RATES[1]:
        raise CutError(f"{rate:g} fps is not a cut's frame rate", hint=RATE_HINT)
    return rate


def _cut_of(otio: Any, timeline: Any, path: Path) -> Cut:
    placed = _placed_clips(otio, timeline)
    rate = placed[0][2] if placed else DEFAULT_RATE
    numbers, offset = _edl_events(path, rate) if path.suffix.lower() == ".edl" else ([], None)
    shift = (
        (offset - placed[0][0]) if placed and offset is not None else _global_start(timeline, rate)
    )
    events = []
    for place, (record_in, clip, _rate) in enumerate(placed, start=1):
        source = clip.source_range
        duration = round(source.duration.rescaled_to(rate).value)
        start = round(source.start_time.rescaled_to(rate).value)
        reel = str(dict(clip.metadata).get("cmx_3600", {}).get("reel", "") or "")
        number = numbers[place - 1] if len(numbers) == len(placed) else place
        events.append(CutEvent(number, str(clip.name), reel, start, start + duration,
                               record_in + shift, record_in + shift + duration))  # fmt: skip
    return Cut(str(timeline.name or path.stem), rate, tuple(events), *_holes(events))


def _placed_clips(otio: Any, timeline: Any) -> List[Tuple[int, Any, float]]:
    """Every clip of the video tracks with its record frame, in record order."""
    placed = []
    for track in timeline.video_tracks():
        for clip in track.find_clips(shallow_search=True):
            rate = float(clip.source_range.duration.rate) or DEFAULT_RATE
            record = clip.range_in_parent().start_time.rescaled_to(rate)
            placed.append((round(record.value), clip, rate))
    return sorted(placed, key=lambda item: item[0])


def _global_start(timeline: Any, rate: float) -> int:
    start = timeline.global_start_time
    return round(start.rescaled_to(rate).value) if start is not None else 0


def _edl_events(path: Path, rate: float) -> Tuple[List[int], Optional[int]]:
    """The EDL's video event numbers in order, and the first one's record in (the adapter
    counts the record timeline from 0)."""
    numbers: List[int] = []
    first: Optional[int] = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _EDL_EVENT.match(line)
        if match is None:
            continue
        numbers.append(int(match.group(1)))
        if first is None:
            first = frames_of(match.group(5), rate)
    return numbers, first


def _holes(
    events: List[CutEvent],
) -> Tuple[Tuple[Tuple[int, int], ...], Tuple[Tuple[int, int], ...]]:
    gaps, overlaps = [], []
    for before, after in zip(events, events[1:]):
        if after.record_in > before.record_out:
            gaps.append((before.record_out, after.record_in))
        elif after.record_in < before.record_out:
            overlaps.append((before.event, after.event))
    return tuple(gaps), tuple(overlaps)
