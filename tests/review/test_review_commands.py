"""``ft-dcc review ...`` as a user runs it (real subprocesses) against the real embedded server,
with its bad inputs: unknown, misspelt, ambiguous and closed sessions, invalid e-mails."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
import requests
from support import open_session
from support.cli import run_ft_dcc
from support.feedback import seed_feedback
from support.trust import server_with_env

from ft_dcc.review import sessions as review


def ft_dcc(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_ft_dcc(["review", *args], env=dict(os.environ, **env), timeout=120)


def ok(env: Dict[str, str], *args: str) -> str:
    done = ft_dcc(env, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def fails(env: Dict[str, str], *args: str) -> str:
    done = ft_dcc(env, *args)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


@pytest.fixture
def env(embedded_server: Any, tmp_path: Path) -> Dict[str, str]:
    return dict(embedded_server.env, FTRACK_API_SCHEMA_CACHE_PATH=str(tmp_path / "schemas"))


@pytest.fixture
def session(embedded_server: Any, tmp_path: Path) -> Any:
    with open_session(embedded_server, tmp_path) as opened:
        yield opened


def new_project(session: Any) -> Any:
    name = f"rc{uuid.uuid4().hex[:8]}"
    schema = session.query("ProjectSchema").first()
    project = session.create("Project", {"name": name, "full_name": name, "project_schema": schema})
    session.commit()
    return project


def test_a_misspelt_name_is_named_among_sessions_with_long_descriptions(tmp_path: Path) -> None:
    """The near-miss search reads the sessions' names only: on a server holding many sessions
    with long descriptions (a year of dailies), the names fit in one reply where whole sessions
    do not (the close of a misspelt name failed with the server's reply-size refusal)."""
    limit = {"FT_DCC_MAX_REPLY_BYTES": str(1024 * 1024)}  # the schemas' reply fits
    with server_with_env(tmp_path / "server", limit) as server:
        with open_session(server, tmp_path) as session:
            project = new_project(session)
            for day in range(40):  # 40 x 60,000 characters of description: past the limit
                session.create("ReviewSession", {
                    "name": f"Dailies day {day:03d}", "project_id": project["id"],
                    "description": "notes " * 10_000,
                })  # fmt: skip
                if day % 5 == 4:  # each commit's reply under the limit
                    session.commit()
        env = dict(server.env, FTRACK_API_SCHEMA_CACHE_PATH=str(tmp_path / "schemas"))
        error = fails(env, "close", "Dailies dya 017")
    assert "no review session is called 'Dailies dya 017'" in error, error
    assert "'Dailies day 017'" in error, error


def test_create_list_close_reopen(env: Dict[str, str], session: Any) -> None:
    project = new_project(session)
    out = ok(env, "create", "Lighting wk48", "--project", project["name"], "--description", "wk")
    assert "Created review session 'Lighting wk48'" in out
    assert "/review/" in out and "token=" in out and env["FTRACK_API_KEY"] not in out
    again = fails(env, "create", "Lighting wk48", "--project", project["name"])
    assert "already has a review session called 'Lighting wk48'" in again

    private = ok(env, "create", "Client", "--project", project["name"], "--private")
    assert "Created private review session 'Client'" in private
    stored = review.find_review_session(session, project, "Client")
    flag = session.query(
        f'select shareable_url_enabled from ReviewSession where id is "{stored["id"]}"'
    )
    assert flag.one()["shareable_url_enabled"] is False

    rows = json.loads(ok(env, "list", "--project", project["name"], "--json"))
    assert {(r["name"], r["open"], r["private"]) for r in rows} == {
        ("Lighting wk48", True, False),
        ("Client", True, True),
    }
    assert "Closed review session 'Lighting wk48'" in ok(
        env, "close", "Lighting wk48", "--project", project["name"]
    )
    assert "already closed" in ok(env, "close", "Lighting wk48", "--project", project["name"])
    listed = ok(env, "list", "--project", project["name"])
    lines = [line for line in listed.splitlines() if line.strip()]
    assert lines[0].startswith("Client") and "private, 0 version(s), open until" in lines[0]
    assert lines[1].startswith("Lighting wk48") and "closed on" in lines[1]  # open ones first
    assert "Reopened review session 'Lighting wk48'" in ok(
        env, "reopen", "Lighting wk48", "--project", project["name"]
    )
    assert review.is_open(review.find_review_session(session, project, "Lighting wk48"))


def test_unknown_misspelt_and_ambiguous_names(env: Dict[str, str], session: Any) -> None:
    first, second = new_project(session), new_project(session)
    shared = f"Dailies {uuid.uuid4().hex[:6]}"
    for project in (first, second):
        review.find_or_create_review_session(session, project, shared)
    misspelt = shared.replace("Dailies", "Dailes")
    error = fails(env, "close", misspelt)
    assert f"no review session is called {misspelt!r}" in error
    assert f"did you mean {shared!r}?" in error
    unknown = fails(env, "feedback", "Nothing like it at all")
    assert "no review session is called 'Nothing like it at all'" in unknown
    assert "ft-dcc review list" in unknown
    ambiguous = fails(env, "close", shared)
    assert f"2 review sessions are called {shared!r}" in ambiguous and "--project" in ambiguous
    assert first["name"] in ambiguous and second["name"] in ambiguous
    ok(env, "close", shared, "--project", second["name"])  # --project picks one
    assert review.is_open(review.find_review_session(session, first, shared))
    assert not review.is_open(review.find_review_session(session, second, shared))
    assert "no project is called 'nope'" in fails(env, "list", "--project", "nope")


def test_create_without_project_when_there_are_several(env: Dict[str, str], session: Any) -> None:
    new_project(session), new_project(session)
    error = fails(env, "create", "Orphan")
    assert "which project is the review session for?" in error and "--project" in error
    assert "a review session needs a name" in fails(env, "create", " ", "--project", "x")


def test_invite_validates_emails_and_refuses_closed_sessions(
    env: Dict[str, str], session: Any
) -> None:
    project = new_project(session)
    target = review.find_or_create_review_session(session, project, "Invites")
    error = fails(
        env, "invite", "Invites", "ana@studio.com", "bob at studio", "--project", project["name"]
    )
    assert "not a valid e-mail address: 'bob at studio'" in error
    invitees = f'select email from ReviewSessionInvitee where review_session_id is "{target["id"]}"'
    assert session.query(invitees).all() == []  # a typo writes nothing, not even the good ones
    out = ok(
        env, "invite", "Invites", "ana@studio.com", "Bob@Studio.com", "--project", project["name"]
    )
    assert "Invited ana@studio.com" in out and "Invited Bob@Studio.com" in out
    ok(env, "invite", "Invites", "bob@studio.com", "--project", project["name"])  # idempotent
    emails = sorted(i["email"] for i in session.query(invitees).all())
    assert emails == ["Bob@Studio.com", "ana@studio.com"]
    review.close_review_session(session, target)
    closed = fails(env, "invite", "Invites", "cy@studio.com", "--project", project["name"])
    assert "review session 'Invites' is closed: cannot invite" in closed and "reopen" in closed


def test_links_open_the_pages(env: Dict[str, str], session: Any) -> None:
    project = new_project(session)
    review.find_or_create_review_session(session, project, "Links")
    listing = ok(env, "link").strip()
    assert "/review/?token=" in listing and env["FTRACK_API_KEY"] not in listing
    page = requests.get(listing, timeout=30)  # the shared server's sessions listed with it
    assert page.status_code == 200 and "Links" in page.text, (page.status_code, page.text[:2000])
    one = ok(env, "link", "Links", "--project", project["name"]).strip()
    opened = requests.get(one, timeout=30)
    assert opened.status_code == 200, (opened.status_code, opened.text[:2000])
    error = fails(env, "link", "Links", "--project", project["name"], "--invitee", "zed@x.com")
    assert "zed@x.com is not invited to 'Links'" in error and "ft-dcc review invite" in error
    assert "--invitee needs the session's NAME" in fails(env, "link", "--invitee", "a@b.com")


def test_an_invitee_link_acts_as_that_invitee(env: Dict[str, str], session: Any) -> None:
    project = new_project(session)
    ok(env, "create", "Client cut", "--project", project["name"], "--private")
    ok(env, "invite", "Client cut", "ana@studio.com", "--project", project["name"])
    link = ok(
        env, "link", "Client cut", "--invitee", "ANA@studio.com", "--project", project["name"]
    )
    link = link.strip()
    assert "token=" in link and env["FTRACK_API_KEY"] not in link
    assert requests.get(link, timeout=30).status_code == 200  # private: an invitee's link opens
    page, token = link.split("?token=")
    me = requests.get(f"{page}/feedback", params={"token": token}, timeout=30).json()["me"]
    assert me["email"] == "ana@studio.com"


def test_feedback_lists_notes_frames_drawings_replies_and_statuses(
    env: Dict[str, str], session: Any, artifacts_dir: Path
) -> None:
    project = new_project(session)
    drawing_id = seed_feedback(session, project)["drawing_id"]
    data = json.loads(ok(env, "feedback", "Feedback", "--project", project["name"], "--json"))
    assert data["review_session"] == "Feedback"
    v001, v002 = data["versions"]
    assert [(v["asset"], v["version"]) for v in (v001, v002)] == [
        ("sh010_anim", 1),
        ("sh010_anim", 2),
    ]
    assert [(n["content"], n["frame"]) for n in v001["notes"]] == [("old take", 1001)]
    arm, arc = v002["notes"]  # oldest first
    assert (arm["content"], arm["frame"], arm["author"]) == ("arm pops here", 1010, "Ana Lee")
    assert arm["author_email"] == "ana@studio.com" and arm["drawings"] == []
    assert [(r["content"], r["frame"]) for r in arm["replies"]] == [
        ("fixed in the next take", None)
    ]
    assert (arc["content"], arc["frame"], arc["author"]) == ("nice arc, keep it", 1003, "Bob")
    [drawing] = arc["drawings"]  # a signed URL that opens in a browser (no key in it)
    assert drawing.startswith(f"{env['FTRACK_SERVER']}/component/get?id={drawing_id}&token=")
    statuses = {(s["reviewer"], s["email"], s["status"]) for s in v002["statuses"]}
    assert statuses == {
        ("Ana Lee", "ana@studio.com", "approved"),
        ("bob", "bob@studio.com", "require_changes"),
    }
    assert v001["statuses"] == []
    text = ok(env, "feedback", "Feedback", "--project", project["name"])
    (artifacts_dir / "cli-review-feedback.txt").write_text(text, encoding="utf-8")  # to read
    assert "sh010_anim v001" in text and "sh010_anim v002" in text
    assert "[frame 1010] Ana Lee: arm pops here" in text
    assert "Approved: Ana Lee <ana@studio.com>" in text
    assert "Changes requested: bob <bob@studio.com>" in text
    assert f"drawing: {env['FTRACK_SERVER']}/component/get?id={drawing_id}&token=" in text
    assert "> [no frame]" in text and "fixed in the next take" in text


def test_every_command_that_writes_says_which_server_it_wrote_to(
    env: Dict[str, str], session: Any
) -> None:
    """create, close, reopen and invite each name the server they wrote to (a TD with two
    servers configured sees at once which one took the change)."""
    project = new_project(session)
    server = env["FTRACK_SERVER"].rstrip("/")
    name = f"Where {uuid.uuid4().hex[:6]}"
    writes = [
        ("create", name, "--project", project["name"]),
        ("invite", name, "ana@studio.com"),
        ("close", name),
        ("reopen", name),
    ]
    for command in writes:
        out = ok(env, *command)
        assert f"written to the ftrack server at {server}" in out, (command, out)
