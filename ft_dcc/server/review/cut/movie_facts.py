"""What a cut's conform needs of each review movie -- its picture size and whether it has sound
-- without running a process for it: the size the server recorded for the movie (its
component's ``ftr_meta``, written when it was published or encoded) is used when the movie's
own header says the same, and the header (the MP4's track boxes, read in Python) says whether it
has sound. A recorded size the header does not confirm (a publish that wrote another, a movie
whose header cannot be read here) is not trusted: the movie is probed with ffmpeg, as it was
for every movie before.
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Mapping, Optional, Tuple

log = logging.getLogger(__name__)

#: the most of a movie's header read (its ``moov`` box): a review movie's is a few kilobytes
MOOV_LIMIT = 32 * 1024 * 1024
#: a picture size outside this is not believed from the metadata
SIZE_RANGE = (2, 16384)


@dataclass(frozen=True)
class Tracks:
    """What an MP4's header says: its video track's size (None: no video track) and whether it
    has a sound track."""

    size: Optional[Tuple[int, int]]
    audio: bool


def _boxes(
    data: bytes, start: int = 0, end: Optional[int] = None
) -> Iterator[Tuple[bytes, int, int]]:
    """(type, body start, body end) of each box in ``data[start:end]``."""
    end = len(data) if end is None else end
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        head = 8
        if size == 1 and at + 16 <= end:
            size, head = struct.unpack(">Q", data[at + 8 : at + 16])[0], 16
        elif size == 0:
            size = end - at
        if size < head or at + size > end:
            return
        yield kind, at + head, at + size
        at += size


def _moov(handle: BinaryIO) -> Optional[bytes]:
    """The ``moov`` box's body of an MP4 file, or None."""
    while True:
        head = handle.read(8)
        if len(head) < 8:
            return None
        size, kind = struct.unpack(">I4s", head)
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", handle.read(8))[0], 16
        if size < header:
            return None  # a box running to the file's end (0) or a broken one: no moov after
        length = size - header
        if kind == b"moov":
            body = handle.read(length) if length <= MOOV_LIMIT else b""
            return body if body and len(body) == length else None
        handle.seek(length, 1)


def _track(data: bytes, start: int, end: int) -> Tuple[bytes, Optional[Tuple[int, int]]]:
    """(handler type, tkhd display size) of one ``trak`` box."""
    handler, size = b"", None
    for kind, body, stop in _boxes(data, start, end):
        at = body + (88 if data[body : body + 1] == b"\x01" else 76)  # width: 16.16 fixed
        if kind == b"tkhd" and at + 8 <= stop:
            width, height = struct.unpack(">II", data[at : at + 8])
            size = (width >> 16, height >> 16)
        elif kind == b"mdia":
            for inner, inner_body, inner_stop in _boxes(data, body, stop):
                if inner == b"hdlr" and inner_stop - inner_body >= 12:
                    handler = data[inner_body + 8 : inner_body + 12]
    return handler, size


def mp4_tracks(path: Path) -> Optional[Tracks]:
    """What ``path``'s MP4 header says; None when it is no MP4 this reads."""
    try:
        with open(path, "rb") as handle:
            moov = _moov(handle)
    except (OSError, struct.error):
        return None
    if moov is None:
        return None
    video: Optional[Tuple[int, int]] = None
    audio = False
    try:
        for kind, body, stop in _boxes(moov):
            if kind != b"trak":
                continue
            handler, size = _track(moov, body, stop)
            if handler == b"vide" and video is None:
                video = size
            audio = audio or handler == b"soun"
    except struct.error:
        return None
    return Tracks(video, audio)


def recorded_size(segment: Mapping[str, object]) -> Optional[Tuple[int, int]]:
    """The picture size the server recorded for the segment's movie, when it is a size."""
    width, height = segment.get("movie_width"), segment.get("movie_height")
    if not (isinstance(width, int) and isinstance(height, int)):
        return None
    low, high = SIZE_RANGE
    return (width, height) if low <= width <= high and low <= height <= high else None


def known_facts(path: Path, segment: Mapping[str, object]) -> Optional[Tuple[int, int, bool]]:
    """(width, height, sound) of the segment's movie at ``path`` from what the server recorded,
    confirmed by the movie's header; None when they cannot be trusted (probe it)."""
    recorded = recorded_size(segment)
    tracks = mp4_tracks(path)
    if recorded is None or tracks is None or tracks.size != recorded:
        log.info("the recorded size of %s is not confirmed by its header (%s, %s): probing it",
                 path.name, recorded, tracks)  # fmt: skip
        return None
    return recorded[0], recorded[1], tracks.audio
