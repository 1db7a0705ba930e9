"""The add-on with a misspelt review session (bpy, real embedded server): the publish is refused
naming the open session it is close to; confirming (the dialog's OK) publishes into a new one."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from blender_helpers import (
    build_addon_zip,
    needs_bpy,
    needs_gui_blender,
    run_bpy,
    server_env,
    write_json,
)
from dialog_window import GROUP, SIDEBAR_OPEN, dialog_part
from support import make_task, open_session

from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.review import sessions as review

pytestmark = [pytest.mark.slow, pytest.mark.blender]


@needs_bpy
def test_misspelt_session_is_refused_then_confirmed(tmp_path, blender_env, embedded_server):
    session = open_session(embedded_server, tmp_path)
    path = make_task(session, f"blns{uuid.uuid4().hex[:8]}", fstart=1001, fend=1006)
    project = session.get("Project", resolve_task(session, None, path)["project_id"])
    review.find_or_create_review_session(session, project, "Dailies 2026-11-22")
    options = {
        "blend": str(tmp_path / "shot.blend"),
        "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": path,
        "review_session": "Dailes 2026-11-22",
    }
    env = server_env(blender_env, embedded_server)
    result = run_bpy("new_session_publish.py", [write_json(tmp_path / "o.json", options)], env)

    first, confirmed = result["first"], result["confirmed"]
    assert first["returned"] == ["CANCELLED"] and first["outcome"] == "failed"
    assert "'Dailies 2026-11-22' is open in this project: a misspelling?" in first["message"]
    assert confirmed["outcome"] == "published", confirmed["message"]
    assert confirmed["review_session_name"] == "Dailes 2026-11-22"
    names = session.query(f'select name from ReviewSession where project_id is "{project["id"]}"')
    assert sorted(r["name"] for r in names.all()) == ["Dailes 2026-11-22", "Dailies 2026-11-22"]


@needs_gui_blender
@GROUP
def test_the_sidebar_button_asks_in_a_dialog(dialog_window, embedded_server, artifacts_dir):
    """Debian's Blender 3.4 in a window: the refused publish opens the confirm dialog
    (screenshot test-artifacts/blender-new-session-dialog.png) and one Esc answers it: nothing
    is written (Blender's own popup of the refusal once covered the question, and the Esc
    closed that popup instead); the sidebar part of the shared dialogs run (dialog_window.py)."""
    part = dialog_part(dialog_window, "sidebar")
    result = part["result"]
    assert result["outcome"] == "failed", result["status"]
    assert f"'{SIDEBAR_OPEN}' is open in this project" in result["status"]
    shots = Path(part["screenshots"])
    shutil.copy(shots / "dialog.png", artifacts_dir / "blender-new-session-dialog.png")
    assert result["after_no"] == "failed", "Return after one Esc answered the question"
    session = open_session(embedded_server, dialog_window["bundles"].parent / "sidebar-read")
    names = session.query(
        f'select name from ReviewSession where project_id is "{part["project_id"]}"'
    )
    assert [r["name"] for r in names.all()] == [SIDEBAR_OPEN]  # no new session
