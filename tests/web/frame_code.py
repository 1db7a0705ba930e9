"""Movies whose every frame says which frame (and which version) it is, in black and white
blocks that survive H.264, and readers of those blocks from what Chromium shows.

A frame is mid grey with a band of ``BITS`` blocks across its middle: block ``i`` (left to
right) is white when bit ``i`` of ``index + 64 * version`` is set, else black; ``index`` is the
frame's position in the shot (0 for the first frame). The blocks are read at their centres, so
scaling, chroma subsampling and compression do not change a bit; a picture without the band
(the page's background, a label) reads as "no code".
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import imageio_ffmpeg
from PIL import Image
from support.waiting import wait_until  # noqa: F401 - the pages' tests import it from here

FIRST, FRAMES, RATE = 1001, 48, 24
SIZE = (320, 180)
BITS = 8  # 6 bits of frame index (0..63), 2 of version (1..3)
BAND = (0.35, 0.65)  # the band's top and bottom, as fractions of the height

#: The blocks' centres, as fractions of the picture's width (all at half its height).
CENTRES = [(i + 0.5) / BITS for i in range(BITS)]

#: Grey levels at the block centres of the picture a <video> holds now (its decoded frame,
#: drawn on a canvas: what a play or a step starts from, not the poster on top of it). The
#: recorders read it on every picture a playing video presents and the samplers every 5 ms: one
#: canvas kept by the page (cleared first, so a video without a picture reads as on a fresh one)
#: and one row read back cost 0.28 ms of Chromium a reading, a new canvas and a read back of
#: each centre 1.0 ms.
READ_VIDEO_LEVELS = """(video, bits) => {
  const canvas = window.__levelsCanvas || (window.__levelsCanvas = Object.assign(
    document.createElement("canvas"), {width: 320, height: 180}));
  const context = canvas.getContext("2d", {willReadFrequently: true});
  context.clearRect(0, 0, 320, 180);
  context.drawImage(video, 0, 0, 320, 180);
  const row = context.getImageData(0, 90, 320, 1).data;
  const levels = [];
  for (let i = 0; i < bits; i++) {
    const x = 4 * Math.floor((i + 0.5) * 320 / bits);
    levels.push(Math.round((row[x] + row[x + 1] + row[x + 2]) / 3));
  }
  return levels;
}"""


#: The PNGs :func:`grey_frames` made in this process, by what they depict (the ffmpeg
#: expression and the count): the suite asks for the same few sequences dozens of times, and
#: ffmpeg took 0.27 CPU-s for each; a copy from here takes a few milliseconds.
_MADE: Dict[Tuple[str, int], List[Tuple[str, bytes]]] = {}


def grey_frames(folder: Path, level: str, count: int = FRAMES) -> Path:
    """``count`` grey PNGs FIRST.. of SIZE, the level at (X, Y) of the N-th the ffmpeg
    expression ``level``; returns their %04d pattern. ffmpeg draws each sequence once per
    process; later calls write the same files again into their own ``folder``."""
    folder.mkdir(parents=True)
    pattern = folder / "shot.%04d.png"
    made = _MADE.get((level, count))
    if made is not None:
        for name, data in made:
            (folder / name).write_bytes(data)
        return pattern
    graph = (
        f"color=black:s={SIZE[0]}x{SIZE[1]}:r={RATE},format=rgb24,"
        f"geq=r='{level}':g='{level}':b='{level}'"
    )
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", graph,
         "-frames:v", str(count), "-start_number", str(FIRST), str(pattern)],
        check=True,
    )  # fmt: skip
    _MADE[(level, count)] = [(p.name, p.read_bytes()) for p in sorted(folder.glob("shot.*.png"))]
    return pattern


def coded_frames(folder: Path, version: int) -> Path:
    """A PNG sequence FIRST..FIRST+FRAMES-1 of ``version``; returns its %04d pattern."""
    top, bottom = round(BAND[0] * SIZE[1]), round(BAND[1] * SIZE[1])
    block = SIZE[0] // BITS
    bit = f"mod(floor((N+{64 * version})/pow(2,floor(X/{block}))),2)"
    return grey_frames(folder, f"if(between(Y,{top},{bottom - 1}),255*{bit},96)")


def decode_levels(levels: List[int]) -> Optional[Tuple[int, int]]:
    """(version, shot frame) from the block centres' grey levels; None when they are not a
    code (a level neither clearly black nor clearly white, or no version bits)."""
    value = 0
    for i, level in enumerate(levels):
        if 70 <= level <= 185:
            return None
        if level > 185:
            value |= 1 << i
    version, index = value >> 6, value & 63
    if version == 0 or index >= FRAMES:
        return None
    return version, FIRST + index


#: The height (CSS pixels) of the strip across a picture's middle that a reading captures.
STRIP = 4

#: An element's box in the viewport [x, y, width, height], scrolled into view first when it is
#: not wholly in it (as a screenshot of the element would be), in one round trip.
BOX_IN_VIEW = """(element) => {
  const r = element.getBoundingClientRect();
  if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) {
    element.scrollIntoView({block: "center", inline: "center"});
  }
  const box = element.getBoundingClientRect();
  return [box.x, box.y, box.width, box.height];
}"""


def screenshot_levels(locator: Any, path: Path) -> List[int]:
    """Screenshot a strip across the middle of ``locator`` (what Chromium composited there:
    poster or video picture) to ``path`` and return the grey levels at the block centres.

    A strip through the blocks' centres, not the whole picture: a capture costs Chromium CPU by
    its area (the element's screenshot 0.07-0.08 CPU-s a reading, the strip and its box 0.03-0.04),
    and the pages' tests read pictures by the hundred."""
    x, y, width, height = locator.evaluate(BOX_IN_VIEW)
    clip = {"x": x, "y": y + height / 2 - STRIP / 2, "width": width, "height": STRIP}
    locator.page.screenshot(path=str(path), clip=clip)
    return strip_levels(path)


def strip_levels(path: Path) -> List[int]:
    """The grey levels at the block centres of a strip across a picture's middle (any width):
    each the mean of the strip's rows over three columns at a block's centre (a block is an
    eighth of the picture wide: no level mixes two blocks)."""
    with Image.open(path) as picture:
        grey = picture.convert("L")
        width, height = grey.size
        levels = []
        for centre in CENTRES:
            x = min(width - 2, max(1, int(centre * width)))
            window = [grey.getpixel((x + dx, y)) for dx in (-1, 0, 1) for y in range(height)]
            levels.append(round(sum(window) / len(window)))
    return levels


def png_levels(path: Path) -> List[int]:
    """The grey levels at the block centres of a screenshot of a picture (any size), scaled to
    SIZE first. Decoded here (Pillow): an ffmpeg process a reading cost 0.025 CPU-s, this 0.01,
    for the same levels (within 2 of ffmpeg's on every screenshot the suite keeps)."""
    with Image.open(path) as picture:
        grey = picture.convert("RGB").resize(SIZE, Image.BICUBIC).convert("L")
    row = SIZE[1] // 2
    return [int(grey.getpixel((int(c * SIZE[0]), row))) for c in CENTRES]


def shown(locator: Any, path: Path) -> Optional[Tuple[int, int]]:
    """(version, frame) Chromium shows in ``locator`` now, decoded from a screenshot."""
    return decode_levels(screenshot_levels(locator, path))


def held(video: Any) -> Optional[Tuple[int, int]]:
    """(version, frame) of the decoded picture the <video> element holds."""
    return decode_levels(video.evaluate(READ_VIDEO_LEVELS, BITS))
