"""What the still tests check in any browser: a picture with fine detail, and that the view at
1:1 shows the file's own pixels around its middle."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any, Mapping

from ft_dcc.media.ffmpeg import ffmpeg_executable

WIDTH, HEIGHT = 1600, 900  # larger than the view: fit shrinks it, 1:1 shows a part
#: the picture's view state (zoom, the picture point in the view's middle), read in the page
STATE = "document.querySelector('article.item').still.state()"
#: the still's picture is loaded and placed
READY = (
    "(() => { const i = document.querySelector('img.still-image');"
    " return !!(i && i.complete && i.naturalWidth > 0 && i.dataset.placed === '1'); })()"
)


def detailed_still(path: Path) -> Path:
    """A picture whose every pixel differs from its neighbours (fine detail a scaled copy
    would blur): ffmpeg's test pattern with noise."""
    subprocess.run(
        [ffmpeg_executable(), "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", f"testsrc2=size={WIDTH}x{HEIGHT},noise=alls=60:allf=t", "-frames:v", "1",
         str(path)],
        check=True,
    )  # fmt: skip
    return path


def check_one_to_one(view_png: bytes, state: Mapping[str, Any], source: Path) -> None:
    """``view_png`` (a screenshot of ``.still-view`` at 1:1) shows ``source``'s own pixels:
    a 300 x 200 block around the view's middle, the picture point ``state`` names there."""
    from PIL import Image

    on_screen = Image.open(io.BytesIO(view_png)).convert("RGB")
    original = Image.open(source).convert("RGB")
    half_w, half_h = 150, 100
    mid_x, mid_y = on_screen.width // 2, on_screen.height // 2
    seen = on_screen.crop((mid_x - half_w, mid_y - half_h, mid_x + half_w, mid_y + half_h))
    left, top = round(state["cx"] - half_w), round(state["cy"] - half_h)
    expected = original.crop((left, top, left + 2 * half_w, top + 2 * half_h))
    pairs = zip(seen.get_flattened_data(), expected.get_flattened_data())
    differing = sum(1 for a, b in pairs if max(abs(x - y) for x, y in zip(a, b)) > 3)
    assert differing == 0, f"{differing} of {seen.width * seen.height} pixels differ at 1:1"
