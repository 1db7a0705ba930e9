"""Raw ``/api`` helpers for the trust tests (permissions, integrity, races, hostile input).

Everything goes over HTTP to a real embedded server; ``strict`` asks for HTTP error statuses
(``ftrack-strict-api: true``) so that a 5xx cannot hide behind HTTP 200.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.util
import sys
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import requests

SERVER_LOCATION_ID = "3a372bde-05bc-11e4-8908-20c9d081909b"
ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
ROOT_CONFTEST_MODULE = "_ft_dcc_tests_root_conftest"


def root_conftest() -> Any:
    """The root ``tests/conftest.py`` as a module (``EmbeddedServer``, ``start_server``…):
    ``from conftest import …`` is ambiguous, since every folder's conftest.py is a module named
    ``conftest`` and the last one pytest loaded holds the name, so it is loaded by its path."""
    module = sys.modules.get(ROOT_CONFTEST_MODULE)
    if module is None:
        spec = importlib.util.spec_from_file_location(ROOT_CONFTEST_MODULE, ROOT_CONFTEST)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[ROOT_CONFTEST_MODULE] = module
        spec.loader.exec_module(module)
    return module


def start_server(base: Path, extra_args: Optional[List[str]] = None) -> Any:
    """A real ``ft-dcc server`` on a free port (the root conftest's ``start_server``), with
    more ``ft-dcc server`` options in ``extra_args`` (e.g. ``--database``, ``--workers``)."""
    return root_conftest().start_server(base, extra_args)


@contextlib.contextmanager
def server_with_env(base: Path, env: Dict[str, str]) -> Iterator[Any]:
    """A started server whose process reads ``env`` (set in this process only while it
    starts, e.g. small limits for a module's tests), stopped at the end."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        server = start_server(base)
    try:
        yield server
    finally:
        server.stop()


def new_id() -> str:
    return str(uuid.uuid4())


def call(
    server: Any,
    operations: Any,
    user: Optional[str] = None,
    key: Optional[str] = None,
    strict: bool = True,
) -> requests.Response:
    """POST ``operations`` as ``user``/``key`` (default: the server's first user)."""
    headers = {
        "ftrack-user": user or server.api_user,
        "ftrack-api-key": key or server.api_key,
        "ftrack-strict-api": "true" if strict else "false",
    }
    return requests.post(server.url + "/api", json=operations, headers=headers, timeout=60)


def ok(server: Any, operations: List[Dict[str, Any]], **kwargs: Any) -> List[Any]:
    response = call(server, operations, **kwargs)
    assert response.status_code == 200, response.text[:2000]
    body = response.json()
    assert isinstance(body, list), body
    return body


def refused(response: requests.Response, status: int, exception: str) -> Dict[str, Any]:
    """The error body of ``response``, asserting its status and ftrack exception name."""
    assert response.status_code == status, (response.status_code, response.text[:2000])
    body = response.json()
    assert body.get("exception") == exception, body
    return body


def create(entity_type: str, **data: Any) -> Dict[str, Any]:
    data.setdefault("id", new_id())
    return {
        "action": "create",
        "entity_type": entity_type,
        "entity_key": [data["id"]],
        "entity_data": dict(data, __entity_type__=entity_type),
    }


def update(entity_type: str, ident: str, **data: Any) -> Dict[str, Any]:
    return {
        "action": "update",
        "entity_type": entity_type,
        "entity_key": [ident],
        "entity_data": dict(data, __entity_type__=entity_type),
    }


def delete(entity_type: str, ident: str) -> Dict[str, Any]:
    return {"action": "delete", "entity_type": entity_type, "entity_key": [ident]}


def query(server: Any, expression: str, **kwargs: Any) -> List[Dict[str, Any]]:
    return ok(server, [{"action": "query", "expression": expression}], **kwargs)[0]["data"]


def user_id_of(server: Any, username: str) -> str:
    return query(server, f'select id from User where username is "{username}"')[0]["id"]


def add_api_user(server: Any, username: str) -> Tuple[str, str]:
    """An administrator creates ``username`` and resets its key; returns (user id, key)."""
    made = create("User", username=username)
    ok(server, [made])
    reply = ok(
        server,
        [
            {
                "action": "reset_remote",
                "reset_type": "api_key",
                "entity_type": "User",
                "entity_key": [made["entity_key"][0]],
            }
        ],
    )
    return made["entity_key"][0], reply[0]["data"]["api_key"]


def make_task(server: Any, **auth: Any) -> Dict[str, str]:
    """A new project with a shot and a task; returns their ids."""
    ids = {"project": new_id(), "shot": new_id(), "task": new_id()}
    ok(
        server,
        [
            create("Project", id=ids["project"], name="p" + ids["project"][:8], full_name="P"),
            create("Shot", id=ids["shot"], name="sh010", parent_id=ids["project"]),
            create("Task", id=ids["task"], name="comp", parent_id=ids["shot"]),
        ],
        **auth,
    )
    return ids


def upload(server: Any, component_id: str, payload: bytes, **auth: Any) -> requests.Response:
    """``get_upload_metadata`` then the signed PUT of ``payload``; the PUT's response."""
    checksum = base64.b64encode(hashlib.md5(payload).digest()).decode("ascii")
    meta = ok(
        server,
        [
            {
                "action": "get_upload_metadata",
                "component_id": component_id,
                "file_name": "movie.mp4",
                "file_size": len(payload),
                "checksum": checksum,
            }
        ],
        **auth,
    )[0]
    return requests.put(meta["url"], data=payload, headers=meta["headers"], timeout=60)


def publish(server: Any, task: Dict[str, str], **auth: Any) -> Dict[str, str]:
    """As ``auth``'s user: an asset, a version and a committed movie component (uploaded)."""
    ids = dict(task, asset=new_id(), version=new_id(), component=new_id())
    response = upload(server, ids["component"], b"movie-bytes" * 100, **auth)
    assert response.status_code == 200, response.text
    ok(
        server,
        [
            create("Asset", id=ids["asset"], name="a" + ids["asset"][:6], context_id=task["shot"]),
            create("AssetVersion", id=ids["version"], asset_id=ids["asset"], task_id=task["task"]),
            create("FileComponent", id=ids["component"], name="main", version_id=ids["version"]),
            {
                "action": "create",
                "entity_type": "ComponentLocation",
                "entity_data": {
                    "__entity_type__": "ComponentLocation",
                    "id": new_id(),
                    "component_id": ids["component"],
                    "location_id": SERVER_LOCATION_ID,
                    "resource_identifier": ids["component"],
                },
            },
        ],
        **auth,
    )
    return ids
