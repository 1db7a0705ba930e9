"""The few ISO BMFF (MP4) boxes of a watermarked copy served while it encodes (:mod:`.watermark`).

- What a stored review movie holds (:func:`source_facts`): its length, its video frames and the
  bytes of its video and sound (from its ``moov``: ``mvhd``, each track's ``hdlr`` and ``stsz``).
- A fragmented copy's head (``ftyp`` + an empty ``moov``, as ffmpeg writes it with ``empty_moov``):
  its durations written in (:func:`set_durations`: ``mvhd``, ``tkhd``, ``mdhd``), so a player knows
  the movie's length from its first bytes.
- A ``sidx`` (:func:`sidx_box`) after the ``moov``, one reference covering the rest of the file
  to its announced size: a player's demuxer (ffmpeg's, in Chromium) then knows the fragment index
  is complete and does not walk every fragment (each one would wait for the encode) before the
  first frame.
- A ``free`` box (:func:`free_box`) filling the file to its announced size once the encode ends.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO, Dict, Iterator, Optional, Tuple

#: boxes holding other boxes, on the way to what is read here
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}
#: the size of :func:`sidx_box`'s box
SIDX_SIZE = 44
#: the smallest box (a ``free`` box with nothing in it)
BOX_HEADER = 8


@dataclass(frozen=True)
class SourceFacts:
    """What the stored movie holds."""

    #: its length (the ``mvhd`` duration), in seconds
    seconds: Fraction
    frames: int
    video_bytes: int
    #: sound samples and their bytes (all sound tracks)
    audio_samples: int
    audio_bytes: int


def _top_boxes(handle: BinaryIO, end: int) -> Iterator[Tuple[bytes, int, int, int]]:
    """(kind, offset, size, header size) of a file's top-level boxes."""
    offset = 0
    while offset + BOX_HEADER <= end:
        handle.seek(offset)
        size, kind = struct.unpack(">I4s", handle.read(BOX_HEADER))
        header = BOX_HEADER
        if size == 1:
            size, header = struct.unpack(">Q", handle.read(8))[0], 16
        elif size == 0:
            size = end - offset
        if size < header:
            return
        yield kind, offset, size, header
        offset += size


def _children(data: bytes, start: int, end: int) -> Iterator[Tuple[bytes, int, int]]:
    """(kind, body start, box end) of the boxes in ``data[start:end]``."""
    offset = start
    while offset + BOX_HEADER <= end:
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = BOX_HEADER
        if size == 1:
            size, header = struct.unpack_from(">Q", data, offset + 8)[0], 16
        if size < header or offset + size > end:
            return
        yield kind, offset + header, offset + size
        offset += size


def _walk(data: bytes, start: int, end: int) -> Iterator[Tuple[bytes, int, int]]:
    """Every box under ``data[start:end]``, depth first, through the containers."""
    for kind, body, stop in _children(data, start, end):
        yield kind, body, stop
        if kind in _CONTAINERS:
            yield from _walk(data, body, stop)


def read_moov(path: Path) -> Optional[bytes]:
    """The ``moov`` box of the MP4 file at ``path`` (wherever it is), or ``None``."""
    with path.open("rb") as handle:
        end = path.stat().st_size
        for kind, offset, size, _ in _top_boxes(handle, end):
            if kind == b"moov":
                handle.seek(offset)
                return handle.read(size)
    return None


def _track_totals(data: bytes, body: int, stop: int) -> Tuple[bytes, int, int]:
    """(handler type, sample count, sample bytes) of the ``trak`` in ``data[body:stop]``."""
    handler, count, total = b"", 0, 0
    for kind, start, _end in _walk(data, body, stop):
        if kind == b"hdlr":
            handler = data[start + 8 : start + 12]
        elif kind == b"stsz":
            size, count = struct.unpack_from(">II", data, start + 4)
            if size:
                total = size * count
            else:
                total = sum(struct.unpack_from(f">{count}I", data, start + 12))
    return handler, count, total


