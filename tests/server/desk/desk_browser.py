"""The dailies desk in a real browser, the same checks in Chromium and Firefox (a
``web.player_checks.Driver``): a Supervisor of the artist's project, not an administrator,
signs in, finds today's session (made by the artist's publish through the files host) on the
desk, presents it and approves the artist's version, then builds a client session from the desk
(create, add from a search, drag to reorder, invite, client rules); each write is read back
through the genuine ``ftrack_api`` client.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import attr
from support import genuine_sessions, make_task, open_session
from support.cli import run_ft_dcc
from support.trust import add_api_user, ok, update
from web.dailies_fixtures import isolated_pyblish
from web.frame_code import FIRST, FRAMES, RATE, coded_frames
from web.player_checks import Driver, El, call

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.server.desk.session_lists import HOME_OPEN, HOME_RECENT
from ft_dcc.settings.templates import current_date

PASSPHRASE = "four quiet words here"
CLIENT = "client-desk@agency.example"


@attr.s(auto_attribs=True)
class DeskWorld:
    url: str
    project_id: str
    day_session_id: str  # "Dailies <today>", made by the artist's first publish
    versions: List[str]  # v001, v002 of sh010, published by the artist
    supervisor: Dict[str, str]  # name, password, id, email
    make: Callable[..., Any]  # genuine ftrack_api sessions (as the server's first user)


def _ft_dcc_user(server: Any, *args: str, stdin: Optional[str] = None) -> None:
    done = run_ft_dcc(["user", *args, "--data", str(server.data_dir)], env=dict(os.environ),
                      input=stdin)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _artist_publishes(server: Any, tmp_path: Path, name: str, key: str, task: str) -> None:
    from ft_dcc.session import Session

    with isolated_pyblish(tmp_path), Session(
        server_url=server.url, api_user=name, api_key=key, plugin_paths=[],
        schema_cache_path=str(tmp_path / "artist-schemas"),
    ) as session:  # fmt: skip
        for number in (1, 2):
            report = publish(FilesHost(coded_frames(tmp_path / f"v{number}", number), fps=RATE),
                             task=task, comment=f"pass {number}", session=session)  # fmt: skip
            assert report.ok, str(report)


def desk_world(server: Any, tmp_path: Path) -> Iterator[DeskWorld]:
    """An administrator makes the project; the artist (a User) publishes v001 and v002 into the
    day's session; the Supervisor of the project has a password (``ft-dcc user``)."""
    tag = uuid.uuid4().hex[:6]
    with genuine_sessions(server, tmp_path / "schema-cache") as make:
        with open_session(server, tmp_path / "admin") as admin:
            task = make_task(admin, f"desk{tag}", FIRST, FIRST + FRAMES - 1, RATE,
                             task_name="anim")  # fmt: skip
        artist, artist_key = add_api_user(server, f"artist-{tag}")
        _artist_publishes(server, tmp_path, f"artist-{tag}", artist_key, task)
        name, password = f"sup-{tag}", f"pw {uuid.uuid4().hex}"
        sup_id, _key = add_api_user(server, name)
        email = f"{name}@studio.example"
        ok(server, [update("User", sup_id, email=email, first_name="Sam", last_name="Super")])
        _ft_dcc_user(server, "password", name, "--password-stdin", stdin=password + "\n")
        _ft_dcc_user(server, "role", name, "--role", "supervisor", "--project", f"desk{tag}")
        reader = make()
        project = reader.query(f'Project where name is "desk{tag}"').one()
        [day] = reader.query(f'ReviewSession where project_id is "{project["id"]}"').all()
        assert day["created_by_id"] == artist and day["name"].startswith("Dailies ")
        versions = sorted(reader.query("select id, version from AssetVersion where "
                                       f'asset.parent.project_id is "{project["id"]}"').all(),
                          key=lambda v: v["version"])  # fmt: skip
        yield DeskWorld(str(server.url), project["id"], day["id"], [v["id"] for v in versions],
                        {"name": name, "password": password, "id": sup_id, "email": email},
                        make)  # fmt: skip


