"""Every right of the review role table (``SECURITY.md``, ``review_rights.RIGHTS``) over HTTP.

The world: an artist (a User) whose sessions hold their own publishes in projects A and B; a
Supervisor of project A, a Project Manager of all open projects, both given through the genuine
``ftrack_api`` client as ftrack's ``UserSecurityRole`` / ``UserSecurityRoleProject`` rows, and a
plain User. Each right is allowed to the Supervisor of A and to the Project Manager on A's
session, and refused to the Supervisor of A on B's session and to the plain User on A's, with
every table and stored file unchanged; on SQLite and on PostgreSQL with 4 workers.

Seen failing first: before the roles, each "allowed" case answered 403 (the Supervisor was a
plain User: "Only an invitee's link or the owner's own link gives a status", "only its owner
... or an administrator may").
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import attr
import pytest
import requests
from support.entities import emptied
from support.insiders import (
    Person,
    State,
    World,
    api_refused,
    make_world,
    snapshot,
    stored_component,
    token_of,
)
from support.net import close_stream
from support.trust import add_api_user, call, create, delete, new_id, ok, update
from support.waiting import wait_until
from web.test_presenter_api import new_page

from server.signin.people import ft_dcc_user

pytest.importorskip("sqlalchemy")

from ft_dcc.server.rules.review_rights import (
    RIGHTS,
    TABLE_END,
    TABLE_START,
    rights_table,
)


@attr.s(auto_attribs=True)
class Roles:
    world: World
    artist: Person
    supervisor: Person  # Supervisor of project A only
    manager: Person  # Project Manager of all open projects
    user: Person  # a plain User
    projects: Dict[str, Dict[str, str]]  # "A"/"B" -> project, shot, task ids
    role_rows: Dict[str, str]  # who -> UserSecurityRole id
    genuine: Callable[..., Any]  # a genuine ftrack_api session of another user (``make``)
    admin_session: Any  # the administrator's genuine session: read through :meth:`admin`
    #: (project, private) -> a session every refusal so far left unchanged, for the next one
    untouched: Dict[Tuple[str, bool], Session] = attr.Factory(dict)

    def admin(self) -> Any:
        """The administrator's genuine session with nothing cached (``support.emptied``)."""
        return emptied(self.admin_session)


@attr.s(auto_attribs=True)
class Session:
    id: str
    item: str  # the artist's item (their publish)
    invitee: str
    project: str
    version: str  # a second version of the artist's, not in the session


def _person(world: World, name: str) -> Person:
    user_id, key = add_api_user(world.server, name)
    email = f"{name}@studio.example"
    ok(world.server, [update("User", user_id, email=email)])
    return Person(user_id, name, key, email)


def _task(world: World, name: str) -> Dict[str, str]:
    ids = {"project": new_id(), "shot": new_id(), "task": new_id()}
    ok(world.server, [
        create("Project", id=ids["project"], name=name, full_name=name.upper()),
        create("Shot", id=ids["shot"], name="sh010", parent_id=ids["project"]),
        create("Task", id=ids["task"], name="comp", parent_id=ids["shot"]),
    ])  # fmt: skip
    return ids


def _give_role(genuine: Any, who: Person, role: str, projects: List[str],
               all_open: bool = False) -> str:  # fmt: skip
    """Give ``who`` ``role`` through the genuine client, as on ftrack; the row's id."""
    security_role = genuine.query(f'SecurityRole where name is "{role}"').one()
    user = genuine.get("User", who.id)
    link = genuine.create("UserSecurityRole", {
        "user": user, "security_role": security_role,
        "is_all_projects": False, "is_all_open_projects": all_open,
    })  # fmt: skip
    for project_id in projects:
        genuine.create("UserSecurityRoleProject", {
            "user_security_role": link, "project": genuine.get("Project", project_id),
        })  # fmt: skip
    genuine.commit()
    return str(link["id"])


#: the server's presenter grace (seconds): longer than the module runs, so that no lead ends
#: by itself between two snapshots
LEAD_GRACE = 6 * 3600


