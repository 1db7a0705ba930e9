"""ftrack's JavaScript client against the embedded server: session start, queries in both quote
styles (and the client's own escaping), search, create / update / delete, review entities."""

from __future__ import annotations

import uuid

import pytest
from js_helpers import first_id, make_hierarchy

pytestmark = pytest.mark.jsclient


def test_session_starts_with_server_information_and_schemas(js) -> None:
    started = js.run("session", options={})
    assert started["schemas"] > 50
    assert started["serverVersion"]


def test_create_update_delete(js) -> None:
    made = make_hierarchy(js)
    js.call("update", "Shot", [made["shot"]], {"name": "sh020", "description": "renamed"})
    shot = js.call("query", f"select name, description from Shot where id is {made['shot']}")
    assert [(s["name"], s["description"]) for s in shot["data"]] == [("sh020", "renamed")]

    js.call("delete", "AssetVersion", [made["version"]])
    gone = js.call("query", f"select id from AssetVersion where id is {made['version']}")
    assert gone["data"] == []


def test_queries_in_both_quote_styles_and_the_clients_escaping(js) -> None:
    made = make_hierarchy(js)
    description = 'O\'Brien said "hi"'
    js.call("update", "Shot", [made["shot"]], {"description": description})
    # the client's `expression` tag escapes both quotes with a backslash
    condition = js.run("expression", literals=['description is "', '"'], values=[description])
    assert condition == r'description is "O\'Brien said \"hi\""'
    scope = f"select id, description from Shot where project_id is {made['project']} and "
    for text in (condition, "name is 'sh010'", 'name is "sh010"', "name in ('sh010')"):
        found = js.call("query", scope + text)["data"]
        assert [s["id"] for s in found] == [made["shot"]], text
        assert found[0]["description"] == description


def test_search_finds_by_terms_within_a_context(js) -> None:
    made = make_hierarchy(js)
    other = make_hierarchy(js)
    marker = f"zebra{uuid.uuid4().hex[:6]}"
    for ids in (made, other):
        js.call("update", "Shot", [ids["shot"]], {"description": f"a {marker} crossing"})
    found = js.call("search", {"expression": "select id, name from Shot", "entityType": "Shot",
                               "terms": [marker], "contextId": made["project"]})  # fmt: skip
    assert [s["id"] for s in found["data"]] == [made["shot"]]
    everywhere = js.call("search", {"expression": "select id from Shot", "entityType": "Shot",
                                    "terms": [marker]})  # fmt: skip
    assert {s["id"] for s in everywhere["data"]} == {made["shot"], other["shot"]}
    nothing = js.call("search", {"expression": "select id from Shot", "entityType": "Shot",
                                 "terms": [marker, "nosuchword"]})  # fmt: skip
    assert nothing["data"] == []


def test_review_session_object_and_invitee(js) -> None:
    made = make_hierarchy(js)
    review, item, invitee = (str(uuid.uuid4()) for _ in range(3))
    js.call("create", "ReviewSession", {"id": review, "name": "js daily", "description": "",
                                        "project_id": made["project"]})  # fmt: skip
    js.call("create", "ReviewSessionObject", {
        "id": item, "name": "sh010", "description": "", "version": "v001",
        "review_session_id": review, "version_id": made["version"]})  # fmt: skip
    js.call("create", "ReviewSessionInvitee", {"id": invitee, "name": "Client",
            "email": "client@example.com", "review_session_id": review})  # fmt: skip
    objects = js.call("query", "select name, asset_version.id, review_session.name from "
                      f"ReviewSessionObject where review_session_id is '{review}'")  # fmt: skip
    objects = objects["data"]
    assert [(o["id"], o["asset_version"]["id"]) for o in objects] == [(item, made["version"])]
    assert objects[0]["review_session"]["name"] == "js daily"
    assert first_id(js, f"ReviewSessionInvitee where review_session.id is {review}") == invitee
