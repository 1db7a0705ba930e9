"""The dailies desk over HTTP, as a browser speaks to it (a sign-in cookie, the CSRF token):
a Supervisor of the artist's project (not an administrator) finds the session the artist's
publish made on the desk and builds it -- search, add, reorder, remove, rename, close and reopen,
invite, client rules, revoke, the room link, the audit trail and the export -- each write read
back through ``/api`` as ftrack's own rows. A plain User is refused every write to a private
session with the database unchanged; a write without the sign-in's CSRF token is refused;
without a sign-in the pages send to ``/`` and the JSON answers 403. SQLite, then PostgreSQL
with 4 workers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from typing import Any, Dict, List

import attr
import pytest
import requests
from support.insiders import Review, assert_unchanged, publication, review_of, snapshot
from support.trust import create, new_id, ok, query, update

from ft_dcc.server.desk.pages import FIRST_ITEMS
from server.signin.people import Signer, ft_dcc_user, new_signer, signed_in

pytest.importorskip("sqlalchemy")


@attr.s(auto_attribs=True)
class Desk:
    world: Any
    review: Review
    versions: List[str]  # the artist's three versions, the first already in the session
    supervisor: Signer
    browser: requests.Session
    csrf: str

    def post(self, path: str, body: Dict[str, Any], csrf: bool = True) -> requests.Response:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.browser.post(f"{self.world.url}{path}", json=body, headers=headers, timeout=60)

    def get(self, path: str) -> requests.Response:
        return self.browser.get(f"{self.world.url}{path}", timeout=60)


@pytest.fixture
def desk(trust_world: Any) -> Desk:
    world = trust_world
    review = review_of(world, world.alice, private=False)
    task = {k: review.published[k] for k in ("project", "shot", "task")}
    more = [publication(world, world.alice, task)["version"] for _ in range(2)]
    supervisor = new_signer(world, "sup")
    given = ft_dcc_user(world, "role", supervisor.name, "--role", "supervisor", "--project",
                        task["project"])  # fmt: skip
    assert given.returncode == 0, given.stderr
    browser, csrf = signed_in(world, supervisor)
    return Desk(world, review, [review.published["version"], *more], supervisor, browser, csrf)


def _items(desk: Desk) -> List[str]:
    rows = query(desk.world.server, "select version_id, sort_order from ReviewSessionObject "
                 f'where review_session_id is "{desk.review.session}"')  # fmt: skip
    return [r["version_id"] for r in sorted(rows, key=lambda r: r["sort_order"])]


def _ok(reply: requests.Response, status: int = 200) -> Dict[str, Any]:
    assert reply.status_code == status, reply.text[:1000]
    return reply.json()


def test_a_supervisor_builds_the_artists_session_on_the_desk(desk: Desk) -> None:
    world, session = desk.world, desk.review.session
    home = desk.get("/desk/")
    assert home.status_code == 200 and f'/desk/session/{session}"' in home.text
    assert "you manage its reviews" in home.text and "today" in home.text
    page = desk.get(f"/desk/session/{session}")
    assert page.status_code == 200 and 'data-manages="yes"' in page.text
    assert "sh010 / a" in page.text  # the first screen's items, labelled with their shot

    found = _ok(desk.get(f"/desk/api/project/{desk.review.published['project']}/versions"))
    assert sorted(v["version_id"] for v in found["versions"]) == sorted(desk.versions)
    one_asset = desk.get(f"/desk/api/project/{desk.review.published['project']}/versions?"
                         f"asset={desk.review.published['asset'][:6]}&shot=sh0")  # fmt: skip
    assert [v["version_id"] for v in _ok(one_asset)["versions"]] == desk.versions[:1]

    added = _ok(desk.post(f"/desk/api/session/{session}/add", {"version_ids": desk.versions}))
    assert len(added["added"]) == 2 and _items(desk) == desk.versions
    objects = [i["id"] for i in added["items"]]
    assert [i["label"].startswith("sh010 / a") for i in added["items"]] == [True] * 3

    _ok(desk.post(f"/desk/api/session/{session}/order", {"object_ids": objects[::-1]}))
    assert _items(desk) == desk.versions[::-1]
    _ok(desk.post(f"/desk/api/session/{session}/remove", {"object_ids": [objects[0]]}))
    assert _items(desk) == desk.versions[:0:-1]

    _ok(desk.post(f"/desk/api/session/{session}/rename", {"name": "Dailies wk49"}))
    _ok(desk.post(f"/desk/api/session/{session}/open", {"open": False}))
    [row] = query(world.server, f'select name, end_date from ReviewSession where id is "{session}"')
    assert row["name"] == "Dailies wk49" and row["end_date"] is not None
    closed = desk.post(f"/desk/api/session/{session}/add", {"version_ids": desk.versions[:1]})
    assert closed.status_code in (400, 403, 409), closed.text
    assert "closed" in closed.json()["error"], closed.text
    _ok(desk.post(f"/desk/api/session/{session}/open", {"open": True}))
    _client_rules(desk)
    _another_session(desk)
    _link_audit_export(desk)


def _client_rules(desk: Desk) -> None:
    """Invite, the rules (passphrase, window, downloads, watermark), revoke one and all."""
    world, session = desk.world, desk.review.session
    email = f"client-{uuid.uuid4().hex[:6]}@agency.example"
    invited = _ok(desk.post(f"/desk/api/session/{session}/invite",
                            {"people": [{"email": email, "name": "Cleo"}]}))  # fmt: skip
    [invitee] = [i for i in invited["invitees"] if i["email"] == email]
    # a User, picked from the desk's list of users with an e-mail (the session's view lists
    # them; a write's answer does not read them again)
    alice = world.alice
    assert "users" not in invited and "others" not in invited
    listed = _ok(desk.get(f"/desk/api/session/{session}"))["users"]
    assert {"id": alice.id, "name": "alice", "email": alice.email} in listed
    invited = _ok(desk.post(f"/desk/api/session/{session}/invite",
                            {"people": [{"user_id": alice.id}]}))  # fmt: skip
    assert alice.email in [i["email"] for i in invited["invitees"]]
    rules = {"passphrase": "four words are better", "downloads": "proxy", "watermark": True,
             "closes": "2099-01-05T18:00:00Z"}  # fmt: skip
    after = _ok(desk.post(f"/desk/api/session/{session}/rules", rules))["rules"]
    assert after["passphrase_enabled"] and after["downloads"] == "proxy" and after["watermark"]
    [row] = query(world.server, "select passphrase_enabled, end_date from ReviewSession "
                  f'where id is "{session}"')  # fmt: skip
    assert row["passphrase_enabled"] is True and "2099-01-05" in str(row["end_date"])
    settings = {r["name"]: r["value"] for r in query(
        world.server, f'select name, value from EntitySetting where parent_id is "{session}"')}
    assert settings["download_policy"] == "proxy" and settings["watermark"] == "true"

    _ok(desk.post(f"/desk/api/session/{session}/revoke", {"invitee_id": invitee["id"]}))
    _ok(desk.post(f"/desk/api/session/{session}/revoke", {}))
    settings = {r["name"] for r in query(
        world.server, f'select name from EntitySetting where parent_id is "{session}"')}
    assert {"links_revoked_at", f"invitee_links_revoked_at:{invitee['id']}"} <= settings


def _another_session(desk: Desk) -> None:
    """A session made on the desk is the Supervisor's, and lists the day's beside it."""
    world, session = desk.world, desk.review.session
    made = _ok(desk.post(f"/desk/api/project/{desk.review.published['project']}/sessions",
                         {"name": "Client wk49"}), 201)  # fmt: skip
    other = _ok(desk.get(f"/desk/api/session/{made['id']}"))
    assert other["others"] == [{"id": session, "name": "Dailies wk49"}], other["others"]
    copied = desk.get(f"/desk/api/project/{desk.review.published['project']}/versions?"
                      f"from={session}")  # fmt: skip
    assert [v["version_id"] for v in _ok(copied)["versions"]] == desk.versions[:0:-1]
    [row] = query(world.server, "select created_by_id from ReviewSession "
                  f'where id is "{made["id"]}"')  # fmt: skip
    assert row["created_by_id"] == desk.supervisor.user_id


def _link_audit_export(desk: Desk) -> None:
    session = desk.review.session
    link = _ok(desk.post(f"/desk/api/session/{session}/link", {}))["url"]
    assert f"/review/{session}?token=" in link
    acts = {e["act"] for e in _ok(desk.get(f"/desk/api/session/{session}/audit"))["entries"]}
    assert "link.revoked" in acts, acts
    items = _ok(desk.get(f"/desk/api/session/{session}"))["items"]
    _ok(desk.post(f"/desk/api/session/{session}/order", {"object_ids": [items[1]["id"],
                                                                        items[0]["id"]]}))
    items = _ok(desk.get(f"/desk/api/session/{session}"))["items"]
    labels = [i["label"] for i in items]
    _readable_audit(desk, labels)
    alice = desk.world.alice
    note = create("Note", content="=hold two frames", parent_id=items[1]["id"],
                  parent_type="ReviewSessionObject", user_id=alice.id)  # fmt: skip
    ok(desk.world.server, [note], **alice.auth)
    cleo = next(i for i in _ok(desk.get(f"/desk/api/session/{session}"))["invitees"]
                if i["name"] == "Cleo")  # fmt: skip
    verdict = create("ReviewSessionObjectStatus", id=new_id(), status="require_changes",
                     review_session_object_id=items[0]["id"],
                     review_session_invitee_id=cleo["id"])  # fmt: skip
    ok(desk.world.server, [verdict])
    exported = desk.get(f"/desk/session/{session}/export.csv")
    named = exported.headers["content-disposition"]
    assert exported.status_code == 200 and 'attachment; filename="Dailies wk49.csv"' in named
    assert "Changes requested" in exported.text and "require_changes" not in exported.text
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["item"] for r in rows] == labels and len(labels) == 2, (rows, labels)
    # a note as text: a spreadsheet never runs it as a formula
    assert [r["note"] for r in rows] == ["", "'=hold two frames"], rows
    assert [r["order"] for r in rows] == ["1", "2"] and all(r["shot"] == "sh010" for r in rows)
    # Cleo is a client: her verdict stands beside the studio's internal ones, not among them
    assert (rows[0]["verdicts"], rows[0]["client verdicts"]) == ("", "Cleo: Changes requested")


def _readable_audit(desk: Desk, labels: List[str]) -> None:
    """The desk's trail: a sentence per act by name, local time to the second, the desk's own
    edits in it; filtered by person and by act; as CSV named after the session."""
    session, sup = desk.review.session, desk.supervisor
    trail = _ok(desk.get(f"/desk/api/session/{session}/audit"))
    said = [e["sentence"] for e in trail["entries"]]
    assert f"{sup.name} moved {labels[0]} to first" in said, said
    assert f"{sup.name} reordered the versions" in said, said  # three at once: no one move
    added = [s for s in said if s.startswith(f"{sup.name} added sh010 / a")]
    assert len(added) == 2 and any(s.startswith(f"{sup.name} removed sh010 / a") for s in said)
    assert f"{sup.name} closed the session" in said
    assert f"{sup.name} revoked every client link" in said
    assert any(s.startswith(f"{sup.name} invited Cleo") for s in said), said
    assert not any("user:" in s or "{" in s for s in said), said
    for entry in trail["entries"]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d( \S+)?", entry["time"]), entry
    assert {"who": f"user:{sup.user_id}", "name": sup.name} in trail["people"]
    moves = _ok(desk.get(f"/desk/api/session/{session}/audit?act=version.moved"))["entries"]
    assert [e["act"] for e in moves] == ["version.moved"] * 2
    theirs = _ok(desk.get(f"/desk/api/session/{session}/audit?who=user:{desk.world.alice.id}"))
    assert all(e["who"] == f"user:{desk.world.alice.id}" for e in theirs["entries"])
    bad = desk.get(f"/desk/api/session/{session}/audit?act=drop.tables")
    assert bad.status_code == 400 and "version.moved" in bad.json()["error"]
    sheet = desk.get(f"/desk/session/{session}/audit.csv?act=version.moved")
    assert sheet.status_code == 200, sheet.text[:300]
    assert 'filename="Dailies wk49 audit trail.csv"' in sheet.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert [r["what happened"] for r in rows] == [e["sentence"] for e in moves], rows
    assert {r["act"] for r in rows} == {"Moved a version"} and rows[0]["person"] == sup.name


def test_private_sessions_and_todays_dailies_on_the_desk(desk: Desk) -> None:
    """Created private on the desk (no room link), made not private and private again; the
    day's dailies are "today" by their date (not the day they were made) and listed first."""
    world, project = desk.world, desk.review.published["project"]
    made = _ok(desk.post(f"/desk/api/project/{project}/sessions",
                         {"name": "Client wk50", "private": True}), 201)  # fmt: skip
    [row] = query(world.server, "select shareable_url_enabled from ReviewSession "
                  f'where id is "{made["id"]}"')  # fmt: skip
    assert row["shareable_url_enabled"] is False
    opened = _ok(desk.post(f"/desk/api/session/{made['id']}/private", {"private": False}))
    assert opened["session"]["private"] is False
    again = _ok(desk.post(f"/desk/api/session/{made['id']}/private", {"private": True}))
    assert again["session"]["private"] is True
    [row] = query(world.server, "select shareable_url_enabled from ReviewSession "
                  f'where id is "{made["id"]}"')  # fmt: skip
    assert row["shareable_url_enabled"] is False
    said = [e["sentence"] for e in
            _ok(desk.get(f"/desk/api/session/{made['id']}/audit"))["entries"]]  # fmt: skip
    assert said[-2:] == [f"{desk.supervisor.name} made the session not private (its room link "
                         "opens it)", f"{desk.supervisor.name} made the session private"], said
    refused = desk.post(f"/desk/api/session/{made['id']}/private", {"private": "yes"})
    assert refused.status_code == 400 and "private" in refused.json()["error"]
    # the client opens her link: the trail says so by her name
    invited = _ok(desk.post(f"/desk/api/session/{made['id']}/invite",
                            {"people": [{"email": "cleo@agency.example", "name": "Cleo Client"}]}))
    [cleo] = invited["invitees"]
    link = _ok(desk.post(f"/desk/api/session/{made['id']}/invitee_link",
                         {"invitee_id": cleo["id"]}))["url"]  # fmt: skip
    assert requests.get(link, timeout=60).status_code == 200
    said = [e["sentence"] for e in
            _ok(desk.get(f"/desk/api/session/{made['id']}/audit"))["entries"]]  # fmt: skip
    assert f"{desk.supervisor.name} invited Cleo Client" in said, said
    assert said[-1] == "Cleo Client opened the link", said

    today = dt.datetime.now().date()
    yesterday = today - dt.timedelta(days=1)
    for name in (f"Dailies {yesterday}", f"Dailies {today}", "Look dev wk50"):
        _ok(desk.post(f"/desk/api/project/{project}/sessions", {"name": name}), 201)
    listed = _ok(desk.get(f"/desk/api/sessions?project={project}"))["sessions"]
    names = [s["name"] for s in listed]
    assert names[0] == f"Dailies {today}", names  # today's open dailies first
    badge = {s["name"]: s["today"] for s in listed}
    assert badge[f"Dailies {today}"] and not badge[f"Dailies {yesterday}"]  # made today
    assert names.index(f"Dailies {today}") < names.index("Look dev wk50")
    # the pages follow the sessions they list by id: only those are read, however many there are
    two = [listed[0]["id"], listed[-1]["id"]]
    followed = _ok(desk.get(f"/desk/api/sessions?ids={','.join(two)}"))["sessions"]
    assert sorted(s["id"] for s in followed) == sorted(two)
    assert desk.get("/desk/api/sessions?ids=..%2Fetc").status_code == 404