@pytest.fixture(scope="module", params=["sqlite", "postgresql-4-workers"])
def roles(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Roles]:
    from support.entities import genuine_sessions

    database_url = None
    if request.param != "sqlite":
        cluster = request.getfixturevalue("pg_cluster")
        database_url = cluster.create_database("roles", template=cluster.template)
    base = tmp_path_factory.mktemp(f"roles-{request.param}")
    with pytest.MonkeyPatch.context() as patch:
        # the leads the "present" rights take are never heard from a page: with the default
        # grace the guard's sweep ended them while a later refusal's snapshots were read (the
        # presenter table changed under a refused request on a loaded machine)
        patch.setenv("FT_DCC_PRESENTER_GRACE", str(LEAD_GRACE))
        world = make_world(base, request.param, database_url)
    people = {name: _person(world, name) for name in ("artist", "sup", "pm", "plain")}
    projects = {"A": _task(world, "alpha"), "B": _task(world, "bravo")}
    with genuine_sessions(world.server, base / "schema-cache") as genuine:
        admin = genuine()
        rows = {
            "sup": _give_role(admin, people["sup"], "Supervisor", [projects["A"]["project"]]),
            "pm": _give_role(admin, people["pm"], "Project Manager", [], all_open=True),
        }
        yield Roles(world, people["artist"], people["sup"], people["pm"], people["plain"],
                    projects, rows, genuine, admin)  # fmt: skip
    world.server.stop()


#: what a refused request may write: the audit trail records it (by design), with its count
AUDIT_TABLES = ("ft_dcc_audit", "ft_dcc_audit_rows")


def unchanged(world: World, before: State, *also: str) -> None:
    """No table but the audit trail's (and ``also``) and no stored file changed."""
    after = snapshot(world)
    for state in (before, after):
        for name in (*AUDIT_TABLES, *also):
            state.tables.pop(name, None)
    assert_unchanged_state(before, after)


def assert_unchanged_state(before: State, after: State) -> None:
    changed = sorted(n for n in set(before.tables) | set(after.tables)
                     if before.tables.get(n) != after.tables.get(n))  # fmt: skip
    assert not changed, f"tables changed by a refused request: {changed}"
    assert after.files == before.files, "the file store changed by a refused request"


# -- the artist's sessions -------------------------------------------------------------------
def _version(roles: Roles, project: str, asset: str) -> str:
    world, artist, task = roles.world, roles.artist, roles.projects[project]
    version = new_id()
    ok(world.server, [create("AssetVersion", id=version, asset_id=asset, task_id=task["task"])],
       **artist.auth)  # fmt: skip
    return version


def artist_session(roles: Roles, project: str, private: bool) -> Session:
    """A session the artist's publish made in ``project``: their version in it, an invitee."""
    world, artist, task = roles.world, roles.artist, roles.projects[project]
    asset = new_id()
    ok(world.server, [create("Asset", id=asset, name="comp" + asset[:4], context_id=task["shot"])],
       **artist.auth)  # fmt: skip
    first = _version(roles, project, asset)
    stored_component(world, artist, first, b"movie-bytes" * 64, "main", "movie.mp4")
    session, item, invitee = new_id(), new_id(), new_id()
    ok(world.server, [
        create("ReviewSession", id=session, name=f"Dailies {session[:6]}",
               project_id=task["project"], shareable_url_enabled=not private),
        create("ReviewSessionObject", id=item, name="comp", review_session_id=session,
               version_id=first, sort_order=0),
        create("ReviewSessionInvitee", id=invitee, name="Client",
               email=f"c{invitee[:6]}@x.example", review_session_id=session),
    ], **artist.auth)  # fmt: skip
    return Session(session, item, invitee, task["project"], _version(roles, project, asset))


# -- each right: (does it as ``who`` on ``session``, what shows it was done) -----------------------
Act = Callable[[Roles, Person, Session], requests.Response]


def _api(roles: Roles, who: Person, operations: List[Dict[str, Any]]) -> requests.Response:
    return call(roles.world.server, operations, **who.auth)


