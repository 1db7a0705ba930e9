"""Dailies on a real embedded server: versions of one shot published with ``ft_dcc.publish``
(real ffmpeg encode), each version's frames telling which version and frame they are.

Every frame is flat colour: red = RED_STEP * (frame - FIRST) tells the shot frame, green tells
the version (``GREEN[v]``), blue is constant. The page's decoded pictures (a ``<video>`` drawn
on a canvas) and screenshots of what Chromium composited are read back with these.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import imageio_ffmpeg
import numpy as np
import pyblish.api
import pytest
from support import make_task

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

FIRST, FRAMES, RATE = 1001, 24, 24
LAST = FIRST + FRAMES - 1
RED_STEP = 10
BLUE = 60
#: The green level of each version's frames.
GREEN = {1: 40, 2: 200, 3: 120}
SIZE = (320, 180)

#: [red, green, blue] at the centre of the picture a <video> (selector) shows now.
READ_VIDEO = """(video) => {
  const canvas = document.createElement("canvas");
  canvas.width = 32; canvas.height = 18;
  const context = canvas.getContext("2d");
  context.drawImage(video, 0, 0, 32, 18);
  return Array.from(context.getImageData(16, 9, 1, 1).data.slice(0, 3));
}"""


def coloured_frames(folder: Path, green: int) -> Path:
    """A PNG sequence FIRST..LAST: red tells the frame, ``green`` the version."""
    folder.mkdir(parents=True)
    pattern = folder / "shot.%04d.png"
    graph = (
        f"color=black:s={SIZE[0]}x{SIZE[1]}:r={RATE},format=rgb24,"
        f"geq=r='N*{RED_STEP}':g='{green}':b='{BLUE}'"
    )
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", graph,
         "-frames:v", str(FRAMES), "-start_number", str(FIRST), str(pattern)],
        check=True,
    )  # fmt: skip
    return pattern


@contextlib.contextmanager
def isolated_pyblish(tmp_path: Path) -> Iterator[None]:
    """Empty pyblish registries and a private offline queue (as the ``pyblish_isolation``
    fixture, for module-scoped fixtures)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PYBLISHPLUGINPATH", raising=False)
        patch.setenv("FT_DCC_QUEUE_DIR", str(tmp_path / "queue"))
        pyblish.api.deregister_all_paths()
        pyblish.api.deregister_all_plugins()
        try:
            yield
        finally:
            pyblish.api.deregister_all_paths()
            pyblish.api.deregister_all_plugins()
            pyblish.api.deregister_all_hosts()


def publish_versions(
    session: Any,
    tmp_path: Path,
    versions: Iterable[int],
    *,
    review_session: str,
    invitees: Iterable[Any] = (),
    task: Optional[str] = None,
) -> Tuple[str, List[Any]]:
    """Publish one version per entry of ``versions`` (v001, v002, …) of ``task`` (default: a
    new shot) into ``review_session``; returns the task path and the reports in order."""
    if task is None:
        task = make_task(session, f"web{uuid.uuid4().hex[:8]}", FIRST, LAST, RATE, task_name="anim")
    reports = []
    for number in versions:
        pattern = coloured_frames(tmp_path / f"frames_v{number}", GREEN[number])
        report = publish(
            FilesHost(pattern, fps=RATE),
            task=task,
            review_session_name=review_session,
            comment=f"pass {number}",
            invitees=list(invitees),
            session=session,
        )
        assert report.ok, str(report)
        assert report.version_number == number, report.version_number
        reports.append(report)
    return task, reports


def frame_of(rgb: List[int]) -> int:
    return FIRST + round(rgb[0] / RED_STEP)


def version_of(rgb: List[int]) -> int:
    """Which version a decoded colour belongs to (the nearest green)."""
    return min(GREEN, key=lambda v: abs(GREEN[v] - rgb[1]))


def decoded(video: Any, until: Optional[Tuple[int, Optional[int]]] = None) -> Tuple[int, int]:
    """(version, frame) of the picture the <video> shows. A seek may report done before the new
    picture is composited on a loaded machine: with ``until`` (a (version, frame), frame None
    for any), reads until the picture matches it or 30 s pass; without, until two reads agree."""
    previous = None
    deadline = time.monotonic() + 30
    while True:
        rgb = video.evaluate(READ_VIDEO)
        now = (version_of(rgb), frame_of(rgb))
        if _settled(now, previous, until) or time.monotonic() > deadline:
            return now
        previous = now
        time.sleep(0.1)


def _settled(
    now: Tuple[int, int], previous: Optional[Tuple[int, int]], until: Optional[Tuple[int, Any]]
) -> bool:
    if until is None:
        return now == previous
    return now[0] == until[0] and until[1] in (None, now[1])


def screenshot_pixels(locator: Any, path: Path) -> np.ndarray:
    """Screenshot ``locator`` to ``path`` and return its pixels (rows, columns, RGB)."""
    locator.screenshot(path=str(path))
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(path),
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    )  # fmt: skip
    box = locator.bounding_box()
    width, height = round(box["width"]), round(box["height"])
    pixels = np.frombuffer(probe.stdout, dtype=np.uint8)
    if pixels.size != width * height * 3:  # rounding of the box: trust the file's own size
        width = _png_width(path)
        height = pixels.size // (width * 3)
    return pixels.reshape(height, width, 3)


def _png_width(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[16:20], "big")


def colour_at(pixels: np.ndarray, x: float, y: float, radius: int = 3) -> List[int]:
    """Mean RGB around the fraction (x, y) of an image."""
    rows, cols = pixels.shape[:2]
    cx, cy = int(x * cols), int(y * rows)
    patch = pixels[cy - radius : cy + radius + 1, cx - radius : cx + radius + 1]
    return [round(float(c)) for c in patch.reshape(-1, 3).mean(axis=0)]


def png_pixels(data: bytes, path: Path) -> np.ndarray:
    """Decode PNG bytes (saved at ``path``) to RGBA pixels with ffmpeg."""
    path.write_bytes(data)
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(path),
         "-f", "rawvideo", "-pix_fmt", "rgba", "-"],
        check=True, capture_output=True,
    )  # fmt: skip
    width = _png_width(path)
    return np.frombuffer(probe.stdout, dtype=np.uint8).reshape(-1, width, 4)


def wait_frame(page: Any, item: Any, frame: int) -> None:
    """Wait until ``item``'s counter shows ``frame`` and its video has the picture."""
    page.wait_for_function(
        """([item, frame]) => {
            const v = item.querySelector("video.video");
            return item.querySelector(".frame-number").textContent === String(frame)
                && !v.seeking && v.readyState >= 2;
        }""",
        arg=[item.element_handle(), frame],
    )


def start_drawing(item: Any) -> Dict[str, float]:
    """Click ``item``'s pen and wait until its drawing layer shows; the layer's box on the page
    (a box read straight after the click was seen empty on a busy machine)."""
    item.locator(".draw-toggle").click()
    layer = item.locator(".draw-layer")
    layer.wait_for(state="visible")
    box = layer.bounding_box()
    assert box is not None, "the drawing layer is shown but has no box"
    return dict(box)


def go_to(page: Any, item: Any, frame: int) -> None:
    """Step with ← / → from the frame shown until the counter shows ``frame`` (the keys a
    reviewer uses)."""
    item.locator(".counter").click()
    shown = int(item.locator(".frame-number").inner_text())
    key = "ArrowRight" if frame > shown else "ArrowLeft"
    for _ in range(abs(frame - shown)):
        page.keyboard.press(key)
    wait_frame(page, item, frame)
