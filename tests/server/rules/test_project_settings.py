"""A project's ft_dcc settings (``Metadata`` key ``ft_dcc_settings`` on a ``Project``) are the
rules every publish in that project follows: only an administrator writes them. An ordinary User
who could would stop every publish of the project with junk settings.
Other metadata stays writable as before."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import pytest
from support.trust import (
    add_api_user,
    call,
    make_task,
    ok,
    query,
    refused,
    start_server,
)

from ft_dcc.protocol import PROJECT_SETTINGS_KEY

SETTINGS = '{"settings": {"capture.scale": 0.5}}'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    running = start_server(tmp_path_factory.mktemp("project-settings"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def bob(server: Any) -> Dict[str, str]:
    _user_id, key = add_api_user(server, "bob")
    return {"user": "bob", "key": key}


def metadata(project_id: str, key: str, value: str, action: str = "create") -> Dict[str, Any]:
    operation: Dict[str, Any] = {
        "action": action,
        "entity_type": "Metadata",
        "entity_key": [project_id, key],
    }
    if action != "delete":
        operation["entity_data"] = {
            "__entity_type__": "Metadata",
            "parent_id": project_id,
            "parent_type": "Project",
            "key": key,
            "value": value,
        }
    return operation


def stored(server: Any, project_id: str) -> List[Dict[str, Any]]:
    return query(server, f'select key, value from Metadata where parent_id is "{project_id}"')


def test_an_ordinary_user_cannot_create_change_or_delete_project_settings(
    server: Any, bob: Dict[str, str]
) -> None:
    project = make_task(server)["project"]
    refusal = refused(
        call(server, [metadata(project, PROJECT_SETTINGS_KEY, SETTINGS)], **bob),
        403,
        "PermissionError",
    )
    assert "administrator" in refusal["content"]
    assert stored(server, project) == []
    ok(server, [metadata(project, PROJECT_SETTINGS_KEY, SETTINGS)])  # the administrator may
    before = stored(server, project)
    for action, value in (("update", "junk"), ("delete", "")):
        operation = metadata(project, PROJECT_SETTINGS_KEY, value, action)
        refused(call(server, [operation], **bob), 403, "PermissionError")
        assert stored(server, project) == before


def test_the_rule_reads_the_parent_not_the_parent_type_the_caller_sent(
    server: Any, bob: Dict[str, str]
) -> None:
    project = make_task(server)["project"]
    ok(server, [metadata(project, "notes", "bob's")], **bob)  # other metadata: as before
    lying = metadata(project, PROJECT_SETTINGS_KEY, SETTINGS)
    lying["entity_data"]["parent_type"] = "Shot"
    refused(call(server, [lying], **bob), 403, "PermissionError")
    assert [row["key"] for row in stored(server, project)] == ["notes"]