def _widget(
    roles: Roles, who: Person, entity_type: str, ident: str, **more: Any
) -> requests.Response:
    operation = {"action": "get_widget_url", "name": "review_session",
                 "entity_type": entity_type, "entity_key": [ident]}  # fmt: skip
    return _api(roles, who, [dict(operation, **more)])


def _personal_post(roles: Roles, who: Person, session: Session, route: str,
                   body: Dict[str, Any]) -> requests.Response:  # fmt: skip
    link = _widget(roles, who, "ReviewSession", session.id, purpose="personal")
    if link.status_code != 200:
        return link
    return requests.post(f"{roles.world.url}/review/{session.id}/{route}",
                         params={"token": token_of(link)}, json=body, timeout=60)  # fmt: skip


def _setting(session: Session, name: str, value: str) -> Dict[str, Any]:
    return {"action": "create", "entity_type": "EntitySetting",
            "entity_key": [session.id, "review", name],
            "entity_data": {"__entity_type__": "EntitySetting", "parent_id": session.id,
                            "parent_type": "ReviewSession", "group": "review", "name": name,
                            "value": value}}  # fmt: skip


PAST = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")

ACTS: Dict[str, Tuple[bool, Act]] = {
    # right: (on a private session, how it is done)
    "present": (
        False,
        lambda r, w, s: _personal_post(r, w, s, "presenter", dict(op="take", **new_page())),
    ),
    "approve": (
        False,
        lambda r, w, s: _personal_post(
            r, w, s, "status", {"object_id": s.item, "status": "approved"}
        ),
    ),
    "add versions": (
        True,
        lambda r, w, s: _api(
            r,
            w,
            [
                create(
                    "ReviewSessionObject", name="comp", review_session_id=s.id, version_id=s.version
                )
            ],
        ),
    ),
    "remove versions": (True, lambda r, w, s: _api(r, w, [delete("ReviewSessionObject", s.item)])),
    "order versions": (
        True,
        lambda r, w, s: _api(r, w, [update("ReviewSessionObject", s.item, sort_order=7)]),
    ),
    "invite": (
        True,
        lambda r, w, s: _api(
            r,
            w,
            [
                create(
                    "ReviewSessionInvitee",
                    name="Guest",
                    email=f"g{new_id()[:6]}@x.example",
                    review_session_id=s.id,
                )
            ],
        ),
    ),
    "invitee links": (True, lambda r, w, s: _widget(r, w, "ReviewSessionInvitee", s.invitee)),
    "client rules": (True, lambda r, w, s: _api(r, w, [_setting(s, "download_policy", "proxy")])),
    "revoke": (
        True,
        lambda r, w, s: _api(r, w, [_setting(s, "links_revoked_at", "2026-01-01T00:00:00Z")]),
    ),
    "rename": (True, lambda r, w, s: _api(r, w, [update("ReviewSession", s.id, name="Renamed")])),
    "close and reopen": (
        True,
        lambda r, w, s: _api(
            r, w, [update("ReviewSession", s.id, end_date={"__type__": "datetime", "value": PAST})]
        ),
    ),
    "private page": (
        True,
        lambda r, w, s: _widget(r, w, "ReviewSession", s.id, purpose="personal"),
    ),
    "audit": (
        True,
        lambda r, w, s: _api(r, w, [{"action": "ft_dcc.audit", "review_session_id": s.id}]),
    ),
    "delete": (True, lambda r, w, s: _api(r, w, [delete("ReviewSession", s.id)])),
}


def test_the_role_table_names_every_right_tested() -> None:
    """``SECURITY.md``'s table is generated from RIGHTS; each of its rights is tested here."""
    assert {right.name for right in RIGHTS if right.enforced} == set(ACTS)
    text = (Path(__file__).resolve().parents[3] / "SECURITY.md").read_text("utf-8")
    body = text[text.index("\n", text.index(TABLE_START)) + 1 : text.index(TABLE_END)]
    assert body.strip().splitlines() == rights_table(), (
        "SECURITY.md's review rights table differs from the code: run "
        "python -m ft_dcc.server.rules.review_rights SECURITY.md"
    )


