"""An image's size (and pixel format) from its header, without starting ffmpeg: a PNG's
``IHDR`` chunk.

A publish of PNG frames and every scene of a farm batch ask the size of a frame; ffmpeg reads
the same two numbers from the same 24 bytes, at the cost of a process. Any other format (or a
file whose header is not a PNG's) is left to ffmpeg (``ft_dcc.media.probe.image_size``).
"""

from __future__ import annotations

import logging
import struct
from typing import Optional, Tuple

log = logging.getLogger(__name__)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: signature (8), the IHDR chunk's length (4) and type (4), width (4), height (4)
_HEAD = 24
#: ffmpeg's pixel format of an 8-bit PNG by its IHDR colour type (RGB, RGB with alpha)
_PNG_FORMATS = {2: "rgb24", 6: "rgba"}


def _head(path: str, length: int) -> Optional[bytes]:
    """The first ``length`` bytes of the PNG at ``path``, or None when they are not a PNG's
    signature and ``IHDR`` chunk (unreadable files included: ffmpeg says why)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(length)
    except OSError as exc:
        log.debug("cannot read %s's header: %s", path, exc)
        return None
    if len(head) < length or head[:8] != PNG_SIGNATURE or head[12:16] != b"IHDR":
        return None
    return head


def png_size(path: str) -> Optional[Tuple[int, int]]:
    """(width, height) of the PNG at ``path``, or None when its header holds no size."""
    head = _head(path, _HEAD)
    if head is None:
        return None
    width, height = struct.unpack(">II", head[16:24])
    return (width, height) if width and height else None


def png_size_and_format(path: str) -> Optional[Tuple[int, int, str]]:
    """(width, height, ffmpeg's pixel format) of an 8-bit RGB or RGBA PNG (``rgb24``,
    ``rgba``) from one read of its ``IHDR`` chunk, or None for any other file (ffmpeg reads
    those)."""
    head = _head(path, _HEAD + 2)  # the bit depth and colour type follow the size
    if head is None or head[_HEAD] != 8:
        return None
    width, height = struct.unpack(">II", head[16:24])
    pixel_format = _PNG_FORMATS.get(head[_HEAD + 1])
    return (width, height, pixel_format) if width and height and pixel_format else None
