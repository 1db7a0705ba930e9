"""A sized PNG thumbnail is a palette PNG, as ftrack's server answers it.

What ftrack does (recorded with the genuine client against a real server): the client only
builds ``{server}/component/thumbnail?id=<id>&username=<u>&apiKey=<k>&size=N`` and the server
answers a PNG stored file's thumbnail as a PNG fitted within ``N`` x ``N`` (aspect kept) whose
IHDR colour type is 3, indexed colour with a ``PLTE`` palette, at bit depth 8. The embedded
server answered colour type 2 (true-colour RGB).
"""

from __future__ import annotations

import io
import struct
import uuid
from typing import Any, Dict, Tuple

import pytest
import requests

from .test_genuine_client import SERVER_LOCATION_ID, make_hierarchy, still_image

ftrack_api = pytest.importorskip("ftrack_api")
Image = pytest.importorskip("PIL.Image")
ImageChops = pytest.importorskip("PIL.ImageChops")
ImageStat = pytest.importorskip("PIL.ImageStat")

pytestmark = pytest.mark.compat

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PALETTE_COLOUR_TYPE = 3  # ftrack's sized PNG thumbnail; 2 would be true-colour RGB
#: mean difference per channel (0-255) allowed between the palette thumbnail and a true-colour one
TOLERANCE = 6.0


def _chunks(png: bytes) -> Dict[bytes, bytes]:
    """The first chunk of each type in ``png``, by type."""
    assert png[:8] == PNG_SIGNATURE
    found: Dict[bytes, bytes] = {}
    offset = 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        found.setdefault(kind, png[offset + 8 : offset + 8 + length])
        offset += 12 + length
    return found


def _header(png: bytes) -> Tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from the IHDR chunk."""
    width, height, depth, colour = struct.unpack(">IIBB", _chunks(png)[b"IHDR"][:10])
    return width, height, depth, colour


def _sized_thumbnail(session: Any, source: Any, size: int) -> bytes:
    made = make_hierarchy(session)
    thumbnail = made["version"].create_thumbnail(str(source))
    location = session.get("Location", SERVER_LOCATION_ID)
    url = location.get_thumbnail_url(session.get("FileComponent", thumbnail["id"]), size=size)
    reply = requests.get(url, timeout=60)
    assert reply.status_code == 200, reply.text[:500]
    assert reply.headers["content-type"] == "image/png"
    return reply.content


def test_sized_png_thumbnail_is_a_palette_png_like_ftrack(session, tmp_path):
    source = still_image(tmp_path / f"pattern-{uuid.uuid4().hex[:6]}.png", "320x180")
    png = _sized_thumbnail(session, source, 80)
    assert _header(png) == (80, 45, 8, PALETTE_COLOUR_TYPE)
    assert b"PLTE" in _chunks(png)


def test_palette_thumbnail_looks_like_the_source(session, tmp_path):
    """The palette costs no visible fidelity: against the source shrunk in true colour, the mean
    difference per channel stays within a few levels (on a photographic-like gradient)."""
    width, height = 256, 144
    gradient = Image.new("RGB", (width, height))
    gradient.putdata(
        [(x, y * 255 // height, 255 - x // 2) for y in range(height) for x in range(width)]
    )
    source = tmp_path / f"gradient-{uuid.uuid4().hex[:6]}.png"
    gradient.save(source)
    png = _sized_thumbnail(session, source, 128)
    assert _header(png)[3] == PALETTE_COLOUR_TYPE
    with Image.open(io.BytesIO(png)) as answered:
        got = answered.convert("RGB")
    expected = gradient.copy()
    expected.thumbnail((128, 128), Image.Resampling.LANCZOS)
    assert got.size == expected.size == (128, 72)
    difference = ImageStat.Stat(ImageChops.difference(got, expected)).mean
    assert max(difference) <= TOLERANCE, difference


def test_palette_thumbnail_keeps_transparency(session, tmp_path):
    """An image with alpha keeps it: the palette carries it in a ``tRNS`` chunk."""
    picture = Image.new("RGBA", (120, 60), (255, 0, 0, 0))
    picture.paste((0, 200, 0, 255), (30, 15, 90, 45))
    source = tmp_path / f"alpha-{uuid.uuid4().hex[:6]}.png"
    picture.save(source)
    png = _sized_thumbnail(session, source, 60)
    assert _header(png) == (60, 30, 8, PALETTE_COLOUR_TYPE)
    assert b"tRNS" in _chunks(png)
    with Image.open(io.BytesIO(png)) as answered:
        got = answered.convert("RGBA")
    assert got.getpixel((2, 2))[3] == 0
    opaque = got.getpixel((30, 15))  # the palette may move a channel by a level or two
    assert all(abs(a - b) <= 4 for a, b in zip(opaque, (0, 200, 0, 255))), opaque