@pytest.mark.parametrize("right", sorted(ACTS))
@pytest.mark.parametrize("who", ["supervisor", "manager"])
def test_a_projects_supervisor_and_project_manager_may(roles: Roles, right: str, who: str) -> None:
    private, act = ACTS[right]
    session = artist_session(roles, "A", private)
    response = act(roles, getattr(roles, who), session)
    assert response.status_code in (200, 201), (right, response.status_code, response.text[:800])


@pytest.mark.parametrize("right", sorted(ACTS))
@pytest.mark.parametrize("case", ["supervisor of A on B", "plain User on A"])
def test_others_are_refused_with_nothing_changed(roles: Roles, right: str, case: str) -> None:
    private, act = ACTS[right]
    who, project = (roles.supervisor, "B") if case.startswith("supervisor") else (roles.user, "A")
    session = refused_on(roles, project, private)
    before = snapshot(roles.world)
    response = act(roles, who, session)
    assert response.status_code == 403, (right, case, response.status_code, response.text[:800])
    if response.request.url and "/api" in response.request.url:
        api_refused(response)
    unchanged(roles.world, before)
    roles.untouched[(project, private)] = session  # shown unchanged: the next refusal's too


def refused_on(roles: Roles, project: str, private: bool) -> Session:
    """The artist's session in ``project`` that the refusals so far left unchanged (each shows
    every table and file unchanged, so the next one finds it as made), or a new one when none
    is left (the first, or after a refusal that failed)."""
    return roles.untouched.pop((project, private), None) or artist_session(roles, project, private)


def test_the_artist_manages_what_they_created(roles: Roles) -> None:
    """An artist (a User) adds to sessions, and manages the sessions they created."""
    session = artist_session(roles, "B", private=True)
    for right in ("invite", "client rules", "order versions", "approve", "audit"):
        response = ACTS[right][1](roles, roles.artist, session)
        assert response.status_code in (200, 201), (right, response.text[:800])


# -- through the genuine client, as a studio runs it ---------------------------------------------
def test_roles_read_back_through_the_genuine_client(roles: Roles) -> None:
    """The Supervisor's role is ftrack's rows: not on all projects, one listed project."""
    genuine = roles.admin()
    link = genuine.query(f'UserSecurityRole where user_id is "{roles.supervisor.id}" and '
                         'security_role.name is "Supervisor"').one()  # fmt: skip
    assert link["is_all_projects"] is False and link["is_all_open_projects"] is False
    assert [p["project_id"] for p in link["user_security_role_projects"]] == [
        roles.projects["A"]["project"]
    ]
    assert link["security_role"]["type"] == "PROJECT"
    manager = genuine.query(f'UserSecurityRole where user_id is "{roles.manager.id}" and '
                            'security_role.name is "Project Manager"').one()  # fmt: skip
    assert manager["is_all_open_projects"] is True and not manager["user_security_role_projects"]


