"""A Project's ``project_id`` is its own id, as ftrack answers it.

ftrack's schema gives ``Project`` a ``project_id`` foreign key to ``Project.id`` (the recorded
``query_schemas`` reply); its server answers the project's own id there, as it answers the
owning project's id on every other context. The embedded server read ``None``.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import post_api

from .test_genuine_client import unique

ftrack_api = pytest.importorskip("ftrack_api")

pytestmark = pytest.mark.compat


def _project(session: Any) -> str:
    project = session.create(
        "Project",
        {
            "name": unique("own"),
            "full_name": "Own id",
            "project_schema": session.query("ProjectSchema").first(),
        },
    )
    session.commit()
    return str(project["id"])


def test_genuine_client_reads_a_projects_own_id_as_its_project_id(session, make_session):
    project_id = _project(session)
    fresh = make_session()
    assert fresh.query(f"Project where id is {project_id}").one()["project_id"] == project_id
    assert make_session().get("Project", project_id)["project_id"] == project_id


def test_api_query_selects_a_projects_own_id_as_its_project_id(session, embedded_server):
    project_id = _project(session)
    expressions = [
        f'select project_id from Project where id is "{project_id}"',
        f'select project_id from Context where id is "{project_id}"',
    ]
    for expression in expressions:
        reply = post_api(embedded_server, [{"action": "query", "expression": expression}])
        (entity,) = reply[0]["data"]
        assert entity["__entity_type__"] == "Project"
        assert entity["project_id"] == project_id, expression
