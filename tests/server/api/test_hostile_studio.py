"""A hostile studio against the real embedded server: >= 300 requests, 0 x 5xx, database unchanged.

Classes: broken bodies, privilege escalation by a plain User, deletes that would dangle,
validation gaps, forged or foreign review tokens, file endpoints with foreign or bad ids, forged
upload URLs. Every request is refused (or only reads), so every table must be identical before
and after; every answer must be below 500 with strict (HTTP status) errors.
"""

from __future__ import annotations

import random
import sqlite3
import urllib.parse
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests
from support.trust import (
    SERVER_LOCATION_ID,
    add_api_user,
    create,
    delete,
    make_task,
    new_id,
    ok,
    publish,
    query,
    start_server,
    update,
    user_id_of,
)

Request = Tuple[str, str, Dict[str, Any]]  # (method, path, requests kwargs)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    running = start_server(tmp_path_factory.mktemp("hostile"))
    yield running
    running.stop()


def dump(server: Any) -> Dict[str, List[Tuple[Any, ...]]]:
    """Every row of every table (sorted), read straight from the SQLite file."""
    connection = sqlite3.connect(f"file:{server.data_dir / 'ft_dcc.sqlite'}?mode=ro", uri=True)
    try:
        names = [
            r[0] for r in connection.execute("select name from sqlite_master where type='table'")
        ]
        return {
            name: sorted(map(repr, connection.execute(f'select * from "{name}"').fetchall()))
            for name in names
        }
    finally:
        connection.close()


def api(server: Any, body: Any, user: str, key: str, raw: bool = False) -> Request:
    headers = {"ftrack-user": user, "ftrack-api-key": key, "ftrack-strict-api": "true"}
    if raw:
        return ("POST", "/api", {"data": body, "headers": headers})
    return ("POST", "/api", {"json": body, "headers": headers})


def broken_bodies(server: Any, rng: random.Random) -> List[Request]:
    user, key = server.api_user, server.api_key
    raws = [b"", b"{", b"[", b"null", b"42", b'"x"', b"[1,2]", b"[[]]", b"\xff\xfe", b"[" * 5000,
            b'[{"action": null}]', b'[{"action": "drop"}]', b'[{"action": "create"}]',
            b'[{"action": "update", "entity_type": "Task"}]', b'[{"action": "delete"}]',
            b'[{"action": "query", "expression": 5}]',
            b'[{"action": "query", "expression": "select"}]',
            b'[{"action": "query", "expression": "select id from Nope"}]',
            b'[{"action": "get_upload_metadata", "component_id": "../../etc"}]',
            b'[{"action": "complete_multipart_upload", "upload_id": "x"}]']  # fmt: skip
    requests_: List[Request] = [api(server, body, user, key, raw=True) for body in raws]
    for _ in range(30):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
        requests_.append(api(server, junk, user, key, raw=True))
    return requests_


def escalations(server: Any, ids: Dict[str, str], bob: Tuple[str, str]) -> List[Request]:
    user, key = bob
    operations = [
        {"action": "reset_remote", "reset_type": "api_key", "entity_type": "User",
         "entity_key": [ids["admin"]]},
        {"action": "reset_remote", "reset_type": "api_key", "entity_type": "User",
         "entity_key": ids["admin"]},
        {"action": "send_user_invite", "user_id": ids["admin"]},
        create("User", username="mallory"),
        create("UserSecurityRole", user_id=ids["bob"], security_role_id=ids["admin_role"]),
        update("User", ids["admin"], username="owned"),
        update("User", ids["bob"], is_active=False),
        update("User", ids["admin"], email="evil@example.com"),
        delete("User", ids["admin"]),
        create("Location", name="evil"),
        update("Location", SERVER_LOCATION_ID, name="evil"),
        delete("Location", SERVER_LOCATION_ID),
        create("AssetType", name="evil", short="evil"),
        update("Status", ids["status"], name="evil"),
        delete("Status", ids["status"]),
        create("Type", name="evil"),
        delete("Type", ids["type"]),
        create("Priority", name="evil"),
        create("SecurityRole", name="God"),
        delete("FileComponent", ids["component"]),
        delete("AssetVersion", ids["version"]),
        delete("Asset", ids["asset"]),
        delete("Project", ids["project"]),
    ]  # fmt: skip
    found = [api(server, [op], user, key) for op in operations]
    # the same, hidden after a harmless read in one batch
    found += [api(server, [{"action": "query", "expression": "select id from Task"}, op], user, key)
              for op in operations]  # fmt: skip
    remove = {"id": ids["component"], "username": user, "apiKey": key}
    found += [("GET", "/component/remove", {"params": remove}) for _ in range(4)]
    found += [("POST", "/component/remove", {"params": remove})]
    return found


