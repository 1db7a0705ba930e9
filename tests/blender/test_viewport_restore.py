"""Debian's Blender 3.4 with a window (Xvfb): after a viewport playblast the artist's 3D view is
back as it was: every writable value of the view (view matrix, rotation, location, distance,
perspective, camera zoom/offset, lens), of its shading and overlays, and of the scene."""

from __future__ import annotations

import pytest
from blender_helpers import blender_environment, needs_gui_blender, run_blender, write_json
from gui_window import build_scene_34

from ft_dcc.host.pythonpath import python_paths

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_gui_blender]

#: the cases, run one after the other in one window (``restored``), each from its own view
CASES = [
    {"name": "host-PERSP", "mode": "host", "perspective": "PERSP"},
    {"name": "host-ORTHO", "mode": "host", "perspective": "ORTHO"},
    {"name": "cancel-PERSP", "mode": "cancel", "perspective": "PERSP"},
]


@pytest.fixture(scope="module")
def restored(tmp_path_factory):
    """The module's one windowed Blender (a GUI start is seconds of software-GL CPU): each case
    sets the artist's view afresh, captures and compares with its own "before"; its RESULT."""
    folder = tmp_path_factory.mktemp("viewport-restore")
    env = blender_environment(folder)
    options = {"python_paths": python_paths(), "out_dir": str(folder / "out"), "cases": CASES}
    return run_blender(
        "viewport_restore.py",
        [write_json(folder / "restore.json", options)],
        env,
        gui=True,
        blend=build_scene_34(folder),
    )


def restore_case(restored, mode, perspective):
    assert not restored["background"] and restored["blender"].startswith("3.4")
    result = restored["cases"].get(f"{mode}-{perspective}")
    assert result is not None, restored["_output"][-3000:]
    assert "error" not in result, result["error"]
    compared = result["compared"]
    for name in ("view_matrix", "view_rotation", "view_location", "view_distance",
                 "view_perspective", "view_camera_zoom", "view_camera_offset"):  # fmt: skip
        assert any(k.endswith(f".region_3d.{name}") for k in compared), name
    assert any(k.endswith("].shading.type") for k in compared)
    return result


@pytest.mark.parametrize("perspective", ["PERSP", "ORTHO"])
def test_whole_capture_restores_the_artists_view(restored, perspective):
    result = restore_case(restored, "host", perspective)
    assert len(result["files"]) == 5
    assert result["diff"] == []
    assert result["diff_after_redraw"] == []


def test_cancelled_capture_restores_the_view_and_leaves_no_frames(restored):
    result = restore_case(restored, "cancel", "PERSP")
    assert result["diff"] == []
    assert result["diff_after_redraw"] == []
    assert result["left_in_folder"] == []
