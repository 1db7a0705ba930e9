"""The desk's cut upload over HTTP, as the desk's script sends it (a sign-in cookie, the CSRF
token, the file as the body): a Supervisor of the project (not an administrator, not the owner)
uploads an EDL written by hand on the project's page, then OTIO's own .otio and FCP 7 XML -- a
session in cut order each, each item's timing in ftrack's own rows, the event that is no shot and
the gap named in the answer -- then the cut's next revision on the session's page, which
reorders and removes (a kept shot keeps its item; a shot with no Approved version is left out
and named), recorded in the session's audit trail. Refused, with the database unchanged: a plain
User, a caller with no sign-in (a client's link signs no one in on the desk), a write without
the CSRF token, a file over the limit (413 before it is read), a file that is no cut, an XML with
entities, a cut that matches nothing, strict with a gap. SQLite, then PostgreSQL with 4 workers.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import requests
from support.cut_files import FIRST_CUT, HOUR, SHOTS, edl_file, otio_timeline
from support.insiders import assert_unchanged, snapshot
from support.trust import create, ok, query

from ft_dcc.server.desk.cut_upload import MAX_CUT
from server.signin.people import ft_dcc_user, new_signer, signed_in

pytest.importorskip("sqlalchemy")
otio = pytest.importorskip("opentimelineio")


def cut_project(world: Any) -> Dict[str, Any]:
    """A project of five shots, two versions each (v001 Approved on all but sh050)."""
    project = str(uuid.uuid4())
    schema = query(world.server, "select id from ProjectSchema")[0]["id"]
    kind = query(world.server, 'select id from AssetType where short is "upload"')[0]["id"]
    approved = query(world.server, 'select id from Status where name is "Approved"')[0]["id"]
    rows = [create("Project", id=project, name="cut" + project[:8], full_name="Cut review",
                   project_schema_id=schema)]  # fmt: skip
    versions: Dict[str, List[str]] = {}
    for number, shot in enumerate(SHOTS):
        made = create("Shot", name=shot, parent_id=project, project_id=project)
        asset = create("Asset", name="comp", context_id=made["entity_key"][0], type_id=kind)
        mine = [create("AssetVersion", asset_id=asset["entity_key"][0], version=n,
                       date={"__type__": "datetime", "value": f"2026-01-0{n}T0{number}:00:00"},
                       **({"status_id": approved} if n == 1 and shot != "sh050" else {}))
                for n in (1, 2)]  # fmt: skip
        versions[shot] = [v["entity_key"][0] for v in mine]
        rows += [made, asset, *mine]
    ok(world.server, rows)
    return {"id": project, "name": "cut" + project[:8], "versions": versions}


@pytest.fixture(scope="module")
def desk_cut(trust_world: Any) -> Tuple[Dict[str, Any], Any, requests.Session, str]:
    """The module's project (:func:`cut_project`) and its Supervisor signed in on the desk, for
    each backend: each test reads and writes only the sessions it makes there (the project's
    shots and versions are only read)."""
    project = cut_project(trust_world)
    return (project, *project_supervisor(trust_world, project))


def project_supervisor(world: Any, project: Dict[str, Any]) -> Tuple[Any, requests.Session, str]:
    """A new person made Supervisor of ``project`` only (neither administrator nor owner),
    signed in on the desk: the person, their browser and its CSRF token."""
    supervisor = new_signer(world, "sup")
    given = ft_dcc_user(world, "role", supervisor.name, "--role", "supervisor", "--project",
                        project["id"])  # fmt: skip
    assert given.returncode == 0, given.stderr
    browser, csrf = signed_in(world, supervisor)
    return supervisor, browser, csrf


def send(world: Any, browser: requests.Session, path: str, body: bytes, csrf: str = "",
         origin: str = "", **query: str) -> requests.Response:  # fmt: skip
    headers = {"Content-Type": "application/octet-stream"}
    if origin:
        headers["Origin"] = origin
    if csrf:
        headers["X-CSRF-Token"] = csrf
    return browser.post(f"{world.url}{path}", params=query, data=body, headers=headers,
                        timeout=120)  # fmt: skip


def items(world: Any, session_id: str) -> List[Tuple[str, str, Dict[str, Any]]]:
    """(shot, version id, cut timing) of each item in ftrack's order, read through ``/api``."""
    objects = query(world.server, "select id, version_id, sort_order, "
                    "asset_version.asset.parent.name from ReviewSessionObject where "
                    f'review_session_id is "{session_id}"')  # fmt: skip
    rows = query(world.server, "select name, value from EntitySetting where parent_id is "
                 f'"{session_id}" and group is "cut"')  # fmt: skip
    timing = {row["name"]: json.loads(row["value"]) for row in rows}
    return [(o["asset_version"]["asset"]["parent"]["name"], o["version_id"], timing[o["id"]])
            for o in sorted(objects, key=lambda o: o["sort_order"])]  # fmt: skip


