"""Debian's Blender 3.4 with a window (Xvfb): a publish of several cameras gives one version per
camera, and a reviewer's drawing is made on one of them. Drawn on the turntable camera's
version, it is shown over a view through the turntable camera and not over the shot camera's
view (the camera comes from the version's review component, ``ft_dcc_capture``). Showing it
puts the artist's 3D view through that camera. Screenshots: test-artifacts/
blender-drawing-camera-*.png; the drawing's red cross is counted in their pixels."""

from __future__ import annotations

import json
import shutil

import pytest
from blender_helpers import needs_gui_blender
from test_drawing_overlay import blender_with_drawing, red_pixels

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_gui_blender]

TURNTABLE = "turntableCam"


def captured_through(camera):
    """A ``prepare`` giving the drawn-on version (v002) a review component whose capture record
    names ``camera``, as a publish of several cameras writes it."""

    def prepare(session, seeded):
        component = session.create(
            "FileComponent",
            {"name": "ftrackreview-mp4", "version_id": seeded["v002"], "file_type": ".mp4"},
        )
        session.commit()
        session.create("Metadata", {
            "parent_id": component["id"], "parent_type": "FileComponent",
            "key": "ft_dcc_capture", "value": json.dumps({"camera": camera}),
        })  # fmt: skip
        session.commit()

    return prepare


def test_a_drawing_on_the_turntable_version_is_not_laid_over_the_shot_camera(
    tmp_path, blender_env, embedded_server, artifacts_dir
):
    result, shots = blender_with_drawing(
        tmp_path, blender_env, embedded_server, "drawing_camera.py",
        {"turntable": TURNTABLE}, prepare=captured_through(TURNTABLE),
    )  # fmt: skip
    assert result.get("error") is None, result["_output"][-3000:]
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
