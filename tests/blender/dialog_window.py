"""One windowed Blender (Debian's 3.4 under Xvfb) for the "Create a new review session?" dialogs
of test_new_session_confirm.py (the sidebar's "Publish for review") and test_farm_new_session.py
("Publish on the farm"): a GUI Blender start costs seconds of software-GL CPU, so one run
(scripts/session_dialogs.py) does both parts one after the other, each on a task of a project of
its own whose open session the part's review session misspells; each test checks its own part.
The run is the session fixture ``dialog_window`` (tests/blender/conftest.py); the tests that read
it are in one xdist group (:data:`GROUP`), so the run is made once. Neither part writes to the
server; the farm part's bundle goes to the run's TMPDIR (``bundles``).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from blender_helpers import (
    blender_environment,
    build_addon_zip,
    run_blender,
    server_env,
    write_json,
)
from gui_window import build_scene_34
from support import make_task, open_session

from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.review import sessions as review

#: the xdist group of the tests that read the one run
GROUP = pytest.mark.xdist_group("blender-dialog-window")
#: each part's open review session and the misspelling its publish names
SIDEBAR_OPEN, SIDEBAR_TYPO = "Dailies 2026-11-22", "dailies 2026-11-22"
FARM_OPEN, FARM_TYPO = "Dailies 2026-11-25", "Dailes 2026-11-25"


def part_options(session: Any, folder: Path, prefix: str, open_name: str, typo: str) -> Dict:
    """A part's task (of a project of its own, with ``open_name`` open) and options."""
    task = make_task(session, f"{prefix}{uuid.uuid4().hex[:8]}")
    project = session.get("Project", resolve_task(session, None, task)["project_id"])
    review.find_or_create_review_session(session, project, open_name)
    shots = folder / "shots"
    shots.mkdir(parents=True)
    return {"task": task, "project_id": project["id"], "review_session": typo,
            "screenshots": str(shots)}  # fmt: skip


def run_dialog_window(folder: Path, server: Any) -> Dict[str, Any]:
    """Seed both parts on ``server`` and run the one windowed Blender. {"sidebar", "farm": each
    its options and "result" (None when the run stopped before it), "bundles", "output"}."""
    session = open_session(server, folder)
    bundles = folder / "bundles"  # the TMPDIR the farm's bundles are written into
    bundles.mkdir()
    env = dict(server_env(blender_environment(folder), server), TMPDIR=str(bundles))
    parts = {
        "sidebar": part_options(session, folder / "sidebar", "blnd", SIDEBAR_OPEN, SIDEBAR_TYPO),
        "farm": part_options(session, folder / "farm", "blfn", FARM_OPEN, FARM_TYPO),
    }
    arguments = dict(parts, zip=str(build_addon_zip(folder / "dist")))
    result = run_blender(
        "session_dialogs.py", [write_json(folder / "dialogs.json", arguments)], env, gui=True,
        blend=build_scene_34(folder),
    )  # fmt: skip
    seen: Dict[str, Any] = {"bundles": bundles, "output": result["_output"][-4000:]}
    for name, part in parts.items():
        seen[name] = dict(part, result=result.get(name))
    return seen


def dialog_part(dialog_window: Dict[str, Any], name: str) -> Dict[str, Any]:
    """A part's options and its RESULT (``result``), which the run reached."""
    part = dialog_window[name]
    stopped = f"the run stopped before this part; its output:\n{dialog_window['output']}"
    assert part["result"] is not None, stopped
    return part
