"""Fixtures of the farm tests: a project with three shots and their rendered frames on disk,
laid out as the studio's path template describes."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, List

import attr
import pytest
from support import make_sequence, open_session

SHOTS = ("sh010", "sh020", "sh030")
TEMPLATE = "jobs/{project}/{sequence}/{shot}/{task}/**"  # a studio root, then the levels


@attr.s(auto_attribs=True)
class Shots:
    project: str
    scenes: List[Path]  # one image sequence per shot (a "shot.####.png" pattern)
    settings: Path  # a studio settings file whose path template finds each shot's task


def make_shots(session: Any, shots: tuple = SHOTS) -> str:
    """A new project ``<name>/sq010/<shot>/comp`` for every shot (1001-1012 at 25 fps)."""
    name = f"farm{uuid.uuid4().hex[:8]}"
    project = session.create("Project", {
        "name": name, "full_name": name, "project_schema": session.query("ProjectSchema").first()
    })  # fmt: skip
    task_type = session.query('Type where name is "Compositing"').first()
    sequence = session.create("Sequence", {"name": "sq010", "parent": project, "project": project})
    made = []
    for shot_name in shots:
        shot = session.create("Shot", {"name": shot_name, "parent": sequence, "project": project})
        session.create("Task", {"name": "comp", "parent": shot, "project": project,
                                "type": task_type})  # fmt: skip
        made.append(shot)
    session.commit()
    for shot in made:
        for key, value in (("fstart", 1001), ("fend", 1012), ("fps", 25)):
            shot["custom_attributes"][key] = value
    session.commit()
    return name


@pytest.fixture
def shots(embedded_server: Any, tmp_path: Path) -> Shots:
    with open_session(embedded_server, tmp_path) as session:
        project = make_shots(session)
    scenes = []
    for shot in SHOTS:
        folder = tmp_path / "jobs" / project / "sq010" / shot / "comp" / "render"
        scenes.append(make_sequence(folder, frames=12, start=1001, name=f"{shot}_comp"))
    settings = tmp_path / "studio.json"
    settings.write_text(json.dumps({"settings": {"paths.task_templates": [TEMPLATE]}}))
    return Shots(project, scenes, settings)