def _type(driver: Driver, selector: str, value: str) -> None:
    driver.evaluate(call("(i, v) => { i.value = v; }", El(selector), json.dumps(value)))


def sign_in(driver: Driver, open_url: Callable[[str], Any], world: DeskWorld) -> None:
    open_url(world.url + "/")
    driver.wait("document.querySelector('#signin-username')")
    _type(driver, "#signin-username", world.supervisor["name"])
    _type(driver, "#signin-password", world.supervisor["password"])
    driver.click("form.signin-form button[type=submit]")
    driver.wait("location.pathname === '/desk/' && document.querySelector('section.project')")


def days_session_is_today() -> bool:
    """Whether the desk calls the day's session today: it is named after the run's day
    (``FT_DCC_TODAY``, the publishes' ``{date}``), the desk goes by the server's clock, and a run
    that crossed midnight has left that day behind."""
    return current_date() == dt.date.today()


def open_todays_session(driver: Driver, world: DeskWorld, shots: Path) -> None:
    """Today's session is on the desk, marked today and open, above the project's others."""
    row = f'li.session-link[data-session-id="{world.day_session_id}"]'
    badges = driver.evaluate(f"Array.from({El(row)}.querySelectorAll('.badge'))"
                             ".map((b) => b.textContent)")  # fmt: skip
    assert "open" in badges, badges
    assert ("today" in badges) == days_session_is_today(), badges
    driver.screenshot(shots / "desk_home.png")
    driver.click(f"{row} a")
    driver.wait("document.querySelector('#desk-items') && "
                "document.querySelector('#desk-items').dataset.loaded === '1'")  # fmt: skip
    labels = driver.evaluate("Array.from(document.querySelectorAll('#desk-items .label'))"
                             ".map((l) => l.textContent)")  # fmt: skip
    assert labels == ["sh010 / anim v001", "sh010 / anim v002"] or all(
        label.startswith("sh010 / ") for label in labels), labels  # fmt: skip
    assert driver.evaluate("document.querySelector('#session').dataset.manages") == "yes"


def room_link(driver: Driver) -> str:
    """The room link from the desk's "Copy room link"."""
    driver.click("button.copy-link")
    driver.wait("document.querySelector('.room-link').value.includes('/review/')")
    return str(driver.evaluate("document.querySelector('.room-link').value"))


def present_and_approve(driver: Driver, open_url: Callable[[str], Any], world: DeskWorld) -> str:
    """The desk's Present link opens the review page as the Supervisor and takes the lead by
    itself (Open beside it only opens the page); she approves v002 (the asset's latest, shown
    first). The object approved."""
    opens = driver.evaluate("document.querySelector('a.open-page').getAttribute('href')")
    assert opens == f"/signin/review/{world.day_session_id}", opens
    href = driver.evaluate("document.querySelector('a.present').getAttribute('href')")
    assert href == f"/signin/review/{world.day_session_id}?present=1", href
    assert driver.evaluate("document.querySelector('a.present').hidden") is False
    open_url(world.url + href)
    driver.wait("document.querySelector('main.items') && "
                "document.querySelector('main.items').dataset.live === 'open' && "
                "document.querySelector('main.items').dataset.presenter === 'lead'")  # fmt: skip
    assert driver.evaluate("location.hash") == ""  # taken once: a reload does not take it again
    item = "article.item:not([hidden])"  # the latest version of the shot's asset: v002
    object_id = str(driver.evaluate(f"{El(item)}.dataset.objectId"))
    driver.click(f"{item} .verdict.approve")
    error_text = f"{El(item)}.querySelector('.status-error').textContent"
    driver.wait(f"{El(item)}.dataset.statusesSet === '1' || /Not saved/.test({error_text})")
    error = driver.evaluate(error_text)
    assert not error, error
    return object_id


