"""The genuine ``ftrack_api.Session`` is a :class:`PublishSession`: the publish helpers take it.

mypy checks ``ft_dcc.Session`` against the protocol (``publish/offline/connection.py`` returns
one as a ``PublishSession``); the genuine client ships no types, so it is checked here, at run
time, by using it where the pipeline uses a session.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from support import genuine_sessions

from ft_dcc.publish.context.tasks import load_shot, resolve_task
from ft_dcc.review import sessions as review
from ft_dcc.session.interface import EntityLike, PublishSession

ftrack_api = pytest.importorskip("ftrack_api")

pytestmark = pytest.mark.compat


@pytest.fixture
def genuine(embedded_server, tmp_path) -> Any:
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        yield make()


def test_the_genuine_session_has_every_member_publishing_uses(genuine):
    assert isinstance(genuine, PublishSession)
    assert isinstance(genuine.query("Location").first(), EntityLike)


def test_publish_and_review_helpers_run_on_the_genuine_session(genuine):
    schema = genuine.query("ProjectSchema").first()
    name = f"proto_{uuid.uuid4().hex[:8]}"
    project = genuine.create("Project", {"name": name, "full_name": name, "project_schema": schema})
    shot = genuine.create("Shot", {"name": "sh010", "parent": project})
    task = genuine.create("Task", {"name": "comp", "parent": shot})
    genuine.commit()

    found = resolve_task(genuine, None, f"{name}/sh010/comp")
    assert found["id"] == task["id"]
    assert load_shot(genuine, shot["id"])["name"] == "sh010"

    created = review.find_or_create_review_session(genuine, project, "Dailies proto")
    assert review.find_review_session(genuine, project, "Dailies proto")["id"] == created["id"]
