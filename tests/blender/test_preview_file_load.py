"""Debian's Blender 3.4, background: the sidebar's preview of the publish is read in a worker
thread and handed to the main thread by a timer; opening another .blend while it is read must
not drop that hand-over (Blender removes non-persistent timers on a file load, and the panel
then says "Reading the settings..." for good)."""

from __future__ import annotations

import pytest
from blender_helpers import build_addon_zip, needs_gui_blender, run_blender, write_json

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_gui_blender]


def test_a_file_opened_during_the_read_keeps_its_hand_over(tmp_path, blender_env):
    options = {"zip": str(build_addon_zip(tmp_path / "dist")),
               "blend": str(tmp_path / "scene.blend")}  # fmt: skip
    env = {k: v for k, v in blender_env.items() if not k.startswith("FTRACK_")}
    result = run_blender("preview_file_load.py", [write_json(tmp_path / "o.json", options)], env)
    assert result["blender"].startswith("3.4"), result.get("_output", "")[-2000:]
    assert result["pending"] is True
    assert result["hand_over_kept"] is True