def test_a_supervisor_makes_a_session_from_a_cut_then_applies_its_revision(
    trust_world: Any, desk_cut: Tuple[Dict[str, Any], Any, requests.Session, str], tmp_path: Path
) -> None:
    world = trust_world
    project, supervisor, browser, csrf = desk_cut
    page = browser.get(f"{world.url}/desk/project/{project['id']}", timeout=60)
    assert page.status_code == 200 and 'class="cut-upload"' in page.text
    edl = edl_file(tmp_path / "reel2.edl", FIRST_CUT).read_bytes()

    made = send(world, browser, f"/desk/api/project/{project['id']}/cut", edl, csrf,
                name="Reel 2 <cut>", pick="latest", file="reel2.edl")  # fmt: skip

    assert made.status_code == 201, made.text[:2000]
    answer = made.json()
    report = answer["report"]
    assert [(u["event"], u["clip_name"], u["reason"]) for u in report["unmatched"]] == [
        (3, "sh999_temp", "no shot")
    ]
    assert report["gaps"] == [{"record_in": "01:00:02:18", "record_out": "01:00:03:00"}]
    assert report["lines"] == ["event 3 (sh999_temp): no shot for shot 'sh999_temp'",
                               "gap from 01:00:02:18 to 01:00:03:00"]  # fmt: skip
    latest = {shot: ids[1] for shot, ids in project["versions"].items()}
    found = items(world, answer["id"])
    assert [(shot, version) for shot, version, _ in found] == [
        ("sh030", latest["sh030"]), ("sh010", latest["sh010"]), ("sh020", latest["sh020"])]
    assert found[0][2] == {"event": 1, "source_in": "00:00:41:19", "source_out": "00:00:42:13",
                           "record_in": "01:00:00:00", "record_out": "01:00:00:18"}  # fmt: skip
    [session] = query(world.server, "select name, description, created_by_id from "
                      f'ReviewSession where id is "{answer["id"]}"')  # fmt: skip
    assert session["name"] == "Reel 2 <cut>" and session["created_by_id"] == supervisor.user_id
    assert session["description"] == "Cut 'reel 2 cut', revision 1"
    shown = browser.get(f"{world.url}/desk/session/{answer['id']}", timeout=60)
    assert "Reel 2 &lt;cut&gt;" in shown.text and 'class="cut-revision"' in shown.text
    assert "Made from the cut &ldquo;reel 2 cut&rdquo; (reel2.edl), revision 1." in shown.text
    # a session not made from a cut offers no revision, and takes none
    plain = browser.post(f"{world.url}/desk/api/project/{project['id']}/sessions",
                         json={"name": "By hand"}, headers={"X-CSRF-Token": csrf}, timeout=60)
    assert plain.status_code == 201, plain.text
    by_hand = browser.get(f"{world.url}/desk/session/{plain.json()['id']}", timeout=60)
    assert by_hand.status_code == 200 and "cut-revision" not in by_hand.text
    refused = send(world, browser, f"/desk/api/session/{plain.json()['id']}/cut", edl, csrf,
                   file="reel2.edl")  # fmt: skip
    assert refused.status_code == 409 and "not made from a cut" in refused.json()["error"]
    assert query(world.server, "select id from ReviewSessionObject where review_session_id is "
                 f'"{plain.json()["id"]}"') == []  # fmt: skip
    before_ids = {o["asset_version"]["asset"]["parent"]["name"]: o["id"] for o in query(
        world.server, "select id, asset_version.asset.parent.name from ReviewSessionObject "
        f'where review_session_id is "{answer["id"]}"')}  # fmt: skip

    second = edl_file(tmp_path / "reel2_v2.edl", [
        (1, "sh020", 1001, 1020, HOUR, HOUR + 19),
        (2, "sh030", 1001, 1012, HOUR + 19, HOUR + 30),
        (3, "sh050", 1001, 1025, HOUR + 30, HOUR + 54)]).read_bytes()  # fmt: skip
    revised = send(world, browser, f"/desk/api/session/{answer['id']}/cut", second, csrf,
                   pick="approved", file="reel2_v2.edl")  # fmt: skip

    assert revised.status_code == 200, revised.text[:2000]
    done = revised.json()["report"]
    assert revised.json()["cut"] == {"name": "reel 2 cut", "file": "reel2_v2.edl", "revision": 2}
    assert done["revision"] == 2 and done["removed"] == ["sh010"] and done["kept"] == 2
    assert "removed: sh010 (cut out)" in done["lines"]
    # sh050 has no Approved version: left out and named; sh020 and sh030 keep their items (and
    # their versions: no repick)
    assert "event 3 (sh050): no approved version for shot 'sh050'" in done["lines"]
    after = items(world, answer["id"])
    assert [shot for shot, _, _ in after] == ["sh020", "sh030"]
    after_ids = {o["asset_version"]["asset"]["parent"]["name"]: o["id"] for o in query(
        world.server, "select id, asset_version.asset.parent.name from ReviewSessionObject "
        f'where review_session_id is "{answer["id"]}"')}  # fmt: skip
    assert after_ids["sh030"] == before_ids["sh030"] and after_ids["sh020"] == before_ids["sh020"]
    assert after[1][2]["record_in"] == "01:00:00:19" and after[1][1] == latest["sh030"]
    assert revised.json()["items"][0]["label"].startswith("sh020")
    for suffix, adapter in ((".otio", "otio_json"), (".xml", "fcp_xml")):  # the other writers
        path = tmp_path / f"trailer{suffix}"
        otio.adapters.write_to_file(otio_timeline(HOUR), str(path), adapter_name=adapter)
        other = send(world, browser, f"/desk/api/project/{project['id']}/cut", path.read_bytes(),
                     csrf, name=f"Trailer {adapter}", file=path.name)  # fmt: skip
        assert other.status_code == 201, other.text[:2000]
        assert [s for s, _, _ in items(world, other.json()["id"])] == ["sh040", "sh050", "sh010"]
        assert other.json()["report"]["lines"] == [
            "gap from 01:00:01:08 to 01:00:01:14"], other.json()["report"]  # fmt: skip
    # the revision is in the session's trail as the desk's own edits are
    trail = browser.get(f"{world.url}/desk/api/session/{answer['id']}/audit", timeout=60)
    said = [e["sentence"] for e in trail.json()["entries"]]
    assert any(s.startswith(f"{supervisor.name} removed sh010 / comp") for s in said), said
    assert f"{supervisor.name} reordered the versions" in said, said


