"""The sidebar's "Publish on the farm" with a review session name one typo from an open one, in
Debian's Blender 3.4 in a window (real embedded server): the refusal opens the "Create a new
review session?" dialog asking as "Publish for review" does; no writes nothing, OK writes the
job with ``NewReviewSession`` (screenshot test-artifacts/blender-farm-new-session-dialog.png)."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest
from blender_helpers import build_addon_zip, needs_gui_blender, run_blender, server_env, write_json
from support import make_task, open_session

from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.review import sessions as review

pytestmark = [pytest.mark.slow, pytest.mark.blender]

OPEN = "Dailies 2026-11-25"  # yesterday's session, still open
TYPO = "Dailes 2026-11-25"  # one letter short of it


@needs_gui_blender
def test_the_farm_button_asks_in_a_dialog_and_ok_writes_a_new_sessions_job(
    tmp_path, blender_env, embedded_server, artifacts_dir
):
    from gui_window import build_scene_34

    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blfn{uuid.uuid4().hex[:8]}")
    project = session.get("Project", resolve_task(session, None, task)["project_id"])
    review.find_or_create_review_session(session, project, OPEN)
    temp = tmp_path / "bundles"  # the TMPDIR the bundles are written into
    temp.mkdir()
    env = dict(server_env(blender_env, embedded_server), TMPDIR=str(temp))
    shots = tmp_path / "shots"
    shots.mkdir()
    options = {
        "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": task,
        "review_session": TYPO,
        "screenshots": str(shots),
    }
    result = run_blender(
        "farm_new_session_dialog.py",
        [write_json(tmp_path / "d.json", options)],
        env,
        gui=True,
        blend=build_scene_34(tmp_path, env),
    )
    shutil.copy(shots / "farm-dialog.png", artifacts_dir / "blender-farm-new-session-dialog.png")
    assert result["asked"] == [
        f"No review session is called {TYPO!r}, but {OPEN!r} is open in this project: a "
        f"misspelling?\nCreate a new session {TYPO!r} anyway?"
    ], result["refused"]  # the same question both times
    assert result["after_no"] == ""  # no: nothing written
    bundle = Path(result["bundle"])
    assert [p for p in temp.iterdir() if p.name.startswith("ft_dcc-farm-job-")] == [bundle]
    given = json.loads((bundle / "openjd_params.json").read_text())
    assert (given["ReviewSession"], given["NewReviewSession"]) == (TYPO, "yes")
    names = session.query(f'select name from ReviewSession where project_id is "{project["id"]}"')
    assert [r["name"] for r in names.all()] == [OPEN]  # the farm's publish step makes it