def test_a_supervisor_presents_and_approves_the_session_an_artists_publish_made(
    roles: Roles,
) -> None:
    """The artist's publish makes the day's session (ft_dcc's own calls, as the artist); the
    Supervisor of A, not an administrator, presents it and approves the artist's version."""
    from ft_dcc.review import sessions as review

    artist = roles.genuine(api_user=roles.artist.user, api_key=roles.artist.key)
    task = roles.projects["A"]
    asset = artist.create("Asset", {"name": "plate" + new_id()[:4],
                                    "parent": artist.get("Shot", task["shot"])})  # fmt: skip
    version = artist.create("AssetVersion", {"asset": asset, "task_id": task["task"]})
    artist.commit()
    day = review.find_or_create_review_session(artist, task["project"], "Dailies " + new_id()[:6])
    item = review.add_version(artist, day, version)
    assert day["created_by_id"] == roles.artist.id

    sup = roles.supervisor
    link = _widget(roles, sup, "ReviewSession", day["id"], purpose="personal")
    token = token_of(link)
    url = f"{roles.world.url}/review/{day['id']}"
    page = requests.get(f"{url}/presenter", params={"token": token}, timeout=60)
    assert page.status_code == 200 and page.json()["you"]["manager"] is True, page.text
    taken = requests.post(f"{url}/presenter", params={"token": token},
                          json=dict(op="take", **new_page()), timeout=60)  # fmt: skip
    assert taken.status_code == 200, taken.text
    assert taken.json()["presenter"]["lead"]["key"] == "u:" + sup.id
    verdict = {"object_id": item["id"], "status": "approved"}
    approved = requests.post(f"{url}/status", params={"token": token}, json=verdict, timeout=60)
    assert approved.status_code == 200, approved.text

    reader = roles.admin()
    verdicts = reader.query("select status, review_session_invitee_id from "
                            f"ReviewSessionObjectStatus where review_session_object_id is "
                            f'"{item["id"]}"').all()  # fmt: skip
    assert [v["status"] for v in verdicts] == ["approved"]
    invitee = reader.get("ReviewSessionInvitee", verdicts[0]["review_session_invitee_id"])
    assert invitee["email"] == sup.email


def test_a_role_taken_back_refuses_the_open_pages_next_write(roles: Roles) -> None:
    """A Supervisor's page is open and presenting; an administrator takes the role back through
    the genuine client; the same page's next presenter, status and settings writes are refused,
    the lead ends with the role, and nothing else is written."""
    world = roles.world
    sup = _person(world, "sup" + new_id()[:6])
    admin = roles.admin()
    role_id = _give_role(admin, sup, "Supervisor", [roles.projects["A"]["project"]])
    session = artist_session(roles, "A", private=False)
    token = token_of(_widget(roles, sup, "ReviewSession", session.id, purpose="personal"))
    url = f"{world.url}/review/{session.id}"
    page = new_page()
    taken = requests.post(f"{url}/presenter", params={"token": token},
                          json=dict(op="take", **page), timeout=60)  # fmt: skip
    assert taken.status_code == 200, taken.text

    link = admin.get("UserSecurityRole", role_id)
    for listed in list(link["user_security_role_projects"]):
        admin.delete(listed)
    admin.delete(link)
    admin.commit()

    before = snapshot(world)
    verdict = {"object_id": session.item, "status": "approved"}
    status = requests.post(f"{url}/status", params={"token": token}, json=verdict, timeout=60)
    assert status.status_code == 403, status.text
    again = requests.post(f"{url}/presenter", params={"token": token},
                          json=dict(op="take", **new_page()), timeout=60)  # fmt: skip
    assert again.status_code == 403, again.text
    settings = _api(roles, sup, [_setting(session, "download_policy", "proxy")])
    api_refused(settings)
    # the lead ended with the role (the presenter table says no one leads); nothing else moved
    state = requests.get(f"{url}/presenter", params={"token": token}, timeout=60).json()
    assert state["you"]["manager"] is False
    assert (state["presenter"].get("lead") or {}).get("key") != "u:" + sup.id, state
    unchanged(world, before, "ft_dcc_review_presenter")


def test_a_supervisor_cannot_widen_their_own_role(roles: Roles) -> None:
    """Roles are for administrators to give: the Supervisor of A cannot add project B to her
    role, turn it into all projects, or make herself a Supervisor anew; nothing changes."""
    sup, world = roles.supervisor, roles.world
    role_id = roles.role_rows["sup"]
    attempts = [
        [create("UserSecurityRoleProject", user_security_role_id=role_id,
                project_id=roles.projects["B"]["project"])],
        [update("UserSecurityRole", role_id, is_all_projects=True)],
        [create("UserSecurityRole", user_id=sup.id, is_all_projects=True,
                security_role_id=_role_id(roles, "Project Manager"))],
    ]  # fmt: skip
    before = snapshot(world)
    for operations in attempts:
        api_refused(_api(roles, sup, operations))
    unchanged(world, before)
    assert not _manages_b(roles)


