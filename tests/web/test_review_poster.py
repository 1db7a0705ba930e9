"""The review page's poster shows the frame its counter shows, in real Chromium.

Frames are flat colours whose red channel encodes the frame (red = 20 * (frame - 1001)), so
the poster image and the video picture can be read back as frame numbers in the page.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Any, Optional

import pytest
from support import make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.media.ffmpeg import ffmpeg_executable
from ft_dcc.publish import publish

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("pyblish_isolation")]

FIRST, FRAMES, STEP = 1001, 12, 20

# The red channel at the centre of an image or of the video's current picture, read in the page.
READ_RED = """async ([selector, usePoster]) => {
  const video = document.querySelector(selector);
  let source = video;
  if (usePoster) {
    source = new Image();
    source.src = video.poster;
    await source.decode();
  }
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 36;
  const context = canvas.getContext("2d");
  context.drawImage(source, 0, 0, 64, 36);
  return context.getImageData(32, 18, 1, 1).data[0];
}"""


def coloured_frames(folder: Path) -> Path:
    folder.mkdir(parents=True)
    pattern = folder / "shot.%04d.png"
    graph = f"color=black:s=320x180:r=24,format=rgb24,geq=r='N*{STEP}':g='60':b='60'"
    subprocess.run(
        [ffmpeg_executable(), "-loglevel", "error", "-f", "lavfi", "-i", graph,
         "-frames:v", str(FRAMES), "-start_number", str(FIRST), str(pattern)],
        check=True,
    )  # fmt: skip
    return pattern


def frame_of(red: int) -> int:
    return FIRST + round(red / STEP)


@pytest.mark.parametrize("chosen", [None, 1004], ids=["default-middle", "chosen-1004"])
def test_poster_is_the_frame_the_counter_shows(
    fresh_server: Any, tmp_path: Path, page: Any, artifacts_dir: Path, chosen: Optional[int]
) -> None:
    pattern = coloured_frames(tmp_path / "frames")
    kwargs = {} if chosen is None else {"thumbnail_frame": chosen}
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session, f"web{uuid.uuid4().hex[:8]}", FIRST, FIRST + FRAMES - 1, 24)
        report = publish(FilesHost(pattern, fps=24), task=task, session=session, **kwargs)
    assert report.ok, str(report)
    expected = chosen if chosen is not None else FIRST + FRAMES // 2  # the middle frame

    assert page.goto(report.review_url).status == 200
    page.wait_for_function("() => document.querySelector('video').readyState >= 2")
    item = page.locator("article.item")
    assert frame_of(page.evaluate(READ_RED, ["video", True])) == expected  # the poster image
    page.wait_for_function(
        f"() => document.querySelector('.frame-number').textContent === '{expected}'"
    )
    assert item.locator(".note-at").inner_text() == str(expected)  # a note is filed there
    page.wait_for_function("() => !document.querySelector('video').seeking")
    assert frame_of(page.evaluate(READ_RED, ["video", False])) == expected  # the picture
    page.screenshot(path=str(artifacts_dir / f"review_poster_{chosen or 'middle'}.png"))

    item.locator("button.step-forward").click()  # stepping goes on from the poster's frame
    page.wait_for_function(
        f"() => document.querySelector('.frame-number').textContent === '{expected + 1}'"
    )