def approved_by(world: DeskWorld) -> List[Any]:
    """(status, invitee e-mail, version) of every verdict in today's session, read back."""
    reader = world.make()
    rows = reader.query("select status, invitee.email, review_session_object.version_id from "
                        "ReviewSessionObjectStatus where review_session_object.review_session_id"
                        f' is "{world.day_session_id}"').all()  # fmt: skip
    return [(r["status"], r["invitee"]["email"], r["review_session_object"]["version_id"])
            for r in rows]  # fmt: skip


def _writes(driver: Driver, count: int) -> None:
    driver.wait(f"document.body.dataset.writes === '{count}' || "
                "document.querySelector('#session .error').textContent")  # fmt: skip
    error = driver.evaluate("document.querySelector('#session .error').textContent")
    assert not error, error


def build_client_session(driver: Driver, open_url: Callable[[str], Any], world: DeskWorld,
                         shots: Path, private: bool = False) -> str:  # fmt: skip
    """From the project's page: create, search (the latest of each shot of sq010: v002; then
every version of sh010) and add both versions, drag the last above the
    first, invite the client, set the rules (``private``: the session is created private). The new
    session's id."""
    open_url(f"{world.url}/desk/project/{world.project_id}")
    driver.wait("document.querySelector('#new-session-name')")
    _type(driver, "#new-session-name", "Client review wk49")
    if private:  # no room link: only the invitees' own links and its managers open it
        driver.click("#new-session-private")
    driver.click("form.create-session button[type=submit]")
    driver.wait("location.pathname.startsWith('/desk/session/') && "
                "document.querySelector('#desk-items') && "
                "document.querySelector('#desk-items').dataset.loaded === '1'")  # fmt: skip
    session_id = str(driver.evaluate("document.querySelector('#session').dataset.sessionId"))
    _type(driver, "form.search input[name=sequence]", "sq010")
    driver.evaluate("document.querySelector('form.search input[name=latest]').checked = true")
    driver.click("form.search button[type=submit]")
    driver.wait("document.querySelector('ul.results').dataset.searched === '1'")
    found = driver.evaluate("Array.from(document.querySelectorAll('ul.results li'))"
                            ".map((li) => li.dataset.versionId)")  # fmt: skip
    assert found == world.versions[1:], found  # the latest of the shot: v002
    driver.evaluate("document.querySelector('form.search input[name=latest]').checked = false")
    _type(driver, "form.search input[name=shot]", "sh010")
    driver.click("form.search button[type=submit]")
    driver.wait("document.querySelector('ul.results').dataset.searched === '2' && "
                "document.querySelectorAll('ul.results input:checked').length === 2")  # fmt: skip
    driver.click("button.add-selected")
    _writes(driver, 1)
    before = driver.evaluate("Array.from(document.querySelectorAll('#desk-items li.item'))"
                             ".map((li) => li.dataset.objectId)")  # fmt: skip
    assert len(before) == 2, before
    # the handle's box (fractions; a row is about 1.4 handles high): up into the upper half of
    # the row above it
    driver.drag("#desk-items li.item:last-child .handle", [(0.5, 0.5), (0.5, -0.3), (0.5, -0.7),
                                                          (0.5, -1.1)])
    _writes(driver, 2)
    _type(driver, "#invite-email", CLIENT)
    _type(driver, "#invite-name", "Cleo Client")
    driver.click("form.invite button[type=submit]")
    _writes(driver, 3)
    _type(driver, "#rules-passphrase", PASSPHRASE)
    driver.evaluate("document.querySelector('#rules-downloads').value = 'proxy'")
    driver.evaluate("document.querySelector('form.rules input[name=watermark]').checked = true")
    driver.click("form.rules button[type=submit]")
    _writes(driver, 4)
    driver.screenshot(shots / "desk_client_session.png")
    check_client_session(world, session_id, before[::-1])
    return session_id