def _role_id(roles: Roles, name: str) -> str:
    return str(roles.admin().query(f'SecurityRole where name is "{name}"').one()["id"])


def _manages_b(roles: Roles) -> bool:
    session = artist_session(roles, "B", private=True)
    return ACTS["rename"][1](roles, roles.supervisor, session).status_code == 200


def test_all_open_projects_follow_a_projects_status(roles: Roles) -> None:
    """The Project Manager's role covers all open projects: a project closed (``status``
    hidden, as ftrack closes one) leaves it, with nothing written on the refusal; reopened, it
    is covered again."""
    world = roles.world
    roles.projects["C"] = _task(world, "charlie" + new_id()[:4])
    project = roles.projects["C"]["project"]
    session = artist_session(roles, "C", private=True)
    rename = ACTS["rename"][1]
    assert rename(roles, roles.manager, session).status_code == 200
    ok(world.server, [update("Project", project, status="hidden")])
    before = snapshot(world)
    api_refused(rename(roles, roles.manager, session))
    unchanged(world, before)
    ok(world.server, [update("Project", project, status="active")])
    assert rename(roles, roles.manager, session).status_code == 200


# -- rights around a role: a project's status, a project's delete -------------------------------
def _close(roles: Roles, who: Person, project: str, status: str) -> requests.Response:
    return _api(roles, who, [update("Project", project, status=status)])


def test_only_those_who_give_roles_open_and_close_projects(roles: Roles) -> None:
    """A project's ``status`` decides what "all open projects" covers, so it is the
    administrator's, as roles are: the Project Manager of all open projects cannot reopen a
    project the administrator closed (and then run its sessions), and no User, Supervisor or
    Project Manager can close one (and so switch its Supervisors off); nothing is written on a
    refusal. Seen failing first: each of these answered 200 and the status changed."""
    world = roles.world
    roles.projects["D"] = _task(world, "delta" + new_id()[:4])
    project = roles.projects["D"]["project"]
    session = artist_session(roles, "D", private=True)
    rename = ACTS["rename"][1]
    ok(world.server, [update("Project", project, status="hidden")])  # the administrator closes it

    before = snapshot(world)
    api_refused(_close(roles, roles.manager, project, "active"))
    pm = roles.genuine(api_user=roles.manager.user, api_key=roles.manager.key)
    reopened = pm.get("Project", project)
    reopened["status"] = "active"
    with pytest.raises(Exception, match=r"(?i)administrator"):
        pm.commit()
    pm.rollback()
    unchanged(world, before)
    api_refused(rename(roles, roles.manager, session))  # still closed: not theirs to run

    ok(world.server, [update("Project", project, status="active")])  # the administrator reopens
    before = snapshot(world)
    for who in (roles.user, roles.artist, roles.supervisor, roles.manager):
        api_refused(_close(roles, who, project, "hidden"))
    api_refused(_close(roles, roles.supervisor, roles.projects["A"]["project"], "hidden"))
    unchanged(world, before)
    assert rename(roles, roles.manager, session).status_code == 200
    # what is not the status stays every User's, as in ftrack's User role
    named = _api(roles, roles.user, [update("Project", project, full_name="DELTA!")])
    assert named.status_code == 200, named.text


#: tables that keep a deleted row's id by design: the deleted-ids record (ids are never reused),
#: the audit trail and the event relay
KEEPS_DELETED_IDS = ("tombstone", "audit", "relay", "event")


