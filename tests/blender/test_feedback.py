"""Debian's Blender 3.4 with a window (Xvfb): the "Review feedback" sub-panel of the ftrack tab
reads the task's latest feedback from the embedded server, and choosing a note sets the frame.
The screenshot is saved as test-artifacts/blender-feedback-panel.png."""

from __future__ import annotations

import shutil
import uuid

import pytest
from blender_helpers import (
    build_addon_zip,
    needs_gui_blender,
    run_blender,
    saved_blank_scene,
    server_env,
    write_json,
)
from support import make_task, open_session
from support.feedback import seed_feedback

from ft_dcc.publish.tasks import resolve_task

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_gui_blender]


def test_feedback_panel_lists_notes_and_goes_to_their_frame(
    tmp_path, blender_env, embedded_server, artifacts_dir
):
    session = open_session(embedded_server, tmp_path)
    path = make_task(session, f"blfb{uuid.uuid4().hex[:8]}")
    task = resolve_task(session, None, path)
    seed_feedback(session, session.get("Project", task["project_id"]), task)
    shots = tmp_path / "shots"
    shots.mkdir()
    options = {
        "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": path,
        "screenshots": str(shots),
        "goto": 1010,
        "delay": 2.0,
    }
    env = server_env(blender_env, embedded_server)
    blend = saved_blank_scene(tmp_path / "shot.blend", env)  # opened as an artist opens a scene
    result = run_blender(
        "feedback_panel.py",
        [write_json(tmp_path / "feedback.json", options)],
        env,
        gui=True,
        blend=blend,
    )
    assert result["blender"].startswith("3.4"), result["blender"]
    assert result["returned"] == ["FINISHED"], result["_output"][-3000:]
    assert result["message"] == "" and result["task"] == path
    # the feedback was read from the server: the connection row says so, not "Not checked yet"
    assert result["connection"].startswith(f"Connected to {embedded_server.url}"), result
    notes = [(r["frame"], r["text"]) for r in result["rows"] if r["kind"] == "note"]
    assert notes == [
        (1003, "Bob: nice arc, keep it [1 drawing]"),
        (1010, "Ana Lee: arm pops here"),
        (None, "test user: fixed in the next take"),
    ]
    statuses = [r["text"] for r in result["rows"] if r["kind"] == "status"]
    assert statuses == ["Approved: Ana Lee", "Changes requested: bob"]
    assert result["frame_after"] == 1010  # the chosen note's frame
    shot = shots / "feedback-panel.png"
    assert shot.stat().st_size > 10_000
    shutil.copy(shot, artifacts_dir / "blender-feedback-panel.png")
