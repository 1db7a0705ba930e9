"""Behaviours where the embedded server must answer exactly like a real ftrack server.

Every test drives the GENUINE ``ftrack_api`` client (3.1.0) against the embedded server over HTTP.
The golden checks compare with replies recorded from a real ftrack server (``tests/data/ftrack``).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

from .test_genuine_client import SERVER_LOCATION_ID, make_hierarchy, still_image, unique, wait_job

ftrack_api = pytest.importorskip("ftrack_api")

pytestmark = pytest.mark.compat

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "ftrack"


def _link(session: Any, entity_type: str, entity_id: str) -> List[Dict[str, Any]]:
    return session.query(f'select link from {entity_type} where id is "{entity_id}"').one()["link"]


def _item(entity: Any, kind: str, name: str) -> Dict[str, Any]:
    return {"id": entity["id"], "name": name, "type": kind}


# -- 1. link ----------------------------------------------------------------------------------
def test_link_shapes_match_ftrack_for_every_context_type_and_version(session, make_session):
    project = session.create(
        "Project",
        {
            "name": unique("link"),
            "full_name": "Link",
            "project_schema": session.query("ProjectSchema").first(),
        },
    )
    folder = session.create("Folder", {"name": "f", "parent": project})
    sequence = session.create("Sequence", {"name": "sq", "parent": folder})
    shot = session.create("Shot", {"name": "sh", "parent": sequence})
    task = session.create("Task", {"name": "comp", "parent": shot})
    asset = session.create(
        "Asset", {"name": "plate", "parent": shot, "type": session.query("AssetType").first()}
    )
    version = session.create("AssetVersion", {"asset": asset, "task": task})
    session.commit()
    fresh = make_session()
    path = [_item(project, "Project", project["name"])]
    for entity in (folder, sequence, shot, task):
        path.append(_item(entity, "TypedContext", entity["name"]))
        assert _link(fresh, entity.entity_type, entity["id"]) == path
    assert _link(fresh, "Project", project["id"]) == path[:1]
    number = fresh.get("AssetVersion", version["id"])["version"]
    itself = _item(version, "AssetVersion", f"plate v{number:03d}")
    assert _link(fresh, "AssetVersion", version["id"]) == [*path[:4], itself]
    # ftrack's schema has no link on Asset (the golden schema is the recorded one)
    assert fresh.types["Asset"].attributes.get("link") is None
    golden = json.loads((GOLDEN / "link_shapes.json").read_text())
    for kind, entity in {"Project": project, "Shot": shot, "AssetVersion": version}.items():
        items = golden["shapes"][kind]
        link = _link(fresh, kind, entity["id"])
        assert [item["type"] for item in link] == [item["type"] for item in items]
        assert all(set(item) == {"id", "name", "type"} for item in link)


# -- 2. create replies ------------------------------------------------------------------------
def test_create_reply_has_set_values_and_defaults_only_like_ftrack(
    session, make_session, embedded_server
):
    recorded = json.loads((GOLDEN / "fixtures" / "create_user.json").read_text())
    sent = {"username": unique("u"), "first_name": "first", "last_name": "last"}
    request = {
        "action": "create",
        "entity_type": "User",
        "entity_data": dict(sent, __entity_type__="User"),
    }
    headers = {"ftrack-user": session.api_user, "ftrack-api-key": session.api_key}
    answer = requests.post(f"{session.server_url}/api", json=[request], headers=headers, timeout=30)
    reply = answer.json()[0]
    assert reply["action"] == recorded["action"] == "create"
    assert None not in reply["data"].values()
    recorded_keys = set(recorded["data"]) & set(session.types["User"].attributes.keys())
    assert recorded_keys | {"__entity_type__"} <= set(reply["data"])
    assert "email" not in reply["data"]
    # through the client: unset attributes stay NOT_SET and are fetched when read
    user = session.create("User", {"username": unique("u"), "first_name": "f"})
    session.commit()
    assert user.attributes.get("email").get_remote_value(user) is ftrack_api.symbol.NOT_SET
    mark = embedded_server.log_mark()
    assert user["email"] is None
    assert len(embedded_server.api_requests_since(mark)) == 1  # read fetched it


# -- 3. server defaults -----------------------------------------------------------------------
def test_user_without_username_gets_a_generated_one(session, make_session):
    first = session.create("User", {"first_name": "no", "last_name": "name"})
    second = session.create("User", {"first_name": "no", "last_name": "name"})
    session.commit()
    fresh = make_session()
    names = [fresh.get("User", u["id"])["username"] for u in (first, second)]
    assert all(isinstance(name, str) and name for name in names)
    assert names[0] != names[1]


# -- 4. uniqueness: one running timer per user ------------------------------------------------
def test_second_timer_for_a_user_is_refused(session):
    user = session.create("User", {"username": unique("timer")})
    session.commit()
    made = make_hierarchy(session)
    user.start_timer(made["task"])
    with pytest.raises(ftrack_api.exception.NotUniqueError):
        user.start_timer(made["task"])
    session.rollback()
    user.start_timer(made["task"], force=True)  # force stops the first and starts again
    assert len(session.query(f'Timer where user_id is "{user["id"]}"').all()) == 1


def test_custom_attribute_key_is_unique_per_entity_type(session, make_session):
    """ftrack's schema: a configuration's ``key`` is "Attribute name unique to entity type"."""
    number = session.query('CustomAttributeType where name is "number"').one()
    key = unique("ca")

    def configuration(entity_type: str) -> Any:
        return session.create(
            "CustomAttributeConfiguration",
            {"key": key, "label": key, "entity_type": entity_type, "type": number,
             "config": json.dumps({"isdecimal": True}), "core": False},
        )  # fmt: skip

    configuration("show")
    configuration("assetversion")  # the same key on another entity type is fine
    session.commit()
    configuration("show")
    with pytest.raises(ftrack_api.exception.ServerError, match="Duplicate entry"):
        session.commit()
    session.rollback()
    found = make_session().query(
        f'select entity_type from CustomAttributeConfiguration where key is "{key}"'
    )
    assert sorted(c["entity_type"] for c in found) == ["assetversion", "show"]


# -- 5. AssetVersion needs an asset -----------------------------------------------------------
def test_asset_version_without_asset_is_refused(session):
    session.create("AssetVersion", {"comment": "orphan"})
    with pytest.raises(ftrack_api.exception.ServerError, match="asset"):
        session.commit()
    session.rollback()


# -- 6. note categories are note labels -------------------------------------------------------
def test_note_with_category_commits_and_reads_back(session, make_session):
    made = make_hierarchy(session)
    category = session.create("NoteCategory", {"name": unique("cat"), "color": "#ff0000"})
    session.commit()
    author = session.query(f'User where username is "{session.api_user}"').one()
    with pytest.warns(PendingDeprecationWarning):
        note = made["task"].create_note("with a category", author, category=category)
    session.commit()
    fresh = make_session()
    labels = fresh.query(f'select label_id from NoteLabelLink where note_id is "{note["id"]}"')
    assert [link["label_id"] for link in labels] == [category["id"]]
    assert fresh.get("NoteLabel", category["id"])["name"] == category["name"]
    assert fresh.get("NoteCategory", category["id"])["name"] == category["name"]


# -- 7. note recipients include the author ----------------------------------------------------
def test_note_with_recipients_adds_the_author(session, make_session):
    made = make_hierarchy(session)
    other = session.create("User", {"username": unique("rcpt")})
    session.commit()
    author = session.query(f'User where username is "{session.api_user}"').one()
    note = made["task"].create_note("hello", author, recipients=[other])
    session.commit()
    recipients = make_session().query(
        f'select resource_id from Recipient where note_id is "{note["id"]}"'
    )
    assert sorted(r["resource_id"] for r in recipients) == sorted([other["id"], author["id"]])


# -- 8. many-to-many collections --------------------------------------------------------------
def _scope_ids(session: Any, entity_type: str, entity_id: str) -> List[str]:
    found = session.query(f'select scopes from {entity_type} where id is "{entity_id}"').one()
    return sorted(scope["id"] for scope in found["scopes"])


def test_task_scopes_are_writable_and_filterable(session, make_session):
    made = make_hierarchy(session)
    task, shot = made["task"], made["shot"]
    first, second, third = (session.create("Scope", {"name": unique("scope")}) for _ in range(3))
    task["scopes"].append(first)
    task["scopes"].append(second)
    session.create("Task", {"name": "born with a scope", "parent": shot, "scopes": [third]})
    made["project"]["scopes"].append(third)  # any context has scopes, projects too
    session.commit()
    fresh = make_session()
    assert _scope_ids(fresh, "Task", task["id"]) == sorted([first["id"], second["id"]])
    assert _scope_ids(fresh, "Project", made["project"]["id"]) == [third["id"]]
    # filters: through the collection's attributes, and with any (...)
    by_name = fresh.query(f'select scopes from Task where scopes.name is "{first["name"]}"').all()
    assert [t["id"] for t in by_name] == [task["id"]]
    assert [s["id"] for s in by_name[0]["scopes"]] == sorted([first["id"], second["id"]])
    either = f'Task where scopes any (name in ("{second["name"]}", "{third["name"]}"))'
    assert {t["name"] for t in fresh.query(either)} == {"compositing", "born with a scope"}
    assert not fresh.query(f'Task where scopes any (name is "{unique("none")}")').all()
    assert fresh.query(f'Shot where not scopes any () and id is "{shot["id"]}"').all()
    # remove one, then set the whole collection, each committed and read back
    task["scopes"].remove(first)
    session.commit()
    assert _scope_ids(make_session(), "Task", task["id"]) == [second["id"]]
    task["scopes"] = [first, third]
    session.commit()
    fresh = make_session()
    assert _scope_ids(fresh, "Task", task["id"]) == sorted([first["id"], third["id"]])
    assert not fresh.query(f'Task where scopes.id is "{second["id"]}"').all()
    # a deleted scope leaves every context it tagged
    session.delete(third)
    session.commit()
    assert _scope_ids(make_session(), "Task", task["id"]) == [first["id"]]


def test_scope_that_does_not_exist_is_refused_and_nothing_is_written(session, make_session):
    made = make_hierarchy(session)
    ghost = {"__entity_type__": "Scope", "id": str(uuid.uuid4())}
    update = {
        "action": "update",
        "entity_type": "Task",
        "entity_key": [made["task"]["id"]],
        "entity_data": {"__entity_type__": "Task", "scopes": [ghost], "name": "renamed"},
    }
    headers = {"ftrack-user": session.api_user, "ftrack-api-key": session.api_key}
    reply = requests.post(f"{session.server_url}/api", json=[update], headers=headers, timeout=30)
    assert reply.status_code < 500
    assert reply.json()["exception"] == "NotFoundError"
    assert "Scope" in reply.json()["content"]
    assert make_session().get("Task", made["task"]["id"])["name"] == "compositing"


def test_version_uses_versions_are_writable_and_filterable(session, make_session):
    made = make_hierarchy(session)
    other = session.create("AssetVersion", {"asset": made["asset"], "task": made["task"]})
    made["version"]["uses_versions"].append(other)
    session.commit()
    fresh = make_session()
    found = fresh.query(f'AssetVersion where uses_versions.id is "{other["id"]}"').all()
    assert [v["id"] for v in found] == [made["version"]["id"]]
    version = fresh.get("AssetVersion", made["version"]["id"])
    assert [v["id"] for v in version["uses_versions"]] == [other["id"]]
    # the same relation seen as ftrack's AssetVersionLink entities, from both ends
    assert [link["from_id"] for link in version["incoming_links"]] == [other["id"]]
    used_in = fresh.get("AssetVersion", other["id"])["used_in_versions"]
    assert [v["id"] for v in used_in] == [made["version"]["id"]]


# -- 9. encode_media creates its output components at once ------------------------------------
def test_encode_media_outputs_exist_right_after_the_call(session, tmp_path):
    made = make_hierarchy(session)
    image = still_image(tmp_path / "frame.png", "64x48")
    job = made["version"].encode_media(str(image))
    outputs = [o["component_id"] for o in json.loads(job["data"])["output"]]
    for component_id in outputs:
        assert session.get("Component", component_id) is not None
    # the files arrive when the job is done (waited for: no job left running for later tests)
    assert wait_job(session, job["id"])["status"] == "done"
    location = session.get("Location", SERVER_LOCATION_ID)
    for component_id in outputs:
        assert location.get_component_availability(session.get("Component", component_id)) == 100


# -- 10. thumbnails keep the original's format ------------------------------------------------
def test_sized_thumbnail_of_a_png_is_a_png(session, tmp_path):
    made = make_hierarchy(session)
    image = still_image(tmp_path / f"thumb-{uuid.uuid4().hex[:6]}.png", "160x90")
    thumbnail = made["version"].create_thumbnail(str(image))
    location = session.get("Location", SERVER_LOCATION_ID)
    url = location.get_thumbnail_url(session.get("FileComponent", thumbnail["id"]), size=40)
    reply = requests.get(url, timeout=30)
    assert reply.status_code == 200
    assert reply.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert reply.headers["content-type"] == "image/png"
    width = int.from_bytes(reply.content[16:20], "big")
    assert width == 40
