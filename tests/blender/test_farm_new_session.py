"""The sidebar's "Publish on the farm" with a review session name one typo from an open one, in
Debian's Blender 3.4 in a window (real embedded server): the refusal opens the "Create a new
review session?" dialog asking as "Publish for review" does; no writes nothing, OK writes the
job with ``NewReviewSession`` (screenshot test-artifacts/blender-farm-new-session-dialog.png)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from blender_helpers import needs_gui_blender
from dialog_window import FARM_OPEN, FARM_TYPO, GROUP, dialog_part
from support import open_session

pytestmark = [pytest.mark.slow, pytest.mark.blender]


@needs_gui_blender
@GROUP
def test_the_farm_button_asks_in_a_dialog_and_ok_writes_a_new_sessions_job(
    dialog_window, embedded_server, tmp_path, artifacts_dir
):
    """The farm part of the shared dialogs run (dialog_window.py)."""
    part = dialog_part(dialog_window, "farm")
    result = part["result"]
    shots = Path(part["screenshots"])
    shutil.copy(shots / "farm-dialog.png", artifacts_dir / "blender-farm-new-session-dialog.png")
    assert result["asked"] == [
        f"No review session is called {FARM_TYPO!r}, but {FARM_OPEN!r} is open in this project: "
        f"a misspelling?\nCreate a new session {FARM_TYPO!r} anyway?"
    ], result["refused"]  # the same question both times
    assert result["after_no"] == ""  # no: nothing written
    bundle = Path(result["bundle"])
    temp = dialog_window["bundles"]
    assert [p for p in temp.iterdir() if p.name.startswith("ft_dcc-farm-job-")] == [bundle]
    given = json.loads((bundle / "openjd_params.json").read_text())
    assert (given["ReviewSession"], given["NewReviewSession"]) == (FARM_TYPO, "yes")
    session = open_session(embedded_server, dialog_window["bundles"].parent / "farm-read")
    names = session.query(
        f'select name from ReviewSession where project_id is "{part["project_id"]}"'
    )
    assert [r["name"] for r in names.all()] == [FARM_OPEN]  # the farm's publish step makes it
