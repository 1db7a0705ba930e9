"""Write small but real PNG files (stdlib ``struct`` + ``zlib``), as a playblast frame."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Tuple


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def write_png(path: Path, width: int, height: int, colour: Tuple[int, int, int]) -> None:
    """An 8-bit RGB ``width`` x ``height`` PNG: ``colour`` with a lighter bar whose position
    depends on the colour, so consecutive frames differ."""
    red, green, blue = colour
    background = bytes((red, green, blue)) * width
    bar_x = (red * 7 + green * 3) % max(width, 1)
    bar_width = max(1, width // 16)
    row = bytearray(background)
    for x in range(bar_x, min(width, bar_x + bar_width)):
        row[x * 3 : x * 3 + 3] = b"\xf0\xf0\xf0"
    line = b"\x00" + bytes(row)
    raw = line * height
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 6))
        + _chunk(b"IEND", b"")
    )
    Path(path).write_bytes(data)


def png_size(path: Path) -> Tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    data = Path(path).read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG file")
    return struct.unpack(">II", data[16:24])
