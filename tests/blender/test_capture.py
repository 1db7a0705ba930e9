"""Blender capture in the real bpy module: frames, rational fps, and every setting restored."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from blender_helpers import needs_bpy, run_bpy

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]


def png_size(path: Path) -> tuple:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def test_capture_writes_frames_and_restores_every_setting(tmp_path, blender_env):
    result = run_bpy("capture_restores.py", [tmp_path], blender_env)

    files = [Path(p) for p in result["files"]]
    assert [p.name for p in files] == [f"frame_{n:04d}.png" for n in range(3, 9)]
    assert all(png_size(p) == (320, 180) for p in files)  # 640x360 at the scene's 50 %
    assert result["first_frame"] == 3
    assert result["fps"] == "24000/1001"  # fps 24 / fps_base 1.001
    assert result["spec"]["fps"] == "24000/1001"
    assert result["spec"]["camera"] == "shotCam"
    assert result["cameras"] == ["altCam", "shotCam"]
    assert result["progress"][-1][:2] == ["capture", 1.0]

    assert result["settings_compared"] > 1000
    assert result["diff_during"], "the snapshot must see the playblast settings while in force"
    assert any("render.engine" in d for d in result["diff_during"])
    assert result["diff"] == []
    assert "did not write" in result["error"]
    assert result["diff_after_error"] == []
    assert "no camera called 'nope'" in result["no_camera"]
