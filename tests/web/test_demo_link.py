"""The link ``ft-dcc demo`` prints opens at the poster frame, with the counter, the note frame
and the picture agreeing, in real Chromium.

The demo is run as a user runs it (a real Blender playblast, the embedded server started in the
background); the page's picture is matched against the frames of the movie the demo downloaded.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import imageio_ffmpeg
import numpy as np
import pytest
from support import free_port
from support.user_env import user_environment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.blender,
    pytest.mark.skipif(importlib.util.find_spec("bpy") is None, reason="bpy is not installed"),
]

ROOT = Path(__file__).resolve().parents[2]
SMALL = (320, 180)

#: The picture the <video> element holds, as grey levels at SMALL size.
HELD_GREY = """(video, [width, height]) => {
  const canvas = document.createElement("canvas");
  canvas.width = width; canvas.height = height;
  const context = canvas.getContext("2d");
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  const d = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const grey = [];
  for (let i = 0; i < d.length; i += 4) grey.push((d[i] + d[i + 1] + d[i + 2]) / 3);
  return grey;
}"""


def demo_env(tmp_path: Path) -> Dict[str, str]:
    """A user's environment: own HOME and XDG folders, no FTRACK_* leaking in."""
    return user_environment(tmp_path)


def demo(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ft_dcc", "demo", *args],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def grey_frames(source: Path) -> np.ndarray:
    """Every frame of a movie or image, scaled to SMALL, as grey levels (frames, pixels)."""
    out = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(source),
         "-vf", f"scale={SMALL[0]}:{SMALL[1]}", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        check=True, capture_output=True,
    )  # fmt: skip
    return np.frombuffer(out.stdout, dtype=np.uint8).reshape(-1, SMALL[0] * SMALL[1])


def nearest(frames: np.ndarray, picture: np.ndarray) -> int:
    """The index of the movie frame ``picture`` is (the mean difference of their grey levels:
    the moving cube and Blender's burnt-in frame number), asserting the match is unambiguous."""
    distances = [float(np.abs(f.astype(float) - picture).mean()) for f in frames]
    order = sorted(range(len(distances)), key=distances.__getitem__)
    assert distances[order[0]] < 0.7 * distances[order[1]], f"no single frame matches: {distances}"
    return order[0]


def test_the_demo_link_opens_at_the_poster_frame(
    tmp_path: Path, page: Any, artifacts_dir: Path
) -> None:
    data = tmp_path / "demo-data"
    env = demo_env(tmp_path)
    args = ["--data", str(data), "--port", str(free_port()), "--frames", "12", "--size", "320x180"]
    try:
        run = demo(env, *args)
        assert run.returncode == 0, run.stdout + run.stderr
        (url,) = re.findall(r"^Watch it:\s+(\S+)$", run.stdout, re.M)
        (movie,) = re.findall(r"^Movie:\s+(\S+) ", run.stdout, re.M)
        shutil.copy(movie, artifacts_dir / "demo_link_movie.mp4")  # to look at
        check_page_at_poster(page, url, Path(movie), artifacts_dir)
    finally:
        stopped = demo(env, "--stop", "--data", str(data))
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr


def check_page_at_poster(page: Any, url: str, movie: Path, artifacts_dir: Path) -> None:
    assert page.goto(url).status == 200
    item = page.locator("article.item:not([hidden])").first
    poster = int(item.get_attribute("data-poster-frame"))
    first = int(item.get_attribute("data-frame-in"))
    assert poster > first, "the demo's poster is the middle frame"
    page.wait_for_function(
        """([item, frame]) => {
            const v = item.querySelector("video.video");
            return item.querySelector(".frame-number").textContent === String(frame)
                && v.readyState >= 2 && !v.seeking;
        }""",
        arg=[item.element_handle(), poster],
    )
    assert item.locator(".note-at").inner_text() == str(poster)
    frames = grey_frames(movie)
    video = item.locator("video.video")
    shot = artifacts_dir / "demo_link_poster.png"
    video.screenshot(path=str(shot))  # what the viewer sees: the poster or the picture
    assert first + nearest(frames, grey_frames(shot)[0]) == poster
    # what a play or a step goes on from: the picture the video element holds
    held = np.array(video.evaluate(HELD_GREY, list(SMALL)), dtype=float)
    assert first + nearest(frames, held) == poster
    page.screenshot(path=str(artifacts_dir / "demo_link_page.png"))
    item.locator("button.step-forward").click()
    page.wait_for_function(
        """([item, frame]) => item.querySelector(".frame-number").textContent === String(frame)
            && !item.querySelector("video.video").seeking""",
        arg=[item.element_handle(), poster + 1],
    )
    stepped = shot.with_name("demo_link_step.png")
    video.screenshot(path=str(stepped))
    assert first + nearest(frames, grey_frames(stepped)[0]) == poster + 1
