"""Whether a drawing (``POST /review/<rs>/annotations``) may be stored: its bytes are a whole PNG
image (every chunk intact (CRC), a valid header, image data that decodes to the size the header
announces; a header-only or cut "PNG" is refused before anything is stored), and the frames it is
held over are ordered, bounded and inside the version's frames."""

from __future__ import annotations

import struct
import zlib
from typing import Iterator, Mapping, Optional, Tuple

from ft_dcc.protocol.feedback import FRAME_OUT_KEY

__all__ = ["FRAME_OUT_KEY", "BadRange", "NotAPng", "check_png", "held_range", "movie_span"]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: The largest drawing canvas accepted, per side (pixels).
MAX_SIDE = 16384
#: channels per colour type (grey, -, RGB, palette, grey+alpha, -, RGBA)
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class NotAPng(ValueError):
    """The bytes are not a complete, well-formed PNG image (the message says what is wrong)."""


def _chunks(png: bytes) -> Iterator[Tuple[bytes, bytes]]:
    offset = len(PNG_MAGIC)
    while offset < len(png):
        if offset + 12 > len(png):
            raise NotAPng("a chunk is cut short")
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(png):
            raise NotAPng(f"the {kind!r} chunk is cut short")
        data = png[offset + 8 : end - 4]
        (crc,) = struct.unpack(">I", png[end - 4 : end])
        if zlib.crc32(kind + data) != crc:
            raise NotAPng(f"the {kind!r} chunk is damaged (bad CRC)")
        yield kind, data
        offset = end


def _expected_size(header: bytes) -> int:
    """The decoded image data's size (non-interlaced) from an IHDR chunk, or -1 (interlaced)."""
    if len(header) != 13:
        raise NotAPng("the IHDR header is not 13 bytes")
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(
        ">IIBBBBB", header
    )
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise NotAPng(f"its size {width}x{height} is not 1..{MAX_SIDE} pixels per side")
    if colour not in CHANNELS or depth not in (1, 2, 4, 8, 16):
        raise NotAPng("its colour type or bit depth is not a PNG's")
    if interlace:
        return -1
    return height * (1 + (width * CHANNELS[colour] * depth + 7) // 8)


def check_png(png: bytes) -> None:
    """Raise :class:`NotAPng` unless ``png`` is a complete PNG whose pixels decode."""
    if not png.startswith(PNG_MAGIC):
        raise NotAPng("it does not start with the PNG signature")
    chunks = list(_chunks(png))
    if not chunks or chunks[0][0] != b"IHDR":
        raise NotAPng("it has no IHDR header first")
    if chunks[-1][0] != b"IEND":
        raise NotAPng("it does not end with IEND")
    expected = _expected_size(chunks[0][1])
    data = b"".join(body for kind, body in chunks if kind == b"IDAT")
    if not data:
        raise NotAPng("it has no image data (IDAT)")
    inflater = zlib.decompressobj()
    limit = expected if expected >= 0 else 4 * MAX_SIDE * MAX_SIDE * 2 + MAX_SIDE
    try:
        pixels = inflater.decompress(data, limit + 1)
    except zlib.error as error:
        raise NotAPng(f"its image data does not decode ({error})") from None
    if not inflater.eof:
        raise NotAPng("its image data is incomplete or larger than its header says")
    if expected >= 0 and len(pixels) != expected:
        raise NotAPng(f"its image data holds {len(pixels)} bytes, not {expected}")


# -- the frames a drawing is held over ------------------------------------------------------------
#: The longest hold accepted for one drawing, in frames (a drawing is a note on a moment, not a
#: second copy of the shot).
MAX_HELD_FRAMES = 10000


class BadRange(ValueError):
    """A drawing's frame range the page must fix (the message says how)."""


def held_range(first: int, last: Optional[int], span: Optional[Tuple[int, int]]) -> int:
    """The last frame of a drawing on ``first``..``last`` (``last`` None: one frame), checked to
    be ordered, at most :data:`MAX_HELD_FRAMES` long and inside ``span`` (the version's first
    and last frame, when its movie says)."""
    if last is None:
        last = first
    if last < first:
        raise BadRange(f"frame_out ({last}) is before frame ({first}); hold it to a later frame.")
    if last - first + 1 > MAX_HELD_FRAMES:
        raise BadRange(f"A drawing is held over at most {MAX_HELD_FRAMES} frames; shorten it.")
    if span is not None and not (span[0] <= first and last <= span[1]):
        raise BadRange(
            f"Frames {first}-{last} are not all in this version's frames {span[0]}-{span[1]}."
        )
    return last


def movie_span(meta: Mapping[str, object]) -> Optional[Tuple[int, int]]:
    """The first and last shot frame of a review movie from its ``ftr_meta`` (with the
    ``sourceFirstFrame`` a ft_dcc publish records), or None when it does not say."""
    frame_in, frame_out = meta.get("frameIn"), meta.get("frameOut")
    if not isinstance(frame_in, int) or not isinstance(frame_out, int) or frame_out <= frame_in:
        return None
    first = meta.get("sourceFirstFrame")
    shift = first - frame_in if isinstance(first, int) else 0
    return frame_in + shift, frame_out + shift - 1
