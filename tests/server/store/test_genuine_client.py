"""Data-layer semantics through the GENUINE ftrack-python-api client over real HTTP.

Custom attributes, project-schema workflows, notes, metadata, timers and polymorphic queries as
the unmodified client reads and writes them, against the shared embedded server.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Iterator

import pytest
from support import genuine_sessions

ftrack_api = pytest.importorskip("ftrack_api")

pytestmark = pytest.mark.compat


@pytest.fixture
def make_session(embedded_server, tmp_path) -> Iterator[Callable[..., Any]]:
    """Sessions of the genuine client on the shared server, with a temp schema cache."""
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        yield make


@pytest.fixture
def hierarchy(make_session) -> dict:
    session = make_session()
    schema = session.query("ProjectSchema").first()
    project = session.create(
        "Project",
        {"name": f"ca_{uuid.uuid4().hex[:8]}", "full_name": "Store", "project_schema": schema},
    )
    shot = session.create("Shot", {"name": "sh010", "parent": project})
    task = session.create("Task", {"name": "comp", "parent": shot})
    shot["custom_attributes"]["fstart"] = 1001  # new entity: the client records an update
    session.commit()
    return {"session": session, "project": project, "shot": shot, "task": task}


def test_custom_attributes_new_and_existing_entities(hierarchy, make_session) -> None:
    shot_id = hierarchy["shot"]["id"]
    other = make_session()
    shot = other.get("Shot", shot_id)
    assert shot["custom_attributes"]["fstart"] == 1001
    assert shot["custom_attributes"]["fend"] == 1100  # the configuration's default
    shot["custom_attributes"]["fend"] = 1200
    other.commit()
    third = make_session()
    values = dict(third.get("Shot", shot_id)["custom_attributes"])
    assert values["fstart"] == 1001 and values["fend"] == 1200
    found = third.query(
        f'Shot where custom_attributes any (key is "fend" and value is 1200) and id is "{shot_id}"'
    ).all()
    assert [s["id"] for s in found] == [shot_id]


def test_hierarchical_fps_is_inherited(hierarchy, make_session) -> None:
    session = hierarchy["session"]
    project = hierarchy["project"]
    project["custom_attributes"]["fps"] = 24
    session.commit()
    fresh = make_session()
    assert fresh.get("Task", hierarchy["task"]["id"])["custom_attributes"]["fps"] == 24


def test_project_schema_statuses_and_types(hierarchy) -> None:
    schema = hierarchy["project"]["project_schema"]
    task_statuses = [s["name"] for s in schema.get_statuses("Task")]
    assert task_statuses[0] == "Not started"
    assert "Approved" in task_statuses
    assert "Pending Review" in [s["name"] for s in schema.get_statuses("AssetVersion")]
    assert "Generic" in [t["name"] for t in schema.get_types("Task")]
    assert "Not started" in [s["name"] for s in schema.get_statuses("Shot")]


def test_notes_metadata_and_polymorphic_queries(hierarchy, make_session) -> None:
    session = hierarchy["session"]
    user = session.query(f'User where username is "{session.api_user}"').one()
    note = hierarchy["task"].create_note("looks good", author=user)
    hierarchy["task"]["metadata"]["camera"] = "alexa"
    session.commit()
    fresh = make_session()
    task = fresh.get("Task", hierarchy["task"]["id"])
    assert [n["content"] for n in task["notes"]] == ["looks good"]
    assert fresh.get("Note", note["id"])["parent_type"] == "Task"
    assert dict(task["metadata"]) == {"camera": "alexa"}
    contexts = fresh.query(
        f'Context where project_id is "{hierarchy["project"]["id"]}" '
        f'or id is "{hierarchy["project"]["id"]}"'
    ).all()
    assert sorted(c.entity_type for c in contexts) == ["Project", "Shot", "Task"]
    assert [a["name"] for a in task["ancestors"]] == ["sh010"]


def test_timer_start_and_stop(make_session) -> None:
    session = make_session()
    user = session.query(f'User where username is "{session.api_user}"').one()
    timer = user.start_timer(comment="review", name="timer", force=True)
    assert timer["start"] is not None
    timelog = user.stop_timer()
    assert timelog["duration"] >= 0
