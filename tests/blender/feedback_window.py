"""One windowed Blender (Debian's 3.4 under Xvfb) for the tests of review feedback in the add-on's
panel (test_drawing_overlay.py, test_feedback.py): a GUI Blender start costs seconds of
software-GL CPU, so one run on a saved scene does, one after the other, what each test looks
at (scripts/drawing_overlay.py and the parts it imports), and each test checks its own part of
the RESULT. The run is the session fixture ``feedback_window`` (tests/blender/conftest.py); the
tests that read it are in one xdist group (:data:`GROUP`), so the run is made once.

The parts, each on a task of a project of its own: a drawing shown over the viewport and hidden
(``task``); the note's eye button clicked in the panel (the same task, from the scene's first
frame); a drawing made on the turntable camera's version (``camera``); a task's feedback read
in the panel and a note chosen (``feedback``, with the connection row as the add-on started).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

import pytest
from blender_helpers import (
    blender_environment,
    build_addon_zip,
    run_blender,
    saved_blank_scene,
    server_env,
    write_json,
)
from support import make_task, open_session
from support.drawings import LAST, seed_drawing
from support.feedback import seed_feedback

from ft_dcc.publish.context.tasks import resolve_task

#: the xdist group of the tests that read the one run
GROUP = pytest.mark.xdist_group("blender-feedback-window")
TURNTABLE = "turntableCam"
#: the frame of the note the feedback part chooses
GOTO = 1010


def captured_through(camera: str) -> Callable[[Any, Dict[str, Any]], None]:
    """A ``prepare`` giving the drawn-on version (v002) a review component whose capture record
    names ``camera``, as a publish of several cameras writes it."""

    def prepare(session: Any, seeded: Dict[str, Any]) -> None:
        component = session.create(
            "FileComponent",
            {"name": "ftrackreview-mp4", "version_id": seeded["v002"], "file_type": ".mp4"},
        )
        session.commit()
        session.create("Metadata", {
            "parent_id": component["id"], "parent_type": "FileComponent",
            "key": "ft_dcc_capture", "value": json.dumps({"camera": camera}),
        })  # fmt: skip
        session.commit()

    return prepare


def seeded_task(session: Any, prefix: str, seed: Callable[..., Any]) -> str:
    """A task of a project of its own, seeded by ``seed(session, project, task)``; its path."""
    path = make_task(session, f"{prefix}{uuid.uuid4().hex[:8]}")
    task = resolve_task(session, None, path)
    seed(session, session.get("Project", task["project_id"]), task)
    return path


def task_with_drawing(session: Any, prepare: Optional[Callable[..., None]] = None) -> str:
    """A task seeded with a drawing (then ``prepare(session, seeded)``); its path."""

    def seed(session: Any, project: Any, task: Any) -> None:
        seeded = seed_drawing(session, project, task)
        if prepare is not None:
            prepare(session, seeded)

    return seeded_task(session, "bldr", seed)


def run_feedback_window(folder: Path, server: Any) -> Tuple[Dict[str, Any], Path]:
    """Seed the parts' tasks on ``server`` and run the one windowed Blender; (its RESULT, the
    screenshots folder)."""
    session = open_session(server, folder)
    shots = folder / "shots"
    shots.mkdir()
    options = {
        "zip": str(build_addon_zip(folder / "dist")),
        "task": task_with_drawing(session),
        "screenshots": str(shots),
        "content": "hold the pose",
        "outside": LAST + 1,
        "camera": {
            "task": task_with_drawing(session, captured_through(TURNTABLE)),
            "turntable": TURNTABLE,
        },
        "feedback": {"task": seeded_task(session, "blfb", seed_feedback), "goto": GOTO,
                     "delay": 2.0},
    }  # fmt: skip
    env = server_env(blender_environment(folder), server)
    blend = saved_blank_scene(folder / "shot.blend", env)  # opened as an artist opens a scene
    # without the 3D view's anti-aliasing (NO_VIEWPORT_AA) as every windowed run: with it each
    # redraw of the 3D view was drawn 8 times (17.7 -> 10.1 CPU-s of this Blender); the
    # eye-button probe (drawing_overlay_click.py) finds its note's button as before
    result = run_blender(
        "drawing_overlay.py", [write_json(folder / "window.json", options)], env, gui=True,
        blend=blend,
    )  # fmt: skip
    result["options"] = options
    return result, shots