def check_client_session(world: DeskWorld, session_id: str, order: List[str]) -> None:
    """What the desk wrote, through a fresh genuine ``ftrack_api`` session."""
    reader = world.make()
    session = reader.get("ReviewSession", session_id)
    assert session["name"] == "Client review wk49" and session["passphrase_enabled"] is True
    assert session["created_by_id"] == world.supervisor["id"]
    objects = sorted(session["review_session_objects"], key=lambda o: o["sort_order"])
    assert [o["id"] for o in objects] == order
    assert sorted(o["version_id"] for o in objects) == sorted(world.versions)
    assert [i["email"] for i in session["review_session_invitees"]] == [CLIENT]
    settings = {s["name"]: s["value"] for s in reader.query(
        f'select name, value from EntitySetting where parent_id is "{session_id}"').all()}
    assert settings == {"download_policy": "proxy", "watermark": "true"}, settings


def _texts(driver: Driver, selector: str) -> List[str]:
    return list(driver.evaluate(f"Array.from(document.querySelectorAll({json.dumps(selector)}))"
                                ".map((e) => e.textContent.trim())"))  # fmt: skip


def _header(driver: Driver, href_of: str, name: str) -> str:
    """The Content-Disposition the page's own link ``href_of`` (a selector) downloads with."""
    driver.evaluate(f"(() => {{ window[{json.dumps(name)}] = ''; fetch({El(href_of)}.href)"
                    f".then((r) => {{ window[{json.dumps(name)}] = r.status + ' ' + "
                    "r.headers.get('content-disposition'); }); return 1; })()")  # fmt: skip
    driver.wait(f"window[{json.dumps(name)}]")
    return str(driver.evaluate(f"window[{json.dumps(name)}]"))


def _a_minute_ago() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)


