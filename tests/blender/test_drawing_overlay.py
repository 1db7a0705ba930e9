"""Debian's Blender 3.4 with a window (Xvfb): a reviewer's drawing held over frames 1004-1008 is
shown over the 3D viewport by the add-on's feedback panel, only on those frames, and hidden
again, fitted between the toolbar and the sidebar. Screenshots with, sidebar,
outside and without are saved under test-artifacts/
as blender-drawing-*.png; the drawing's red cross is counted in their pixels. The second test
clicks the note's eye button in the panel with simulated events, as the artist does
(blender-drawing-clicked-with.png / -without.png).

The third: a publish of several cameras gives one version per camera, and a reviewer's drawing
is made on one of them. Drawn on the turntable camera's version, it is shown over a view
through the turntable camera and not over the shot camera's view (the camera comes from the
version's review component, ``ft_dcc_capture``). Showing it puts the artist's 3D view through
that camera. Screenshots: test-artifacts/blender-drawing-camera-*.png.

One windowed Blender run does the three parts, one after the other, and test_feedback.py's
(``feedback_window``, feedback_window.py: a GUI Blender start is seconds of software-GL CPU);
each test checks its own part of what that run saw."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Tuple

import imageio_ffmpeg
import numpy as np
import pytest
from blender_helpers import needs_gui_blender
from feedback_window import GROUP, TURNTABLE
from support.drawings import FIRST, LAST

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_gui_blender, GROUP]


def pixels(png: Path) -> np.ndarray:
    """A screenshot's pixels (rows from the top, columns, RGB)."""
    out = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(png),
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    width = int.from_bytes(png.read_bytes()[16:20], "big")
    return np.frombuffer(out, dtype=np.uint8).reshape(-1, width, 3)


def red_pixels(png: Path) -> int:
    """How many pixels of a screenshot are the drawing's red (255, 40, 40)."""
    rgb = pixels(png).astype(int)
    return int(((rgb[..., 0] > 220) & (rgb[..., 1] < 70) & (rgb[..., 2] < 70)).sum())


def drawing_columns(png: Path, box: List[int]) -> Tuple[int, int]:
    """The first and last column, in the rows of ``box`` ([left, top, width, height]), of the
    drawing's red (255, 40, 40), even dimmed under a panel's translucent background (green and
    blue alike, unlike the red of Blender's X axis or 3D cursor), in the rows the drawing's
    horizontal bar crosses (where over 100 pixels are its red)."""
    left, top, width, height = box
    rgb = pixels(png)[top : top + height, left : left + width].astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    red = (r > 100) & (2 * g < r) & (abs(g - b) <= 3)
    columns = np.nonzero(red[red.sum(axis=1) > 100].any(axis=0))[0]
    assert columns.size, f"no drawing in {png.name}"
    return left + int(columns[0]), left + int(columns[-1])


def test_a_drawing_is_shown_over_the_viewport_on_its_frames_and_hidden(
    feedback_window, artifacts_dir
):
    result, shots = feedback_window
    assert result.get("error") is None, result["error"]
    assert result["refresh"] == ["FINISHED"] and result["show"] == ["FINISHED"], result
    assert result["hide"] == ["FINISHED"]
    frames = {"with": FIRST, "sidebar": FIRST, "outside": LAST + 1, "without": FIRST}
    assert result["frames"] == frames
    assert [len(result["shown"][k]) for k in ("with", "outside", "without")] == [1, 1, 0]
    for name in ("with", "sidebar", "outside", "without"):
        shutil.copy(shots / f"{name}.png", artifacts_dir / f"blender-drawing-{name}.png")
    red = {name: red_pixels(shots / f"{name}.png") for name in ("with", "outside", "without")}
    assert red["with"] > 5000 + red["without"], red  # the cross, over the viewport
    assert abs(red["outside"] - red["without"]) < 500, red  # not on a frame it is not held on
    assert_fitted_between_toolbar_and_sidebar(shots / "sidebar.png", result["regions"])


def assert_fitted_between_toolbar_and_sidebar(shot: Path, regions: Dict[str, Any]) -> None:
    """With the sidebar (N) open, the drawing is fitted to the part of the viewport the
    overlapping toolbar and sidebar leave free: none of it under either."""
    view, sidebar, toolbar = regions["WINDOW"], regions["UI"], regions["TOOLS"]
    assert regions["overlap"] and sidebar[2] > 100, regions  # Blender's default: overlapping
    free = (toolbar[0] + toolbar[2], sidebar[0])  # the columns neither covers
    assert view[0] < free[0] < free[1] < view[0] + view[2], regions  # both over the viewport
    first, last = drawing_columns(shot, view)
    assert free[0] <= first <= free[0] + 2 and free[1] - 3 <= last < free[1], (first, last, regions)


def test_the_eye_button_clicked_in_the_panel_shows_and_hides_the_drawing(
    feedback_window, artifacts_dir
):
    """The artist's way: simulated mouse events click the note's eye button in the feedback
    panel, once to show the drawing and once to hide it; the cross is counted in the pixels."""
    ran, shots = feedback_window
    result = ran["click"]
    assert result.get("error") is None, str(result)
    assert result["refresh"] == ["FINISHED"]
    found = result["found"]["command"]
    assert found.startswith("bpy.ops.ftdcc.feedback_drawing(") and "show=False" not in found
    assert "show=False" in result["commands"]["shown"]  # the eye is now the one that hides
    assert "show=False" not in result["commands"]["hidden"]
    assert result["frame_before"] != FIRST  # clicked from another frame than the drawing's
    assert result["frames"]["clicked-with"] == FIRST  # the click went to the drawing's frame
    assert [len(result["shown"][k]) for k in ("clicked-with", "clicked-without")] == [1, 0]
    for name in ("clicked-with", "clicked-without"):
        shutil.copy(shots / f"{name}.png", artifacts_dir / f"blender-drawing-{name}.png")
    red = {name: red_pixels(shots / f"{name}.png") for name in ("clicked-with", "clicked-without")}
    assert red["clicked-with"] > 5000 + red["clicked-without"], red
    assert red["clicked-without"] < 500, red  # gone: no cross left over the viewport


def test_a_drawing_on_the_turntable_version_is_not_laid_over_the_shot_camera(
    feedback_window, artifacts_dir
):
    ran, shots = feedback_window
    result = ran["camera"]
    assert result.get("error") is None, result["error"]
    assert result["viewed_before"] is None  # a free view before the drawing is shown
    assert result["show"] == ["FINISHED"], result
    names = ("through-shot", "through-turntable", "hidden")
    for name in names:
        shutil.copy(shots / f"{name}.png", artifacts_dir / f"blender-drawing-camera-{name}.png")
    assert result["viewed"] == {"through-shot": "Camera", "through-turntable": TURNTABLE,
                                "hidden": TURNTABLE}  # fmt: skip
    red = {name: red_pixels(shots / f"{name}.png") for name in names}
    assert red["through-turntable"] > 5000 + red["hidden"], red  # over its own camera's view
    assert abs(red["through-shot"] - red["hidden"]) < 500, red  # not over the shot camera's
    assert result["viewed_after_show"] == TURNTABLE  # showing it looked through its camera