def test_refused_cut_uploads_change_nothing(
    trust_world: Any, desk_cut: Tuple[Dict[str, Any], Any, requests.Session, str], tmp_path: Path
) -> None:
    world = trust_world
    project, _supervisor, browser, csrf = desk_cut
    plain = new_signer(world, "plain")
    plain_browser, plain_csrf = signed_in(world, plain)
    edl = edl_file(tmp_path / "reel.edl", FIRST_CUT).read_bytes()
    made = send(world, browser, f"/desk/api/project/{project['id']}/cut", edl, csrf,
                name="Reel", file="reel.edl")  # fmt: skip
    assert made.status_code == 201, made.text
    session_id = made.json()["id"]
    path = f"/desk/api/project/{project['id']}/cut"
    revise = f"/desk/api/session/{session_id}/cut"
    room = ok(world.server, [{"action": "get_widget_url", "name": "review_session",
                              "entity_type": "ReviewSession", "entity_key": [session_id]}])[0]
    token = re.search(r"token=([^&]+)", str(room.get("widget_url", room)))
    assert token, room
    before = snapshot(world)

    for where in (path, revise):  # a plain User: 403, their file unread
        reply = send(world, plain_browser, where, edl, plain_csrf, name="Mine", file="reel.edl")
        assert reply.status_code == 403 and "administrator" in reply.json()["error"], reply.text
        stranger = send(world, requests.Session(), where, edl, name="Mine", file="reel.edl")
        assert stranger.status_code == 403 and "sign in" in stranger.json()["error"]
        client = send(world, requests.Session(), where, edl, name="Mine", file="reel.edl",
                      token=token.group(1))  # a client's (the room's) link: no one on the desk
        assert client.status_code == 403 and "sign in" in client.json()["error"]
        forged = send(world, browser, where, edl, name="Mine", file="reel.edl",
                      origin="http://evil.example")  # another site's page: no CSRF token
        assert forged.status_code == 403 and "CSRF" in forged.json()["error"], forged.text
        huge = send(world, browser, where, b"x" * (MAX_CUT + 1), csrf, name="Big",
                    file="reel.edl")  # fmt: skip
        assert huge.status_code == 413 and str(MAX_CUT) in huge.text, huge.text[:300]
    garbage = {"reel.edl": b"\x00\xff not a cut at all \x00" * 50,
               "reel.otio": b'{"OTIO_SCHEMA": "Timeline.1", "tracks": ' + b"[" * 3000,
               "reel.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
               "reel.mov": edl, "../../reel.xml": b"<xmeml><sequence></sequence></xmeml>"}
    for where in (path, revise):
        for name, body in garbage.items():
            reply = send(world, browser, where, body, csrf, name="Junk", file=name)
            assert 400 <= reply.status_code < 500, (name, reply.status_code, reply.text[:300])
            assert reply.json()["error"], name
    nothing = edl_file(tmp_path / "none.edl", [(1, "nosuchshot", 1001, 1010, HOUR, HOUR + 9)])
    reply = send(world, browser, path, nothing.read_bytes(), csrf, name="None", file="n.edl")
    assert reply.status_code == 400 and "nothing was written" in reply.json()["error"]
    strict = send(world, browser, path, edl, csrf, name="Strict", file="reel.edl", strict="1")
    assert strict.status_code == 400 and "gap from 01:00:02:18" in strict.json()["error"]
    again = send(world, browser, path, edl, csrf, name="Bad pick", file="reel.edl", pick="best")
    assert again.status_code == 400
    assert_unchanged(world, before)
    assert re.search("Strict|Junk|None", str(query(world.server, "select name from ReviewSession "
                     f'where project_id is "{project["id"]}"'))) is None  # fmt: skip