def test_refusals_leave_the_session_as_it_was(desk: Desk) -> None:
    world, session = desk.world, desk.review.session
    # private: a plain User may not even add to it (to an open one they may: the rights table)
    ok(world.server, [update("ReviewSession", session, shareable_url_enabled=False)])
    plain = new_signer(world, "plain")
    browser, csrf = signed_in(world, plain)
    before = snapshot(world)
    writes = [("add", {"version_ids": desk.versions[1:]}),
              ("order", {"object_ids": [desk.review.item]}),
              ("remove", {"object_ids": [desk.review.item]}), ("rename", {"name": "Mine"}),
              ("open", {"open": False}), ("invite", {"people": ["x@agency.example"]}),
              ("rules", {"downloads": "original"}), ("revoke", {})]  # fmt: skip
    for verb, body in writes:
        reply = browser.post(f"{world.url}/desk/api/session/{session}/{verb}", json=body,
                             headers={"X-CSRF-Token": csrf}, timeout=60)  # fmt: skip
        assert reply.status_code == 403, (verb, reply.status_code, reply.text[:500])
        assert "administrator" in reply.json()["error"], (verb, reply.text[:500])
        # the same write by the Supervisor without the CSRF token
        forged = desk.post(f"/desk/api/session/{session}/{verb}", body, csrf=False)
        assert forged.status_code == 403 and "CSRF" in forged.json()["error"], verb
    audit = browser.get(f"{world.url}/desk/api/session/{session}/audit", timeout=60)
    assert audit.status_code == 403
    page = browser.get(f"{world.url}/desk/session/{session}", timeout=60)
    assert page.status_code == 200 and 'data-manages="no"' in page.text
    # one who may only watch is offered Open, never Present (its link is hidden)
    assert f'href="/signin/review/{session}"' in page.text and " hidden>Present</a>" in page.text
    assert_unchanged(world, before)

    stranger = requests.Session()
    went = stranger.get(f"{world.url}/desk/", headers={"Accept": "text/html"},
                        allow_redirects=False, timeout=60)  # fmt: skip
    assert went.status_code == 303 and went.headers["location"] == "/"
    api = stranger.get(f"{world.url}/desk/api/session/{session}", timeout=60)
    assert api.status_code == 403 and "sign in" in api.json()["error"]
    for bad in ("/desk/session/..%2f", "/desk/session/no such", "/desk/api/session/x/explode"):
        reply = desk.browser.get(world.url + bad, timeout=60)
        assert reply.status_code < 500, (bad, reply.status_code)
    deep = "[" * 5000 + "]" * 5000
    for who, headers, status in ((stranger, {}, 403), (desk.browser, {"X-CSRF-Token": desk.csrf},
                                                       400)):  # fmt: skip
        reply = who.post(f"{world.url}/desk/api/session/{session}/add", data=deep,
                         headers=dict(headers, **{"Content-Type": "application/json"}),
                         timeout=60)  # fmt: skip
        assert reply.status_code == status, (status, reply.text[:300])
    nonsense = desk.post(f"/desk/api/session/{session}/add", {"version_ids": "all"})
    assert nonsense.status_code == 400 and "list" in nonsense.json()["error"]


