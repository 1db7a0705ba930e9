"""One windowed Blender (Debian's 3.4 under Xvfb) for the sidebar publishes of test_gui.py and
test_look_parity.py: a GUI Blender start costs seconds of software-GL CPU, so one run on a server
of its own does the publishes one after the other, each from its own scene and on its own task,
and each test checks its own part. The run is the session fixture ``gui_window``
(tests/blender/conftest.py); the tests that read it are in one xdist group (:data:`GROUP`), so the
run is made once.

The publishes, in order: an unsaved edit refused (the server's entities are counted after it, at
a checkpoint), the demo scene published, and the scene with a non-default viewport look
(scripts/look_scene.py) published, which test_look_parity.py compares with a headless publish.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from blender_helpers import (
    blender_environment,
    build_addon_zip,
    cached_blend,
    run_blender,
    server_env,
    write_json,
)
from ft_dcc_hosts.blender.demo_template import write_demo_scene
from support import count_entities, make_task, open_session

#: the xdist group of the tests that read the one run
GROUP = pytest.mark.xdist_group("blender-gui-window")
#: the publishes of the one windowed run, in order: the refused one first, so that the server
#: is looked at before the other publishes
CASES = ("unsaved", "ok", "look")


def build_scene_34(tmp_path, frames=12):
    """``tmp_path/shot34.blend``: the demo scene of 1001 to 1000 + ``frames`` at 25 fps, 320x180,
    saved by Blender 3.4 (its reader cannot open files saved by 5.0): the shipped template with
    those written in by blender-asset-tracer (``make demo``'s scene, whose motion follows the
    range), not a background Blender start building it; written once per test process for each
    length, each test gets its own copy."""

    def build(path):
        write_demo_scene(path, frame_start=1001, frame_end=1000 + frames, fps=25, width=320,
                         height=180)  # fmt: skip

    blend = cached_blend(tmp_path / "shot34.blend", f"demo-{frames}", build)
    assert blend.read_bytes()[:12] == b"BLENDER-v304"
    return blend


def gui_options(tmp_path, blend, task, case, screenshots):
    """A publish's options; the add-on's zip built in ``tmp_path``."""
    return {
        "blend": str(blend),
        "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": task,
        "review_session": "GUI dailies",
        "comment": "from the sidebar",
        "case": case,
        "build": False,
        "invoke": True,
        "screenshots": screenshots,
    }


def case_scene(folder: Path, env: Dict[str, str], case: str, seen: Dict[str, Any]) -> Path:
    """The scene a case publishes: the demo scene, or for "look" the scene with a non-default
    viewport look (its build's RESULT kept in ``seen["look_built"]``)."""
    if case != "look":
        return build_scene_34(folder)
    blend = folder / "look.blend"
    seen["look_built"] = run_blender("look_scene.py", [blend], env)
    return blend


def run_gui_window(folder: Path, server: Any) -> Dict[str, Any]:
    """The publishes of :data:`CASES` in one windowed Blender on ``server``. {"server", "before",
    "after_refused", "look_built", case: {"result", "shots", "blend", "task", "stopped"}}."""
    session = open_session(server, folder)
    env = server_env(blender_environment(folder), server)
    seen: Dict[str, Any] = {"server": server}
    publishes = []
    for case in CASES:  # each with a folder of its own (its scene, its copy of the zip)
        (folder / case / "shots").mkdir(parents=True)
        task = make_task(session, f"blgui{uuid.uuid4().hex[:8]}")
        blend = case_scene(folder / case, env, case, seen)
        shots = str(folder / case / "shots") if case != "look" else ""
        publishes.append(gui_options(folder / case, blend, task, case, shots))
        seen[case] = {"blend": blend, "task": task, "shots": folder / case / "shots"}
    seen["before"] = count_entities(session)

    def look(_path):  # the refused publish has ended: what it left
        seen["after_refused"] = count_entities(open_session(server, folder / "again"))

    first = dict(publishes[0], checkpoint=str(folder / "refused-looked-at"), then=publishes[1:])
    result = run_blender(
        "publish_operator.py", [write_json(folder / "gui.json", first)], env, gui=True,
        blend=Path(first["blend"]), checkpoint=look,
    )  # fmt: skip
    parts = result.get("publishes", [])
    stopped = f"the run stopped before this publish; its output:\n{result['_output'][-4000:]}"
    for index, case in enumerate(CASES):
        part = parts[index] if index < len(parts) else None
        seen[case].update(result=part, stopped=stopped)
    return seen


def gui_part(gui_window: Dict[str, Any], case: str):
    """A publish's part of the run (its RESULT, its screenshots folder)."""
    part = gui_window[case]
    assert part["result"] is not None, part["stopped"]
    return part["result"], part["shots"]