def source_facts(path: Path) -> Optional[SourceFacts]:
    """What the MP4 movie at ``path`` holds; ``None`` when it is not one this reads (not MP4,
    no length, no video track)."""
    try:
        moov = read_moov(path)
    except (OSError, struct.error):
        return None
    if moov is None:
        return None
    try:
        return _facts(moov)
    except (struct.error, ZeroDivisionError):
        return None


def _facts(moov: bytes) -> Optional[SourceFacts]:
    seconds: Optional[Fraction] = None
    totals: Dict[bytes, Tuple[int, int]] = {}
    for kind, body, stop in _children(moov, BOX_HEADER, len(moov)):
        if kind == b"mvhd":
            version = moov[body]
            if version == 1:
                scale, length = struct.unpack_from(">IQ", moov, body + 20)
            else:
                scale, length = struct.unpack_from(">II", moov, body + 12)
            seconds = Fraction(length, scale) if scale else None
        elif kind == b"trak":
            handler, count, size = _track_totals(moov, body, stop)
            before = totals.get(handler, (0, 0))
            totals[handler] = (before[0] + count, before[1] + size)
    video, audio = totals.get(b"vide"), totals.get(b"soun", (0, 0))
    if not seconds or video is None or not video[0]:
        return None
    return SourceFacts(seconds, video[0], video[1], audio[0], audio[1])


def find_moov(head: bytes) -> Optional[Tuple[int, int]]:
    """Where the ``moov`` of a file beginning ``head`` begins and ends (``None``: not all of it
    read yet)."""
    offset = 0
    while offset + BOX_HEADER <= len(head):
        size, kind = struct.unpack_from(">I4s", head, offset)
        if size < BOX_HEADER:
            return None
        if kind == b"moov":
            return (offset, offset + size) if offset + size <= len(head) else None
        offset += size
    return None


def _set_duration(head: bytearray, body: int, at_v0: int, at_v1: int, value: int) -> None:
    if head[body] == 1:
        struct.pack_into(">Q", head, body + at_v1, value)
    else:
        struct.pack_into(">I", head, body + at_v0, min(value, 0xFFFFFFFF))


def set_durations(head: bytearray, moov_at: int, seconds: Fraction) -> Dict[int, int]:
    """Write ``seconds`` into the empty ``moov`` at ``head[moov_at:]`` (``mvhd``, each ``tkhd``
    and ``mdhd``); the tracks' timescales by track id (``tkhd`` order)."""
    size = struct.unpack_from(">I", head, moov_at)[0]
    movie_scale, scales, track_ids = 1000, {}, []
    for kind, body, _ in _walk(bytes(head), moov_at + BOX_HEADER, moov_at + size):
        version = head[body]
        if kind == b"mvhd":
            movie_scale = struct.unpack_from(">I", head, body + (20 if version == 1 else 12))[0]
            _set_duration(head, body, 16, 24, round(seconds * movie_scale))
        elif kind == b"tkhd":
            track_ids.append(struct.unpack_from(">I", head, body + (20 if version == 1 else 12))[0])
            _set_duration(head, body, 20, 28, round(seconds * movie_scale))
        elif kind == b"mdhd" and track_ids:
            scale = struct.unpack_from(">I", head, body + (20 if version == 1 else 12))[0]
            scales[track_ids[-1]] = scale
            _set_duration(head, body, 16, 24, round(seconds * scale))
    return scales


def sidx_box(track_id: int, timescale: int, duration: int, referenced_size: int) -> bytes:
    """A ``sidx`` with one reference: ``referenced_size`` bytes after it, ``duration`` long,
    starting with a key frame."""
    return struct.pack(
        ">I4sBBHIIIIHHIII",
        SIDX_SIZE, b"sidx", 0, 0, 0, track_id, timescale, 0, 0, 0, 1,
        referenced_size & 0x7FFFFFFF, duration & 0xFFFFFFFF, 0x90000000,
    )  # fmt: skip


def free_box(size: int) -> bytes:
    """A ``free`` box of ``size`` bytes (at least :data:`BOX_HEADER`)."""
    return struct.pack(">I4s", size, b"free") + bytes(size - BOX_HEADER)