def test_deleting_a_project_removes_what_points_at_it(roles: Roles) -> None:
    """An administrator deletes a project through the genuine client: its review sessions (their
    items, invitees and verdicts) and its Supervisors' ``UserSecurityRoleProject`` rows go with
    it, the Supervisor's role on another project stays, and no row anywhere names the project.
    Seen failing first: the session and the role's project row were left pointing at it."""
    world = roles.world
    roles.projects["E"] = _task(world, "echo" + new_id()[:4])
    project = roles.projects["E"]["project"]
    sup = _person(world, "supe" + new_id()[:6])
    admin = roles.admin()
    role_id = _give_role(admin, sup, "Supervisor", [project, roles.projects["A"]["project"]])
    session = artist_session(roles, "E", private=False)

    admin.delete(admin.get("Project", project))
    admin.commit()

    reader = roles.admin()
    assert not reader.query(f'ReviewSession where id is "{session.id}"').all()
    assert not reader.query(f'UserSecurityRoleProject where project_id is "{project}"').all()
    link = reader.get("UserSecurityRole", role_id)
    assert [p["project_id"] for p in link["user_security_role_projects"]] == [
        roles.projects["A"]["project"]
    ]
    left = {name: [row for row in rows if project in row]
            for name, rows in snapshot(world).tables.items()
            if not any(word in name for word in KEEPS_DELETED_IDS)}  # fmt: skip
    assert not {name: rows for name, rows in left.items() if rows}


def _open_stream_then(roles: Roles, take_back: Callable[[Person, str], None]) -> None:
    """A Supervisor follows a private session of their project (their personal link, which opens
    it because the role lets them manage it) on its ``/live`` stream; ``take_back(person, role
    id)`` takes the role back; the server must end the stream (on PostgreSQL whichever worker
    holds it)."""
    world = roles.world
    sup = _person(world, "live" + new_id()[:6])
    role_id = _give_role(roles.admin(), sup, "Supervisor", [roles.projects["A"]["project"]])
    session = artist_session(roles, "A", private=True)
    token = token_of(_widget(roles, sup, "ReviewSession", session.id, purpose="personal"))
    stream = requests.get(f"{world.url}/review/{session.id}/live", params={"token": token},
                          stream=True, timeout=120)  # fmt: skip
    assert stream.status_code == 200, stream.text[:300]
    lines: List[str] = []
    ended = threading.Event()

    def read() -> None:
        try:
            for line in stream.iter_lines(decode_unicode=True):
                lines.append(line)
        except Exception:
            pass
        ended.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        wait_until(lambda: any("connected" in line for line in list(lines)), "the stream to open")
        take_back(sup, role_id)
        wait_until(ended.is_set, "the server to end the stream of a role taken back")
    finally:
        close_stream(stream)


def test_a_role_taken_back_ends_the_open_pages_live_stream(roles: Roles) -> None:
    """An administrator takes the role back through the genuine client: the role's removal is
    a revocation of that User, not only refused at the page's next request. Seen failing first:
    the stream kept delivering."""
    admin = roles.admin()

    def take_back(_sup: Person, role_id: str) -> None:
        link = admin.get("UserSecurityRole", role_id)
        for listed in list(link["user_security_role_projects"]):
            admin.delete(listed)
        admin.delete(link)
        admin.commit()

    _open_stream_then(roles, take_back)


def test_a_role_taken_back_from_the_command_line_ends_the_open_pages_live_stream(
    roles: Roles,
) -> None:
    """``ft-dcc user role NAME --take-back supervisor`` run beside the server tells the running
    servers too (SQLite and PostgreSQL). Seen failing first: the command told no one."""

    def take_back(sup: Person, _role_id: str) -> None:
        done = ft_dcc_user(roles.world, "role", sup.user, "--take-back", "supervisor")
        assert done.returncode == 0, done.stderr

    _open_stream_then(roles, take_back)


def test_a_session_stays_in_its_project_so_its_managers_stay(roles: Roles) -> None:
    """A session's project decides who manages it, so only an administrator moves it: neither
    its creator nor the Supervisor of its project can move it into another project (taking it
    from that Supervisor, or into a project someone else runs); nothing changes. Seen failing
    first: both moves answered 200."""
    session = artist_session(roles, "A", private=False)
    before = snapshot(roles.world)
    for who in (roles.artist, roles.supervisor):
        move = [update("ReviewSession", session.id, project_id=roles.projects["B"]["project"])]
        api_refused(_api(roles, who, move))
    unchanged(roles.world, before)
    assert ACTS["rename"][1](roles, roles.supervisor, session).status_code == 200