def dangling_deletes(server: Any, ids: Dict[str, str]) -> List[Request]:
    user, key = server.api_user, server.api_key
    targets = [("Task", ids["task"]), ("Shot", ids["shot"]), ("AssetType", ids["asset_type"]),
               ("Location", SERVER_LOCATION_ID), ("Status", ids["status"]),
               ("User", ids["admin"]), ("Type", ids["task_type"])]  # fmt: skip
    found = [api(server, [delete(t, i)], user, key) for t, i in targets]
    found += [api(server, [delete(t, i), delete(t, i)], user, key) for t, i in targets]
    found += [api(server, [delete("Task", new_id())], user, key) for _ in range(6)]
    return found


def validation_gaps(server: Any, ids: Dict[str, str]) -> List[Request]:
    user, key = server.api_user, server.api_key
    found: List[Request] = []
    for value in ("NaN", "Infinity", "-Infinity", "1e400", "-1", "0", '"soon"', "[]", "{}"):
        body = ('[{"action":"get_widget_url","name":"review_session","expires_in":VALUE}]'
                .replace("VALUE", value))  # fmt: skip
        found.append(api(server, body.encode(), user, key, raw=True))
    for name in ("Task", "Shot", "Sequence", "Folder", "AssetBuild"):
        found.append(api(server, [create(name, name="orphan")], user, key))
    for version in (-1, 0, -(2**40), True, "one", 1.5):
        found.append(api(server, [create("AssetVersion", asset_id=ids["asset"], version=version)],
                         user, key))  # fmt: skip
        found.append(api(server, [update("AssetVersion", ids["version"], version=version)],
                         user, key))  # fmt: skip
    for declared in ("AssetVersion", "Project", "User", "Nope", 5):
        wrong = update("Task", ids["task"], name="x")
        wrong["entity_data"]["__entity_type__"] = declared
        found.append(api(server, [wrong], user, key))
    found.append(api(server, [create("Asset", name="anim", context_id=ids["shot"],
                                     type_id=ids["asset_type"])], user, key))  # fmt: skip
    found.append(api(server, [create("Project", id=ids["project"], name="again")], user, key))
    found.append(api(server, [create("Project", name="\ud800")], user, key))
    return found


def review_tampering(server: Any, ids: Dict[str, str], rng: random.Random) -> List[Request]:
    token = ids["token"]
    other = ids["other_session"]
    session = ids["session"]
    bad_tokens = ["", "x", "a.b", ".", "..", token + "x", token[:-2], token.replace(".", ""),
                  "é.é", "A" * 5000, token.split(".")[0] + "." + "A" * 43]  # fmt: skip
    bad_tokens += ["".join(rng.choice("AZaz09-_.") for _ in range(60)) for _ in range(10)]
    found: List[Request] = []
    for bad in bad_tokens:
        for path in (f"/review/{session}", f"/review/{session}/notes", "/review/",
                     f"/review/{session}/media/{ids['component']}"):  # fmt: skip
            found.append(("GET", path, {"params": {"token": bad}}))
    for path in (f"/review/{other}", f"/review/{other}/notes",
                 f"/review/{other}/media/{ids['component']}", "/review/"):  # fmt: skip
        found.append(("GET", path, {"params": {"token": token}}))
    notes = f"/review/{session}/notes"
    for body in (b"", b"{", b"[]", b'{"object_id": 5}', b'{"object_id": "x", "content": "y"}',
                 b'{"content": "hi"}', b'{"object_id": "OBJ", "content": ""}',
                 b'{"object_id": "OBJ", "content": "\\ud800"}', b'{"object_id": "OBJ"}',
                 b'{"object_id": "OBJ", "content": "hi", "frame": "x"}',
                 b'{"object_id": "OBJ", "content": "hi", "frame": 1.5}',
                 b"\xff" * 10):  # fmt: skip
        found.append(
            (
                "POST",
                notes,
                {"params": {"token": token}, "data": body.replace(b"OBJ", ids["object"].encode())},
            )
        )
    found.append(("POST", f"/review/{other}/notes", {"params": {"token": token},
                  "data": b'{"object_id": "OBJ", "content": "hi"}'.replace(
                      b"OBJ", ids["object"].encode())}))  # fmt: skip
    return found


