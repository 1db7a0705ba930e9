"""Debian's Blender 3.4 with a window (Xvfb): the Task field's search popup lists the server's
tasks (the scene's own task first, from the path templates, then the recent ones); typing
filters it and Return fills the Task field. The panel says which settings profile applies and
no label is wider than the narrow sidebar. After the refresh the connection row says the server
was reached (not "Not checked yet"), and the camera list shows a "Review" box per camera.
Screenshots: test-artifacts/blender-task-picker.png, blender-camera-list.png."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from blender_helpers import build_addon_zip, needs_gui_blender, run_blender, server_env, write_json
from support import make_task, open_session
from support.entities import add_picker_tasks

from ft_dcc.host.task_choices import RECENT_FILE, RecentTasks
from ft_dcc.protocol.app_data import APP_NAME

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_gui_blender]

#: the longest label (with an icon) the default sidebar shows whole
SIDEBAR_CHARS = 28


def test_task_search_popup_picks_a_task_recent_first(
    tmp_path, blender_env, embedded_server, artifacts_dir
):
    session = open_session(embedded_server, tmp_path)
    project = f"blpick{uuid.uuid4().hex[:6]}"
    comp = make_task(session, project)
    add_picker_tasks(session, project)
    light = f"{project}/sq010/sh020/light"
    env = server_env(blender_env, embedded_server)
    env["XDG_DATA_HOME"] = str(Path(env["HOME"]) / ".local" / "share")
    recent = RecentTasks(Path(env["XDG_DATA_HOME"]) / APP_NAME / RECENT_FILE)
    recent.remember(session.server_url, light)
    recent.remember(session.server_url, comp)
    settings = {
        # a template starting with a field: the scene under /tmp/… still finds its project
        "settings": {"paths.task_templates": ["{project}/{sequence}/{shot}/{task}/**"]},
        "profiles": [
            {"name": "blender dailies", "hosts": ["blender"],
             "settings": {"naming.review_session": "Blender {date}"}},
        ],
    }  # fmt: skip
    env["FT_DCC_SETTINGS"] = str(write_json(tmp_path / "studio.json", settings))
    work = tmp_path / "jobs" / project / "sq010" / "sh010" / "anim" / "work"
    work.mkdir(parents=True)
    blend = work / "shot.blend"
    subprocess.run(
        ["blender", "-b", "--factory-startup", "--python-exit-code", "1", "--python-expr",
         "import bpy\nfor name in ('camA', 'camB'):\n"
         "    camera = bpy.data.objects.new(name, bpy.data.cameras.new(name))\n"
         "    bpy.context.scene.collection.objects.link(camera)\n"
         f"bpy.ops.wm.save_as_mainfile(filepath={str(blend)!r})"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    shots = tmp_path / "shots"
    shots.mkdir()
    options = {"zip": str(build_addon_zip(tmp_path / "dist")), "screenshots": str(shots),
               "typed": "light", "tick": ["camA", "camB"]}  # fmt: skip
    args = [write_json(tmp_path / "picker.json", options)]
    result = run_blender("task_picker.py", args, env, gui=True, blend=blend)
    assert result["blender"].startswith("3.4"), result["blender"]
    assert not result["stuck"], result["stuck"] + " did not happen: " + result["_output"][-3000:]
    assert result["opened"] == ["RUNNING_MODAL"], result["_output"][-3000:]
    choices = [(c["path"], c["from_scene"], c["recent"]) for c in result["choices"]]
    assert choices == [
        (f"{project}/sq010/sh010/anim", True, False),
        (comp, False, True),
        (light, False, True),
    ], json.dumps(result["choices"])
    assert result["task"] == light  # typed "light", pressed Return
    assert result["settings"][:2] == ["Profile 'blender dailies'", "from file studio.json"]
    assert "review_session: profile" in result["settings"]
    assert "task_templates: studio" in result["settings"]
    refreshed = result["labels"]["publish"]  # the panel right after the task refresh
    user = embedded_server.env["FTRACK_API_USER"]
    row = refreshed[: [text for text, _icon in refreshed].index("Task")]  # wrapped lines
    assert row[0][1] == "CHECKMARK", refreshed
    assert " ".join(text for text, _icon in row) == f"Connected to {session.server_url} as {user}"
    assert result["checkboxes"] == [["Camera", False], ["camA", True], ["camB", True]]
    assert ["Cameras: 2 ticked", "NONE"] in refreshed, refreshed  # whole, not cut
    publish = result["labels_chosen"]["publish"]
    assert ["sh020 / light (recent)", "CHECKMARK"] in publish  # the field shows only the start
    feedback = result["labels"]["feedback"]  # before its refresh: the hint to press it
    notes = [label for label in feedback if label[1] != "NONE"]  # notes: indented
    drawn = publish + refreshed + notes
    too_wide = [text for text, _icon in drawn if len(text) > SIDEBAR_CHARS]
    assert not too_wide, too_wide
    for name in ("task-picker.png", "task-chosen.png", "panel.png"):
        assert (shots / name).stat().st_size > 10_000
    shutil.copy(shots / "task-picker.png", artifacts_dir / "blender-task-picker.png")
    shutil.copy(shots / "task-chosen.png", artifacts_dir / "blender-task-chosen.png")
    shutil.copy(shots / "panel.png", artifacts_dir / "blender-camera-list.png")
