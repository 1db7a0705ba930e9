"""Large reads by plain attribute access: how many requests they cost, counted in the server's log.

A review tool reads a thousand versions and shows each one's asset, task and status names. The
query fetches every row in one page, and the first attribute read on one of them loads, for all
of them at once, the row's attributes with the linked entities' names (what a caller reads
next), so the whole read is two ``/api`` requests (ftrack_api: one request per entity and link).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from session_helpers import open_session, unique

VERSIONS = 1000
ASSETS = 10


def _seed(session: Any) -> Tuple[str, Dict[str, Tuple[str, str, str]]]:
    """A project with ``ASSETS`` assets of ``VERSIONS`` versions in all, each version on one of
    two tasks with one of the statuses; returns the project id and the names each version has."""
    name = unique("reads")
    project = session.create(
        "Project",
        {"name": name, "full_name": name, "project_schema": session.query("ProjectSchema").first()},
    )
    task_type = session.query("Type").first()
    tasks = [
        session.create("Task", {"name": f"task{i}", "parent": project, "type": task_type})
        for i in range(2)
    ]
    statuses = session.query("select name from Status").all()[:3]
    asset_type = session.query("AssetType").first()
    assets = [
        session.create("Asset", {"name": f"asset{i:02d}", "parent": project, "type": asset_type})
        for i in range(ASSETS)
    ]
    session.commit()  # the server takes at most 1,000 writes per batch
    expected: Dict[str, Tuple[str, str, str]] = {}
    for index in range(VERSIONS):
        asset, task = assets[index % ASSETS], tasks[index % 2]
        status = statuses[index % len(statuses)]
        version = session.create("AssetVersion", {"asset": asset, "task": task, "status": status})
        expected[version["id"]] = (asset["name"], task["name"], status["name"])
    session.commit()
    return project["id"], expected


@pytest.fixture(scope="module")
def seeded(embedded_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    with open_session(embedded_server, tmp_path_factory.mktemp("seed")) as session:
        return _seed(session)


def _names(versions: List[Any]) -> Dict[str, Tuple[str, str, str]]:
    return {v["id"]: (v["asset"]["name"], v["task"]["name"], v["status"]["name"]) for v in versions}


def test_a_thousand_versions_with_linked_names_cost_two_requests(
    embedded_server: Any, tmp_path: Path, seeded: Any
) -> None:
    project_id, expected = seeded
    with open_session(embedded_server, tmp_path) as session:
        mark = embedded_server.log_mark()
        versions = session.query(f'AssetVersion where asset.parent.id is "{project_id}"').all()
        names = _names(versions)
        requests = embedded_server.api_requests_since(mark)
    assert names == expected
    assert len(requests) <= 2, [r.get("actions") for r in requests]


def test_reading_again_costs_nothing_and_other_links_still_load(
    embedded_server: Any, tmp_path: Path, seeded: Any
) -> None:
    project_id, expected = seeded
    with open_session(embedded_server, tmp_path) as session:
        versions = session.query(f'AssetVersion where asset.parent.id is "{project_id}"').all()
        assert _names(versions) == expected
        mark = embedded_server.log_mark()
        assert _names(versions) == expected
        assert {v["asset"]["parent"]["id"] for v in versions} == {project_id}
        assert {len(v["components"]) for v in versions} == {0}  # a collection: asked for
        assert len(embedded_server.api_requests_since(mark)) <= 2


def test_a_link_read_on_its_own_comes_with_its_name(
    embedded_server: Any, tmp_path: Path, seeded: Any
) -> None:
    project_id, expected = seeded
    with open_session(embedded_server, tmp_path) as session:
        versions = session.query(
            f'select id from AssetVersion where asset.parent.id is "{project_id}" limit 5'
        ).all()
        session.populate(versions, "asset")
        mark = embedded_server.log_mark()
        assert [v["asset"]["name"] for v in versions] == [expected[v["id"]][0] for v in versions]
        assert embedded_server.api_requests_since(mark) == []