#: an EDL at 25 fps, written by hand: frame field 24 is a frame of 25 fps only (sh010's
#: 1001-1024 and sh020's 1001-1010, one after the other from 01:00:00:00)
EDL_25 = """TITLE: reel 25
FCM: NON-DROP FRAME

001  AX       V     C        00:00:40:01 00:00:41:00 01:00:00:00 01:00:00:24
* FROM CLIP NAME: sh010

002  AX       V     C        00:00:40:01 00:00:40:11 01:00:00:24 01:00:01:09
* FROM CLIP NAME: sh020
"""


def test_the_person_says_an_edls_rate_and_nonsense_is_refused(
    trust_world: Any, desk_cut: Tuple[Dict[str, Any], Any, requests.Session, str]
) -> None:
    world = trust_world
    project, _supervisor, browser, csrf = desk_cut
    page = browser.get(f"{world.url}/desk/project/{project['id']}", timeout=60)
    assert 'name="rate"' in page.text  # the form asks for it (an EDL does not say it)
    path = f"/desk/api/project/{project['id']}/cut"
    body = EDL_25.encode()
    before = snapshot(world)

    for rate in ("0", "-25", "nan", "inf", "1e9", "twenty-five", "25fps"):
        reply = send(world, browser, path, body, csrf, name="Rate", file="r.edl", rate=rate)
        assert reply.status_code == 400, (rate, reply.status_code, reply.text[:300])
        assert "is not a frame rate" in reply.json()["error"], reply.text
    assert_unchanged(world, before)

    made = send(world, browser, path, body, csrf, name="At 25", file="r.edl", rate="25")

    assert made.status_code == 201, made.text[:2000]
    found = items(world, made.json()["id"])
    assert [(shot, t["source_in"], t["source_out"], t["record_in"], t["record_out"])
            for shot, _, t in found] == [
        ("sh010", "00:00:40:01", "00:00:41:00", "01:00:00:00", "01:00:00:24"),
        ("sh020", "00:00:40:01", "00:00:40:11", "01:00:00:24", "01:00:01:09"),
    ]  # fmt: skip
    assert made.json()["report"]["gaps"] == [] and made.json()["report"]["unmatched"] == []
    [row] = query(world.server, "select value from EntitySetting where parent_id is "
                  f'"{made.json()["id"]}" and group is "cut" and name is "cut"')  # fmt: skip
    assert json.loads(row["value"])["rate"] == 25
    # the next revision at 25 too; nonsense refused there as well, the session unchanged
    revise = f"/desk/api/session/{made.json()['id']}/cut"
    kept = snapshot(world)
    refused = send(world, browser, revise, body, csrf, file="r.edl", rate="0")
    assert refused.status_code == 400 and "is not a frame rate" in refused.json()["error"]
    assert_unchanged(world, kept)
    again = send(world, browser, revise, body, csrf, file="r.edl", rate="25")
    assert again.status_code == 200, again.text[:2000]
    assert again.json()["report"]["revision"] == 2 and again.json()["report"]["gaps"] == []