def supervisor_walk(driver: Driver, open_url: Callable[[str], Any], world: DeskWorld,
                    shots: Path) -> str:  # fmt: skip
    """A private session made on the desk: Open and Present by right, a version picked by its
    name, moved first with ↑, made not private; closed elsewhere, its badge follows without a
    reload; the audit trail read as sentences, filtered to the moves and downloaded, the
    exports named after the session. The session's id."""
    open_url(f"{world.url}/desk/project/{world.project_id}")
    driver.wait("document.querySelector('#new-session-name')")
    _type(driver, "#new-session-name", "Client review wk50")
    driver.click("#new-session-private")
    driver.click("form.create-session button[type=submit]")
    driver.wait("location.pathname.startsWith('/desk/session/') && "
                "document.querySelector('#desk-items') && "
                "document.querySelector('#desk-items').dataset.loaded === '1'")  # fmt: skip
    session_id = str(driver.evaluate("document.querySelector('#session').dataset.sessionId"))
    assert "private" in _texts(driver, "#session .badges .badge")
    assert driver.evaluate("document.querySelector('a.present').hidden") is False
    assert driver.evaluate("document.querySelector('a.open-page').hidden") is False
    assert driver.evaluate("document.querySelector('a.change-password').getAttribute('href')") \
        == "/signin/password"

    _type(driver, "form.search input[name=shot]", "sh010")
    driver.click("form.search button[type=submit]")
    driver.wait("document.querySelectorAll('ul.results input:checked').length === 2")
    first = "ul.results li:first-child"
    name = str(driver.evaluate(f"{El(first + ' label.pick')}.textContent"))
    # the version's name labels its box: a click on the name unticks it, a reader names it
    assert driver.evaluate(f"{El(first + ' input')}.labels[0].textContent") == name
    driver.click(f"{first} label.pick")
    driver.wait(f"!{El(first + ' input')}.checked")
    driver.click(f"{first} label.pick")
    driver.wait(f"{El(first + ' input')}.checked")
    driver.click("button.add-selected")
    _writes(driver, 1)
    labels = _texts(driver, "#desk-items li.item .label")
    assert len(labels) == 2, labels
    driver.click("#desk-items li.item:last-child button.up")
    _writes(driver, 2)
    assert _texts(driver, "#desk-items li.item .label") == labels[::-1]
    driver.click("button.toggle-private")
    _writes(driver, 3)
    assert "private" not in _texts(driver, "#session .badges .badge")
    driver.screenshot(shots / "desk_private_session.png")

    # closed elsewhere (the studio's ftrack_api script): the page follows without a reload
    reader = world.make()
    session = reader.get("ReviewSession", session_id)
    assert session["shareable_url_enabled"] is True  # made not private on the desk
    session["end_date"] = _a_minute_ago()
    reader.commit()
    driver.wait("document.querySelector('#session').dataset.state === 'closed'")
    badges = _texts(driver, "#session .badges .badge")
    assert badges == ["today", "closed"], badges  # made today (by the server's clock)
    assert _texts(driver, "button.toggle-open") == ["Reopen session"]
    assert driver.evaluate("document.querySelector('a.present').hidden") is True  # closed

    driver.click("button.show-audit")
    driver.wait("document.querySelector('section.audit').dataset.shown === '1'")
    said = _texts(driver, "section.audit td.sentence")
    sam = "Sam Super"
    assert said[0] == f"{sam} created the session as private", said
    assert f"{sam} added {labels[0]}" in said and f"{sam} added {labels[1]}" in said, said
    assert f"{sam} moved {labels[1]} to first" in said, said
    assert f"{sam} made the session not private (its room link opens it)" in said, said
    assert any(s.endswith(" closed the session") for s in said), said
    assert not any("user:" in s for s in said), said
    driver.evaluate("document.querySelector('section.audit').scrollIntoView()")
    driver.screenshot(shots / "desk_audit_trail.png")
    times = _texts(driver, "section.audit td.time")
    assert all(len(t.split(" ")[1]) == 8 for t in times), times  # HH:MM:SS, no microseconds
    driver.evaluate("(() => { const s = document.querySelector('#audit-act'); "
                    "s.value = 'version.moved'; "
                    "s.dispatchEvent(new Event('change', { bubbles: true })); })()")
    driver.wait("document.querySelector('section.audit').dataset.shown === '2'")
    assert _texts(driver, "section.audit td.sentence") == [f"{sam} moved {labels[1]} to first"]
    driver.evaluate("document.querySelector('section.audit').scrollIntoView()")
    driver.screenshot(shots / "desk_audit_filtered.png")
    audit = _header(driver, "a.audit-csv", "auditCsv")
    assert audit.startswith("200 ") and 'filename="Client review wk50 audit trail.csv"' in audit
    export = _header(driver, "a.export", "exportCsv")
    assert export.startswith("200 ") and 'filename="Client review wk50.csv"' in export, export
    return session_id


def home_follows(driver: Driver, open_url: Callable[[str], Any], world: DeskWorld,
                 shots: Path) -> None:  # fmt: skip
    """Today's dailies head the project's list; the home shows a project's open and recent
    sessions, "More sessions" the rest (a page at a time, each listed once); closing a session
    elsewhere turns its badge to "closed" on the open home page without a reload."""
    writer = world.make()
    for n in range(HOME_OPEN + HOME_RECENT + 3):  # closed sessions: more than the home shows
        writer.create("ReviewSession", {"name": f"Old review {n:02d}", "project_id":
                                        world.project_id, "end_date": _a_minute_ago()})  # fmt: skip
    writer.commit()
    open_url(world.url + "/desk/")
    section = f'section.project[data-project-id="{world.project_id}"]'
    driver.wait(f"document.querySelector({json.dumps(section)})")
    first = driver.evaluate(f"{El(section)}.querySelector('li.session-link').dataset.sessionId")
    assert (first == world.day_session_id) == days_session_is_today(), first
    more = f"{section} p.more-sessions"
    total = int(driver.evaluate(f"{El(more)}.dataset.total"))
    shown = f"{El(section)}.querySelectorAll('li.session-link').length"
    assert driver.evaluate(shown) < total
    while driver.evaluate(f"!!{El(more)}.querySelector('button.more')"):
        before = driver.evaluate(shown)
        driver.click(f"{more} button.more")
        driver.wait(f"{shown} > {before} || !{El(more)}.querySelector('button.more')")
    listed = driver.evaluate(f"Array.from({El(section)}.querySelectorAll('li.session-link'))"
                             ".map((row) => row.dataset.sessionId)")  # fmt: skip
    assert len(listed) == len(set(listed)) == total, (len(listed), total)
    assert driver.evaluate(f"{El(more)}.querySelector('.shown').textContent") == str(total)
    driver.screenshot(shots / "desk_home_more.png")
    reader = world.make()
    day = reader.get("ReviewSession", world.day_session_id)
    day["end_date"] = _a_minute_ago()
    reader.commit()
    row = f'li.session-link[data-session-id="{world.day_session_id}"]'
    closed = "today,closed" if days_session_is_today() else "closed"
    driver.wait(f"Array.from({El(row)}.querySelectorAll('.badge')).map((b) => b.textContent)"
                f".join() === '{closed}'")  # fmt: skip
    driver.screenshot(shots / "desk_home_closed.png")


