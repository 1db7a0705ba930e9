"""Security roles on the real embedded server: no user can act as another."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any, Dict, Iterator

import pytest
import requests
from support.cli import run_ft_dcc
from support.trust import (
    add_api_user,
    call,
    create,
    delete,
    make_task,
    ok,
    publish,
    query,
    refused,
    start_server,
    update,
    user_id_of,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    running = start_server(tmp_path_factory.mktemp("permissions"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def bob(server: Any) -> Dict[str, str]:
    user_id, key = add_api_user(server, "bob")
    return {"id": user_id, "user": "bob", "key": key}


def as_bob(bob: Dict[str, str]) -> Dict[str, str]:
    return {"user": bob["user"], "key": bob["key"]}


def reset_key(user_id: str) -> Dict[str, Any]:
    return {
        "action": "reset_remote",
        "reset_type": "api_key",
        "entity_type": "User",
        "entity_key": [user_id],
    }


def role_names(server: Any, username: str) -> set:
    rows = query(
        server,
        f'select security_role.name from UserSecurityRole where user.username is "{username}"',
    )
    return {row["security_role"]["name"] for row in rows}


def test_a_user_cannot_reset_another_users_key(server: Any, bob: Dict[str, str]) -> None:
    admin_id = user_id_of(server, server.api_user)
    response = call(server, [reset_key(admin_id)], **as_bob(bob))
    body = refused(response, 403, "PermissionError")
    assert "only reset your own API key" in body["content"] and "administrator" in body["content"]
    assert "api_key" not in response.text
    ok(server, [{"action": "query_server_information"}])  # the victim's key still works
    # resetting one's own key is allowed (and the old key stops working)
    new_key = ok(server, [reset_key(bob["id"])], **as_bob(bob))[0]["data"]["api_key"]
    refused(
        call(server, [{"action": "query_schemas"}], **as_bob(bob)), 401, "InvalidCredentialsError"
    )
    bob["key"] = new_key
    ok(server, [{"action": "query_server_information"}], **as_bob(bob))


@pytest.mark.parametrize(
    "operation",
    [
        lambda ids: create("User", username="mallory"),
        lambda ids: update("User", ids["admin"], username="taken-over"),
        lambda ids: update("User", ids["bob"], is_active=True, username="bobby"),
        lambda ids: create("UserSecurityRole", user_id=ids["bob"], security_role_id=ids["role"]),
        lambda ids: create("Location", name="studio.disk"),
        lambda ids: create("AssetType", name="Sneaky", short="sneaky"),
        lambda ids: update("Status", ids["status"], name="Hijacked"),
        lambda ids: delete("Type", ids["type"]),
        lambda ids: {"action": "send_user_invite", "user_id": ids["admin"]},
    ],
    ids=[
        "create-user", "rename-admin", "own-username", "grant-admin-role", "create-location",
        "create-asset-type", "rename-status", "delete-type", "invite-user",
    ],
)  # fmt: skip
def test_only_an_administrator_manages_users_locations_types_and_statuses(
    server: Any, bob: Dict[str, str], operation: Any
) -> None:
    ids = {
        "admin": user_id_of(server, server.api_user),
        "bob": bob["id"],
        "role": query(server, 'select id from SecurityRole where name is "Administrator"')[0]["id"],
        "status": query(server, "select id from Status")[0]["id"],
        "type": query(server, "select id from Type")[0]["id"],
    }
    before = query(server, "select id, username, is_active from User")
    body = refused(call(server, [operation(ids)], **as_bob(bob)), 403, "PermissionError")
    assert "administrator" in body["content"]
    assert query(server, "select id, username, is_active from User") == before
    assert "Administrator" not in role_names(server, "bob")


def test_users_may_edit_their_own_name(server: Any, bob: Dict[str, str]) -> None:
    ok(server, [update("User", bob["id"], first_name="Bob", last_name="Builder")], **as_bob(bob))
    row = query(server, f'select first_name from User where id is "{bob["id"]}"')[0]
    assert row["first_name"] == "Bob"
    # an administrator manages everything
    ok(server, [create("Location", name="studio.disk"), create("AssetType", name="A", short="a")])


def test_removing_committed_media_needs_the_right_to_delete_it(
    server: Any, bob: Dict[str, str]
) -> None:
    task = make_task(server)
    theirs = publish(server, task)  # published by the administrator
    url = f"{server.url}/component/remove"
    response = requests.get(
        url, params={"id": theirs["component"], "username": "bob", "apiKey": bob["key"]}, timeout=30
    )
    refused(response, 403, "PermissionError")
    got = requests.get(
        f"{server.url}/component/get",
        params={"id": theirs["component"], "username": "bob", "apiKey": bob["key"]},
        timeout=30,
    )
    assert got.status_code == 200 and got.content == b"movie-bytes" * 100
    for operation in (delete("FileComponent", theirs["component"]),
                      delete("AssetVersion", theirs["version"]),
                      delete("Asset", theirs["asset"])):  # fmt: skip
        refused(call(server, [operation], **as_bob(bob)), 403, "PermissionError")
    assert query(server, f'select id from Component where id is "{theirs["component"]}"')
    # what bob published himself, he may remove
    mine = publish(server, task, **as_bob(bob))
    ok(server, [delete("FileComponent", mine["component"])], **as_bob(bob))
    # the stored file went with its component; removing it again is allowed
    assert not (server.data_dir / "files" / mine["component"]).exists()
    response = requests.get(
        url, params={"id": mine["component"], "username": "bob", "apiKey": bob["key"]}, timeout=30
    )
    assert response.status_code == 200 and response.json()["removed"] is False


def test_the_first_user_is_an_administrator_and_user_add_admin_makes_one(server: Any) -> None:
    assert role_names(server, server.api_user) == {"Administrator"}

    def user_add(*args: str) -> str:
        done = run_ft_dcc(["user", "add", *args, "--data", server.data_dir], timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "User)" in user_add("carol")
    assert "Administrator)" in user_add("dave", "--admin")
    assert role_names(server, "carol") == {"User"}
    assert "Administrator" in role_names(server, "dave")


def test_review_links_stay_in_their_session_and_die_with_their_user(server: Any) -> None:
    eve_id, eve_key = add_api_user(server, "eve")
    task = make_task(server)
    sessions = [create("ReviewSession", name=f"Dailies {n}", project_id=task["project"])
                for n in (1, 2)]  # fmt: skip
    ok(server, sessions)
    first, second = (s["entity_key"][0] for s in sessions)
    widget = {"action": "get_widget_url", "name": "review_session",
              "entity_type": "ReviewSession", "entity_key": [first]}  # fmt: skip
    link = ok(server, [widget], user="eve", key=eve_key)[0]["widget_url"]
    token = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)["token"][0]
    assert requests.get(f"{server.url}/review/{first}", params={"token": token}).status_code == 200
    for path in (f"/review/{second}", f"/review/{second}/notes", "/review/"):
        assert requests.get(server.url + path, params={"token": token}).status_code == 403
    # deleting the user revokes their key at once, and their review links with it
    ok(server, [delete("User", eve_id)])
    refused(call(server, [{"action": "query_schemas"}], user="eve", key=eve_key), 401,
            "InvalidCredentialsError")  # fmt: skip
    assert requests.get(f"{server.url}/review/{first}", params={"token": token}).status_code == 403


def test_the_client_raises_a_permission_error_that_says_what_to_do(
    server: Any, bob: Dict[str, str], tmp_path: Any
) -> None:
    from ft_dcc.exceptions import PermissionDeniedError
    from ft_dcc.session import Session

    session = Session(
        server_url=server.url, api_user="bob", api_key=bob["key"],
        schema_cache_path=str(tmp_path), plugin_paths=[],
    )  # fmt: skip
    try:
        with pytest.raises(PermissionDeniedError) as caught:
            session.call([reset_key(user_id_of(server, server.api_user))])
    finally:
        session.close()
    assert re.search(r"ask an administrator", str(caught.value))
    assert caught.value.exception == "PermissionError"
