"""Debian's Blender 3.4 with a window (Xvfb): after a viewport playblast the artist's 3D view is
back as it was: every writable value of the view (view matrix, rotation, location, distance,
perspective, camera zoom/offset, lens), of its shading and overlays, and of the scene."""

from __future__ import annotations

import pytest
from blender_helpers import needs_gui_blender, run_blender, write_json
from test_gui import build_scene_34

from ft_dcc.host.pythonpath import python_paths

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_gui_blender]


def restore_case(tmp_path, blender_env, mode, perspective):
    blend = build_scene_34(tmp_path, blender_env)
    options = {
        "python_paths": python_paths(),
        "out_dir": str(tmp_path / "out"),
        "mode": mode,
        "perspective": perspective,
    }
    result = run_blender(
        "viewport_restore.py",
        [write_json(tmp_path / "restore.json", options)],
        blender_env,
        gui=True,
        blend=blend,
    )
    assert "error" not in result, result["error"]
    assert not result["background"] and result["blender"].startswith("3.4")
    compared = result["compared"]
    for name in ("view_matrix", "view_rotation", "view_location", "view_distance",
                 "view_perspective", "view_camera_zoom", "view_camera_offset"):  # fmt: skip
        assert any(k.endswith(f".region_3d.{name}") for k in compared), name
    assert any(k.endswith("].shading.type") for k in compared)
    return result


@pytest.mark.parametrize("perspective", ["PERSP", "ORTHO"])
def test_whole_capture_restores_the_artists_view(tmp_path, blender_env, perspective):
    result = restore_case(tmp_path, blender_env, "host", perspective)
    assert len(result["files"]) == 5
    assert result["diff"] == []
    assert result["diff_after_redraw"] == []


def test_cancelled_capture_restores_the_view_and_leaves_no_frames(tmp_path, blender_env):
    result = restore_case(tmp_path, blender_env, "cancel", "PERSP")
    assert result["diff"] == []
    assert result["diff_after_redraw"] == []
    assert result["left_in_folder"] == []
