"""Studio plugins (``docs/studio-plugins.md``'s, on ``PYBLISHPLUGINPATH``) in a headless Blender
publish (``ft-dcc publish SCENE.blend --host blender``, the real Blender): a validator refuses
with its own message and offers its repair, nothing is written; ``--repair`` runs the repair in
Blender's publish, and an extractor adds a component and metadata to the version (read back
through ``ftrack_api``); the project's settings turn the validator off in Blender's publish."""

from __future__ import annotations

import json
import uuid

import pytest
from blender_helpers import headless_ft_dcc, needs_bpy, needs_gui_blender, server_env
from support import count_entities, make_task, open_session
from support.studio_plugins import assert_frame_list_version, studio_plugin_dir
from test_headless import build_scene, publish

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]


@needs_gui_blender
def test_studio_plugins_refuse_repair_and_add_a_component_in_headless_blender(
    tmp_path, blender_env, embedded_server, monkeypatch
):
    folder = studio_plugin_dir(
        tmp_path, monkeypatch, "validate_ticket_in_comment.py", "extract_frame_list.py"
    )
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blsp{uuid.uuid4().hex[:8]}", 1001, 1006)
    env = dict(server_env(blender_env, embedded_server), PYBLISHPLUGINPATH=str(folder))
    blend = build_scene(tmp_path, env, "blender", frame_start=1001, frame_end=1006, fps=25)
    before = count_entities(session)

    refused = publish(env, blend, task, "--comment", "farm render")
    assert refused.returncode != 0
    (error,) = json.loads(refused.stdout)["errors"]
    assert error.startswith("Comment names its ticket: start the comment with its ticket"), error
    assert "repair: 'Add the task as ticket'" in error and "--repair" not in error
    assert count_entities(session) == before

    process = publish(env, blend, task, "--comment", "farm render", "--repair")
    assert process.returncode == 0, process.stderr[-3000:]
    report = json.loads(process.stdout)
    check = open_session(embedded_server, tmp_path / "check")
    version = assert_frame_list_version(check, report["asset_version_id"], 1001, 1006, 25.0)
    assert version["comment"] == f"[{task.split('/')[-1]}] farm render"

    settings = tmp_path / "project.json"  # the project turns the studio's check off
    settings.write_text(json.dumps({"plugins": {"ValidateTicketInComment": {"enabled": False}}}))
    pushed = headless_ft_dcc(
        env, "settings", "push", str(settings), "--project", task.split("/")[0]
    )
    assert pushed.returncode == 0, pushed.stderr
    unchecked = publish(env, blend, task, "--comment", "no ticket")
    assert unchecked.returncode == 0, unchecked.stderr[-3000:]
    steps = [s["plugin"] for s in json.loads(unchecked.stdout)["steps"]]
    assert "ValidateTicketInComment" not in steps and "ExtractFrameList" in steps