def test_a_closed_session_keeps_its_items_on_the_desk(desk: Desk) -> None:
    """The Supervisor may neither add to nor take out of a closed session on the desk: a 4xx
    saying it is closed and to reopen it, nothing written."""
    world, session = desk.world, desk.review.session
    past = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).isoformat()
    ok(world.server, [update("ReviewSession", session, end_date=past)])
    before = snapshot(world)
    for verb, body in (("remove", {"object_ids": [desk.review.item]}),
                       ("add", {"version_ids": desk.versions[1:]})):  # fmt: skip
        reply = desk.post(f"/desk/api/session/{session}/{verb}", body)
        assert 400 <= reply.status_code < 500, (verb, reply.status_code, reply.text[:500])
        error = reply.json()["error"]
        assert "is closed" in error and "Reopen" in error, (verb, error)
    assert_unchanged(world, before)


def test_the_page_holds_the_first_screen_and_the_json_the_rest(desk: Desk) -> None:
    world, session = desk.world, desk.review.session
    asset = desk.review.published["asset"]
    made = [create("AssetVersion", id=new_id(), asset_id=asset, version=n + 10,
                   task_id=desk.review.published["task"]) for n in range(45)]  # fmt: skip
    ok(world.server, made, **world.alice.auth)
    versions = [m["entity_key"][0] for m in made]
    _ok(desk.post(f"/desk/api/session/{session}/add", {"version_ids": versions}))
    page = desk.get(f"/desk/session/{session}")
    assert page.text.count('<li class="item"') == FIRST_ITEMS, page.text.count('<li class="item"')
    assert "Versions <span class=\"count\">(46)</span>" in page.text
    full = _ok(desk.get(f"/desk/api/session/{session}"))
    assert len(full["items"]) == full["total"] == 46
    assert [i["version"]["number"] for i in full["items"][1:]] == list(range(10, 55))
