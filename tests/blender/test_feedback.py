"""Debian's Blender 3.4 with a window (Xvfb): the "Review feedback" sub-panel of the ftrack tab
reads the task's latest feedback from the embedded server, and choosing a note sets the frame.
The screenshot is saved as test-artifacts/blender-feedback-panel.png."""

from __future__ import annotations

import shutil

import pytest
from blender_helpers import needs_gui_blender
from feedback_window import GOTO, GROUP

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_gui_blender, GROUP]


def test_feedback_panel_lists_notes_and_goes_to_their_frame(
    feedback_window, embedded_server, artifacts_dir
):
    ran, shots = feedback_window  # its last part, on a task of its own (feedback_window.py)
    result, path = ran["feedback"], ran["options"]["feedback"]["task"]
    assert result["blender"].startswith("3.4"), result["blender"]
    assert result["returned"] == ["FINISHED"], ran["_output"][-3000:]
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
    assert result["frame_before"] != GOTO
    assert result["frame_after"] == GOTO  # the chosen note's frame
    shot = shots / "feedback-panel.png"
    assert shot.stat().st_size > 10_000
    shutil.copy(shot, artifacts_dir / "blender-feedback-panel.png")