def mail_walk(driver: Driver, open_url: Callable[[str], Any], world: DeskWorld,
              shots: Path) -> None:  # fmt: skip
    """The Supervisor opens the desk's Mail page from its bar and turns her digests off with
    the page's own script; a reload shows them off (the server kept her choice); she turns them
    on again."""
    open_url(world.url + "/desk/")
    driver.wait("document.querySelector('a.mail-link')")
    driver.click("a.mail-link")
    driver.wait("location.pathname === '/desk/mail' && "  # the page may not have drawn it yet
                "document.querySelector('#mail-digests')?.checked === true")  # fmt: skip
    driver.click("#mail-digests")
    driver.wait("document.querySelector('#mail-state')?.textContent.startsWith('Digests are off')"
                " && !document.querySelector('#mail-digests').disabled")  # fmt: skip
    driver.screenshot(shots / "desk_mail_off.png")
    open_url(world.url + "/desk/mail")
    driver.wait("document.querySelector('#mail-state') && "
                "document.querySelector('#mail-state').textContent.startsWith('Digests are off')")
    assert driver.evaluate("document.querySelector('#mail-digests').checked") is False
    driver.click("#mail-digests")
    driver.wait("document.querySelector('#mail-state').textContent === 'Digests are on.'")


def first_signin_by_link(driver: Driver, open_url: Callable[[str], Any], world: DeskWorld,
                         server: Any) -> None:  # fmt: skip
    """A new Supervisor with no password signs in by a one-time link and is asked to set one;
    the desk then offers Change password, which asks for the one she set."""
    name = f"nia-{uuid.uuid4().hex[:6]}"
    add_api_user(server, name)
    _ft_dcc_user(server, "role", name, "--role", "supervisor", "--project",
                 str(world.make().get("Project", world.project_id)["name"]))  # fmt: skip
    printed = run_ft_dcc(["user", "signin-link", name, "--data", str(server.data_dir)],
                         env=dict(os.environ))  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    open_url(world.url + "/signin/link?" + printed.stdout.split("?", 1)[1].strip())
    driver.wait("document.querySelector('form.signin-form button')")
    driver.click("form.signin-form button[type=submit]")
    driver.wait("location.pathname === '/signin/password' && "
                "document.querySelector('#password-new')")  # fmt: skip
    assert not driver.evaluate("document.querySelector('#password-current')")
    password = f"pw {uuid.uuid4().hex}"
    _type(driver, "#password-new", password)
    _type(driver, "#password-again", password)
    driver.click("form.signin-form button[type=submit]")
    driver.wait("location.pathname === '/desk/' && document.querySelector('a.change-password')")
    driver.click("a.change-password")
    driver.wait("location.pathname === '/signin/password' && "
                "document.querySelector('#password-current')")  # fmt: skip