def file_endpoints(server: Any, ids: Dict[str, str], bob: Tuple[str, str]) -> List[Request]:
    user, key = bob
    found: List[Request] = []
    for ident in ("", "..", "../x", "a/b", "x" * 300, "\x00", "%2e%2e", "é", ids["component"]):
        for path in ("/component/get", "/component/thumbnail", "/component/remove"):
            found.append(("GET", path, {"params": {"id": ident, "username": user, "apiKey": "no"}}))
        found.append(("GET", "/component/remove", {"params": {"id": ident, "username": user,
                                                               "apiKey": key}}))  # fmt: skip
    for size in ("0", "-1", "nan", "99999999999999999999", "x"):
        found.append(("GET", "/component/thumbnail", {"params": {
            "id": ids["component"], "size": size, "username": user, "apiKey": key}}))  # fmt: skip
    for token in ("", "x", "a.b", ids["token"]):
        found.append(
            (
                "PUT",
                f"/file-upload/{ids['component']}",
                {"params": {"token": token}, "data": b"overwrite"},
            )
        )
        found.append(("GET", "/widget", {"params": {"token": token}}))
    return found


def setup(server: Any) -> Tuple[Dict[str, str], Tuple[str, str]]:
    bob_id, bob_key = add_api_user(server, "bob")
    task = make_task(server)
    published = publish(server, task)
    session, other, item = new_id(), new_id(), new_id()
    ok(server, [create("ReviewSession", id=session, name="D", project_id=task["project"]),
                create("ReviewSession", id=other, name="E", project_id=task["project"]),
                create("ReviewSessionObject", id=item, name="o", review_session_id=session,
                       version_id=published["version"])])  # fmt: skip
    asset_type = create("AssetType", name="Anim", short="anim")
    ok(server, [asset_type, create("Asset", name="anim", context_id=task["shot"],
                                   type_id=asset_type["entity_key"][0])])  # fmt: skip
    link = ok(server, [{"action": "get_widget_url", "name": "review_session",
                        "entity_type": "ReviewSession", "entity_key": [session]}])  # fmt: skip
    token = urllib.parse.parse_qs(urllib.parse.urlparse(link[0]["widget_url"]).query)["token"][0]
    ids = dict(published, admin=user_id_of(server, server.api_user), bob=bob_id, session=session,
               other_session=other, object=item, token=token,
               asset_type=asset_type["entity_key"][0],
               admin_role=query(server, 'select id from SecurityRole where name is "Administrator"'
                                )[0]["id"],
               status=query(server, f'select status_id from Task where id is "{task["task"]}"')[0][
                   "status_id"],
               task_type=query(server, f'select type_id from Task where id is "{task["task"]}"')[0][
                   "type_id"],
               type=query(server, "select id from Type")[0]["id"])  # fmt: skip
    return ids, ("bob", bob_key)


def test_hostile_requests_get_no_5xx_and_change_nothing(server: Any) -> None:
    rng = random.Random(10)
    ids, bob = setup(server)
    suite = (broken_bodies(server, rng) + escalations(server, ids, bob)
             + dangling_deletes(server, ids) + validation_gaps(server, ids)
             + review_tampering(server, ids, rng) + file_endpoints(server, ids, bob))  # fmt: skip
    assert len(suite) >= 300, len(suite)
    before = dump(server)
    answers = []
    for method, path, kwargs in suite:
        response = requests.request(method, server.url + path, timeout=60, **kwargs)
        answers.append((response.status_code, method, path, response.text[:200]))
    failures = [a for a in answers if a[0] >= 500]
    assert not failures, failures[:10]
    after = dump(server)
    changed = [name for name in before if before[name] != after.get(name)]
    assert not changed, changed
    assert set(after) == set(before)
    assert "Traceback" not in server.stderr_path.read_text(errors="replace")
    ok(server, [{"action": "query_server_information"}], user=bob[0], key=bob[1])
