"""``ft-dcc review open NAME``: the owner's own way into their session's page (a personal link
made with their API key), beside ``ft-dcc review link NAME`` (the room's shared link), over a
real ``ft-dcc`` process and HTTP against the embedded server."""

from __future__ import annotations

import uuid
from typing import Any, Dict

from review.test_review_commands import env, fails, ft_dcc, new_project, ok, session  # noqa: F401
from web.feedback_fixtures import Page


def presenter_you(page: Page) -> Dict[str, Any]:
    response = page.get("/presenter")
    assert response.status_code == 200, response.text
    return response.json()["you"]


def test_open_prints_the_owners_own_link_and_link_the_rooms(
    env: Dict[str, str],  # noqa: F811 - the fixtures imported above
    session: Any,  # noqa: F811
) -> None:
    project = new_project(session)
    name = f"Owner {uuid.uuid4().hex[:6]}"
    ok(env, "create", name, "--project", project["name"])

    out = ok(env, "open", name, "--project", project["name"], "--minutes", "5")
    url = out.splitlines()[0]
    assert "/review/" in url and env["FTRACK_API_KEY"] not in out
    assert "do not share it" in out
    own = Page(url)
    me = presenter_you(own)
    assert me["manager"] is True and me["may_present"] is True and me["key"].startswith("u:")
    assert own.feedback()["me"] is not None  # the owner is not asked who they are

    room = Page(ok(env, "link", name, "--project", project["name"]).strip())
    you = presenter_you(room)
    assert you["manager"] is False and you["may_present"] is False and you["candidates"] == []
    assert room.feedback()["me"] is None

    for minutes in ("0", "721", "soon"):
        refused = fails_usage(env, "open", name, "--minutes", minutes)
        assert "1 to 720" in refused


def fails_usage(environment: Dict[str, str], *args: str) -> str:
    done = ft_dcc(environment, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    return done.stderr


def test_open_an_unknown_session_says_which_exist(
    env: Dict[str, str],  # noqa: F811
    session: Any,  # noqa: F811
) -> None:
    project = new_project(session)
    ok(env, "create", "Known", "--project", project["name"])
    message = fails(env, "open", "Unknwn", "--project", project["name"])
    assert "no review session is called 'Unknwn'" in message
