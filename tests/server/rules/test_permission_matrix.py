"""The permission matrix, generated from the declared ownership model.

For every entity type of ``ft_dcc.server.rules.ownership_model.MODEL``: create, update and delete
by (administrator, owner "alice", other User "mallory") of every ownership attribute (immutable,
only-to-oneself, the parent link) and one plain attribute; plus the closed and the private
review session, the invitee link's review routes and the component's file routes. The expected
answer is read from the model; each case asserts the reply, and then

- on an allowed case: the row really changed (created, updated, gone), on an estate of its own;
- on a refusal: a 4xx that says what to do, and no database row and no stored file changed
  (one snapshot around each group of a type's refusals: they share alice's estate).

A type's cases share each actor's source of new values (an estate: the refusals leave it alone,
an allowed case changes its own estate only, which may point into the source).

One server for the module (``trust_world``): the full matrix on SQLite; on PostgreSQL with 4
workers every fourth case (the same generator, a fixed slice). One test per entity type, so
parallel workers share the matrix; the size is printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Tuple

import pytest
import requests
from support.insiders import (
    Person,
    World,
    api_refused,
    assert_unchanged,
    file_bytes,
    item_post,
    route_refused,
    snapshot,
    stored_component,
    token_of,
    upload_meta,
    widget,
)
from support.trust import SERVER_LOCATION_ID, call, create, make_task, new_id, ok, update

from ft_dcc.protocol import LOCATION_UNMANAGED
from ft_dcc.server.rules.ownership_model import (
    ANYONE,
    MODEL,
    OPEN_PARENT,
    PRIVATE_SESSION_MEMBERS,
    Ownership,
)

#: the create kinds whose answer depends on whether the review session is private
BY_PRIVACY = (OPEN_PARENT, PRIVATE_SESSION_MEMBERS)

#: the concrete type the matrix writes for a family
CONCRETE = {"Component": "FileComponent"}
#: the estate key of each type's row (composite keys: see KEYS)
ROW = {
    "Asset": "asset", "AssetVersion": "version", "Component": "component",
    "ComponentLocation": "location", "ReviewSession": "session", "ReviewSessionObject": "item",
    "ReviewSessionInvitee": "invitee", "ReviewSessionObjectStatus": "status", "Note": "note",
}  # fmt: skip
#: composite keys: type -> estate keys in key order
KEYS = {
    "NoteComponent": ("drawing", "note"),
    "NoteLabelLink": ("note", "label"),
    "Recipient": ("note", "person"),
}
#: a plain attribute per type and the value an update gives it
PLAIN = {
    "Asset": ("name", "renamed"), "AssetVersion": ("comment", "changed"),
    "Component": ("name", "renamed"), "ComponentLocation": ("resource_identifier", "elsewhere"),
    "ReviewSession": ("name", "renamed"), "ReviewSessionObject": ("name", "renamed"),
    "ReviewSessionInvitee": ("name", "Renamed"), "ReviewSessionObjectStatus": ("status", "x"),
    "Note": ("content", "rewritten"),
}  # fmt: skip
#: where an ownership attribute is moved to: the estate key (or person) of the new value
MOVED_TO = {
    "user_id": "person", "created_by_id": "person", "version_id": "version",
    "component_id": "drawing", "status_id": "status_alt", "review_session_id": "session",
    "email": "email",
    "review_session_object_id": "item", "review_session_invitee_id": "invitee",
    "parent_id": "item", "parent_type": "parent_type", "in_reply_to_id": "note",
    "location_id": "unmanaged", "container_id": None, "note_id": None,
}  # fmt: skip
ACTORS = ("admin", "owner", "other")
Check = Callable[[World], bool]


@dataclass
class Case:
    """One cell of the matrix."""

    name: str
    type_name: str
    actor: str
    allowed: bool
    #: the operations and, for an allowed case, what must hold afterwards; given alice's estate
    #: and the estate the new values come from
    operations: Callable[[Dict[str, str], Dict[str, str]], Tuple[List[Dict[str, Any]], Check]]
    closed: bool = False
    private: bool = True
    extra: Dict[str, Any] = field(default_factory=dict)


# -- estates -----------------------------------------------------------------------------------
def estate(world: World, who: Person, base: Dict[str, str], *, private: bool = True,
           closed: bool = False) -> Dict[str, str]:  # fmt: skip
    """``who``'s asset, version, component (+ server location), a drawing component, a review
    session (private unless told) with an item, an invitee and a verdict, a note with a drawing
    link, a label link and a recipient: one batch as ``who``."""
    e = {k: new_id() for k in ("asset", "version", "component", "drawing", "location",
                               "session", "item", "invitee", "status", "note")}  # fmt: skip
    e.update(base, person=who.id, email=f"c-{e['invitee'][:8]}@client.example",
             parent_type="AssetVersion", unmanaged=LOCATION_UNMANAGED[0])  # fmt: skip
    end = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=-1 if closed else 7)
    ops = [
        create("Asset", id=e["asset"], name="m" + e["asset"][:8], context_id=e["shot"]),
        create("AssetVersion", id=e["version"], asset_id=e["asset"], task_id=e["task"]),
        create("FileComponent", id=e["component"], name="main", version_id=e["version"]),
        create("FileComponent", id=e["drawing"], name="drawing"),
        create("ComponentLocation", id=e["location"], component_id=e["component"],
               location_id=SERVER_LOCATION_ID, resource_identifier=e["component"]),
        create("ReviewSession", id=e["session"], name="m", project_id=e["project"],
               shareable_url_enabled=not private),
        create("ReviewSessionObject", id=e["item"], name="i", review_session_id=e["session"],
               version_id=e["version"]),
        create("ReviewSessionInvitee", id=e["invitee"], name="Client", email=e["email"],
               review_session_id=e["session"]),
        create("ReviewSessionObjectStatus", id=e["status"], status="approved",
               review_session_object_id=e["item"], review_session_invitee_id=e["invitee"]),
        create("Note", id=e["note"], content="n", parent_id=e["item"],
               parent_type="ReviewSessionObject"),
        _create_linked("NoteComponent", e, component_id=e["drawing"], note_id=e["note"]),
        _create_linked("NoteLabelLink", e, note_id=e["note"], label_id=e["label"]),
        _create_linked("Recipient", e, note_id=e["note"], resource_id=who.id),
    ]  # fmt: skip
    ok(world.server, ops, **who.auth)
    if closed:  # closed after its content is in (a closed session takes nothing new)
        ok(world.server, [update("ReviewSession", e["session"], end_date=end.isoformat())],
           **who.auth)  # fmt: skip
    return e


def _create_linked(type_name: str, e: Dict[str, str], **data: str) -> Dict[str, Any]:
    key = [data[name] for name in _key_columns(type_name)]
    return {"action": "create", "entity_type": type_name, "entity_key": key,
            "entity_data": dict(data, __entity_type__=type_name)}  # fmt: skip


def _key_columns(type_name: str) -> Tuple[str, ...]:
    return {"NoteComponent": ("component_id", "note_id"), "NoteLabelLink": ("note_id", "label_id"),
            "Recipient": ("note_id", "resource_id")}[type_name]  # fmt: skip


def _key(spec: Ownership, e: Dict[str, str]) -> List[str]:
    if spec.type_name in KEYS:
        return [e[name] for name in KEYS[spec.type_name]]
    return [e[ROW[spec.type_name]]]


def _exists(world: World, type_name: str, key: List[str]) -> bool:
    columns = _key_columns(type_name) if type_name in KEYS else ("id",)
    where = " and ".join(f'{c} is "{v}"' for c, v in zip(columns, key))
    rows = ok(world.server, [{"action": "query",
                              "expression": f"select {columns[0]} from {type_name} where {where}"}]
              )[0]["data"]  # fmt: skip
    return bool(rows)


def _value_of(world: World, type_name: str, ident: str, name: str) -> Any:
    rows = ok(world.server, [{"action": "query", "expression":
                              f'select {name} from {type_name} where id is "{ident}"'}]
              )[0]["data"]  # fmt: skip
    return rows[0][name] if rows else None


# -- the generator -----------------------------------------------------------------------------
def ownership_attributes(spec: Ownership) -> List[str]:
    names = dict.fromkeys(spec.immutable + spec.self_only + spec.open_fields)
    return [n for n in names if MOVED_TO.get(n)]


def _op(action: str, type_name: str, key: List[str], data: Dict[str, Any]) -> Dict[str, Any]:
    operation: Dict[str, Any] = {"action": action, "entity_type": type_name, "entity_key": key}
    if action != "delete":
        operation["entity_data"] = dict(data, __entity_type__=type_name)
    return operation


def update_cases(spec: Ownership) -> List[Case]:
    if spec.type_name in KEYS:
        return []  # every attribute is the key: changed only by delete and create
    type_name = CONCRETE.get(spec.type_name, spec.type_name)
    plain, plain_value = PLAIN[spec.type_name]
    cases = []
    for name in [plain, *ownership_attributes(spec)]:
        owned = name != plain and name not in spec.open_fields
        for actor in ACTORS:

            def operations(mine: Dict[str, str], source: Dict[str, str], name: str = name
                           ) -> Tuple[List[Dict[str, Any]], Check]:  # fmt: skip
                new = plain_value if name == plain else source[MOVED_TO[name] or ""]
                ident = mine[ROW[spec.type_name]]
                return ([update(type_name, ident, **{name: new})],
                        lambda world: _value_of(world, type_name, ident, name) == new)  # fmt: skip

            allowed = actor == "admin" or (actor == "owner" and not owned)
            allowed = allowed or name in spec.open_fields
            cases.append(Case(f"update {spec.type_name}.{name} as {actor}", spec.type_name,
                              actor, allowed, operations))  # fmt: skip
    return cases


def delete_cases(spec: Ownership) -> List[Case]:
    type_name = CONCRETE.get(spec.type_name, spec.type_name)
    cases = []
    for actor in ACTORS:

        def operations(mine: Dict[str, str], source: Dict[str, str]
                       ) -> Tuple[List[Dict[str, Any]], Check]:  # fmt: skip
            key = _key(spec, mine)
            return ([_op("delete", type_name, key, {})],
                    lambda world: not _exists(world, type_name, key))  # fmt: skip

        cases.append(Case(f"delete {spec.type_name} as {actor}", spec.type_name, actor,
                          actor in ("admin", "owner"), operations))  # fmt: skip
    return cases


def _create_data(spec: Ownership, e: Dict[str, str], person: str) -> Tuple[List[str], Dict]:
    """A new row of ``spec``'s type attached to estate ``e`` (key, entity_data)."""
    fresh = new_id()
    data: Dict[str, Any] = {
        "Asset": {"name": "n" + fresh[:8], "context_id": e["shot"]},
        "AssetVersion": {"asset_id": e["asset"], "task_id": e["task"]},
        "Component": {"name": "extra", "version_id": e["version"]},
        "ComponentLocation": {"component_id": e["component"], "location_id": e["unmanaged"],
                              "resource_identifier": "x"},
        "ReviewSession": {"name": "s", "project_id": e["project"]},
        "ReviewSessionObject": {"name": "i", "review_session_id": e["session"],
                                "version_id": e["version"]},
        "ReviewSessionInvitee": {"name": "n", "email": f"{fresh[:6]}@x.example",
                                 "review_session_id": e["session"]},
        "ReviewSessionObjectStatus": {"status": "approved", "review_session_object_id": e["item"],
                                      "review_session_invitee_id": e["invitee"]},
        "Note": {"content": "c", "parent_id": e["item"], "parent_type": "ReviewSessionObject"},
        "NoteComponent": {"component_id": e["component"], "note_id": e["note"]},
        "NoteLabelLink": {"note_id": e["note"], "label_id": e["label2"]},
        "Recipient": {"note_id": e["note"], "resource_id": person},
    }[spec.type_name]  # fmt: skip
    if spec.type_name in KEYS:
        return [data[c] for c in _key_columns(spec.type_name)], data
    data["id"] = fresh
    return [fresh], data


def _creates(spec: Ownership, impersonate: bool = False, foreign: bool = False,
             on_version: bool = False) -> Callable[..., Any]:  # fmt: skip
    """A create of ``spec``'s type in alice's estate; ``impersonate``: naming someone else as
    its author; ``foreign``: speaking for an invitee of another session; ``on_version``: a note
    on alice's version instead of her review item."""
    type_name = CONCRETE.get(spec.type_name, spec.type_name)

    def operations(mine: Dict[str, str], source: Dict[str, str]
                   ) -> Tuple[List[Dict[str, Any]], Check]:  # fmt: skip
        key, data = _create_data(spec, mine, source["person"])
        if impersonate:
            data[spec.self_only[0]] = source["victim"]
        if foreign and spec.speaks_for:
            data[spec.speaks_for] = source["invitee"]
        if on_version:
            data.update(parent_id=mine["version"], parent_type="AssetVersion")
        return ([_op("create", type_name, key, data)],
                lambda world: _exists(world, type_name, key))  # fmt: skip

    return operations


def create_cases(spec: Ownership) -> List[Case]:
    cases = []
    for actor in ACTORS:
        for private in (True, False) if spec.create in BY_PRIVACY else (True,):
            allowed = actor != "other" or spec.create == ANYONE
            allowed = allowed or (spec.create in BY_PRIVACY and not private)
            where = "" if spec.create not in BY_PRIVACY else (" (private)" if private
                                                              else " (open)")  # fmt: skip
            cases.append(Case(f"create {spec.type_name}{where} as {actor}", spec.type_name,
                              actor, allowed, _creates(spec), private=private))  # fmt: skip
        if spec.self_only and actor != "admin":
            cases.append(Case(f"create {spec.type_name} naming someone else as "
                              f"{spec.self_only[0]} as {actor}", spec.type_name, actor, False,
                              _creates(spec, impersonate=True)))  # fmt: skip
        if spec.speaks_for:  # only for an invitee of the row's own session
            cases.append(Case(f"create {spec.type_name} naming another session's invitee as "
                              f"{actor}", spec.type_name, actor, actor == "admin",
                              _creates(spec, foreign=True)))  # fmt: skip
        if spec.in_session:  # outside review sessions: any User, as in ftrack
            cases.append(
                Case(
                    f"create {spec.type_name} on a version as {actor}",
                    spec.type_name,
                    actor,
                    True,
                    _creates(spec, on_version=True),
                )
            )
    return cases


def closed_cases() -> List[Case]:
    """A closed session takes no new item, verdict or note (administrators included), nor an
    item moved into it; only its owner or an administrator reopens it."""
    cases = []
    for actor in ACTORS:
        for type_name in ("ReviewSessionObject", "ReviewSessionObjectStatus", "Note"):
            spec = next(s for s in MODEL if s.type_name == type_name)
            cases.append(Case(f"create {type_name} in a closed session as {actor}", type_name,
                              actor, False, _creates(spec), closed=True))  # fmt: skip

        def move(mine: Dict[str, str], source: Dict[str, str]
                 ) -> Tuple[List[Dict[str, Any]], Check]:  # fmt: skip
            item = source["item"]
            return ([update("ReviewSessionObject", item, review_session_id=mine["session"])],
                    lambda world: True)  # fmt: skip

        def reopen(mine: Dict[str, str], source: Dict[str, str]
                   ) -> Tuple[List[Dict[str, Any]], Check]:  # fmt: skip
            later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=7)
            session = mine["session"]
            return ([update("ReviewSession", session, end_date=later.isoformat())],
                    lambda world: _value_of(world, "ReviewSession", session,
                                            "is_open"))  # fmt: skip

        cases.append(Case(f"move an item into a closed session as {actor}",
                          "ReviewSessionObject", actor, False, move, closed=True))  # fmt: skip
        cases.append(Case(f"reopen a closed session as {actor}", "ReviewSession", actor,
                          actor != "other", reopen, closed=True))  # fmt: skip
    return cases


def matrix() -> List[Case]:
    cases: List[Case] = []
    for spec in MODEL:
        cases += create_cases(spec) + update_cases(spec) + delete_cases(spec)
    return cases + closed_cases()


# -- running it --------------------------------------------------------------------------------
@dataclass
class Runner:
    world: World
    base: Dict[str, str]

    def person(self, actor: str) -> Person:
        return {"admin": self.world.admin, "owner": self.world.alice,
                "other": self.world.mallory}[actor]  # fmt: skip

    def source(self, actor: str) -> Dict[str, str]:
        """Where new values come from: the other User's estate for the administrator and for
        the other User, alice's second estate for alice; a person always the other User (a
        change of owner); the victim of an impersonation."""
        who = self.world.alice if actor == "owner" else self.world.mallory
        found = estate(self.world, who, self.base)
        return dict(found, person=self.world.mallory.id, victim=self.world.admin.id)

    def run(self, case: Case, mine: Dict[str, str], source: Dict[str, str]) -> None:
        operations, check = case.operations(mine, source)
        response = call(self.world.server, operations, **self.person(case.actor).auth)
        if case.allowed:
            assert response.status_code == 200, (case.name, response.text[:800])
            assert check(self.world), f"{case.name}: answered 200 but did not happen"
            return
        assert 400 <= response.status_code < 500, (case.name, response.status_code,
                                                   response.text[:800])  # fmt: skip
        api_refused(response, response.status_code)


def _base(world: World) -> Dict[str, str]:
    task = make_task(world.server)
    labels = [new_id(), new_id()]
    statuses = ok(world.server, [{"action": "query", "expression": "select id from Status"}])
    ok(world.server, [create("NoteCategory", id=labels[0], name="l" + labels[0][:6]),
                      create("NoteCategory", id=labels[1], name="l" + labels[1][:6])])  # fmt: skip
    return dict(task, label=labels[0], label2=labels[1],
                status_alt=statuses[0]["data"][-1]["id"])  # fmt: skip


@pytest.fixture(scope="module")
def runner(trust_world: World) -> Runner:
    return Runner(trust_world, _base(trust_world))


def cases_of(backend: str) -> List[Case]:
    """The matrix on ``backend``: all of it on SQLite, on PostgreSQL with 4 workers a fixed
    quarter of the same matrix."""
    cases = matrix()
    return cases if backend == "sqlite" else cases[::4]


#: one test per entity type of the model, so parallel workers share the matrix
TYPES = [spec.type_name for spec in MODEL]


def test_every_case_of_the_matrix_is_in_one_type_test(artifacts_dir: Any) -> None:
    """Every case (on both backends) belongs to one of the per-type tests below, and each of
    those has cases; the lists go to test-artifacts/permission-matrix-<backend>.txt."""
    for backend in ("sqlite", "postgresql-4-workers"):
        cases = cases_of(backend)
        assert {c.type_name for c in cases} == set(TYPES), backend
        print(f"\npermission matrix ({backend}): {len(cases)} cases, "
              f"{sum(c.allowed for c in cases)} allowed")  # fmt: skip
        (artifacts_dir / f"permission-matrix-{backend}.txt").write_text(
            "\n".join(f"{'allow' if c.allowed else 'refuse'}\t{c.name}" for c in cases) + "\n"
        )


@pytest.mark.parametrize("type_name", TYPES)
def test_the_permission_matrix_of_the_ownership_model(runner: Runner, type_name: str) -> None:
    world = runner.world
    cases = [c for c in cases_of(world.backend) if c.type_name == type_name]
    groups: Dict[Tuple[bool, bool], List[Case]] = {}
    for case in (c for c in cases if not c.allowed):
        groups.setdefault((case.closed, case.private), []).append(case)
    # one source of new values per actor: a refusal leaves it alone, an allowed case changes
    # only its own estate (it may point there, at rows of the source)
    sources = {actor: runner.source(actor) for actor in sorted({c.actor for c in cases})}
    ran = 0
    for (closed, private), group in sorted(groups.items()):
        theirs = estate(world, world.alice, runner.base, private=private, closed=closed)
        before = snapshot(world)
        for case in group:
            runner.run(case, theirs, sources[case.actor])
            ran += 1
        assert_unchanged(world, before)
    for case in (c for c in cases if c.allowed):
        mine = estate(world, world.alice, runner.base, private=case.private, closed=case.closed)
        runner.run(case, mine, sources[case.actor])
        ran += 1
    print(f"\npermission matrix ({world.backend}) of {type_name}: {len(cases)} cases")
    assert ran == len(cases) > 0


# -- the file routes and the invitee link --------------------------------------------------------
def _remove(world: World, who: Person, component: str) -> requests.Response:
    return requests.get(f"{world.url}/component/remove", params={"id": component},
                        headers={"ftrack-user": who.user, "ftrack-api-key": who.key},
                        timeout=30)  # fmt: skip


@pytest.mark.parametrize("actor", ACTORS)
def test_the_file_routes_follow_the_model(runner: Runner, actor: str) -> None:
    """Upload metadata for, and removal of, alice's component's file: her and administrators
    only; a refusal leaves the database and the file store alone."""
    world = runner.world
    theirs = estate(world, world.alice, runner.base)
    component = stored_component(world, world.alice, theirs["version"], b"data" * 50, "extra",
                                 "extra.bin")  # fmt: skip
    who = runner.person(actor)
    fresh = estate(world, world.alice, runner.base)["drawing"]  # alice's, no file yet
    if actor == "other":
        before = snapshot(world)
        meta = call(world.server, [{"action": "get_upload_metadata", "file_name": "x.bin",
                                    "component_id": fresh, "file_size": 4}],
                    **who.auth)  # fmt: skip
        api_refused(meta, 403)
        route_refused(_remove(world, who, component), (403,))
        assert file_bytes(world, component) == b"data" * 50
        assert_unchanged(world, before)
        return
    assert upload_meta(world, who, fresh, 4)["url"]
    removed = _remove(world, who, component)
    assert removed.status_code == 200, removed.text
    assert file_bytes(world, component) is None


@pytest.mark.parametrize("closed", [False, True])
def test_the_invitee_link_writes_only_into_its_open_session(runner: Runner, closed: bool) -> None:
    world = runner.world
    # the estate's verdict for the client is alice's row: the client's own answer replaces it
    theirs = estate(world, world.alice, runner.base, closed=closed)
    review = _review(theirs)
    token = token_of(widget(world, world.alice, "ReviewSessionInvitee", theirs["invitee"]))
    before = snapshot(world)
    verdict = item_post(world, review, token, "status", status="require_changes")
    note = item_post(world, review, token, "notes", content="from the client")
    if not closed:
        assert verdict.status_code == 200, verdict.text
        assert note.status_code == 201, note.text
        where = f'review_session_object_id is "{theirs["item"]}"'
        rows = ok(world.server, [{"action": "query", "expression":
                                  f"select status from ReviewSessionObjectStatus where {where}"}]
                  )[0]["data"]  # fmt: skip
        assert [r["status"] for r in rows] == ["require_changes"]
        return
    route_refused(verdict, (403, 409))
    route_refused(note, (403, 409))
    assert_unchanged(world, before)
    elsewhere = estate(world, world.alice, runner.base)
    stray = requests.post(f"{world.url}/review/{elsewhere['session']}/notes",
                          params={"token": token}, timeout=30,
                          json={"object_id": elsewhere["item"], "content": "x"})  # fmt: skip
    assert stray.status_code in (401, 403, 404), stray.text


def _review(e: Dict[str, str]) -> Any:
    from support.insiders import Review

    return Review(e["session"], e["item"], e["invitee"], e["email"], {})


def test_the_permissions_table_in_the_docs_is_the_model() -> None:
    from pathlib import Path

    from ft_dcc.server.rules.ownership_model import permissions_table

    text = (Path(__file__).resolve().parents[3] / "docs" / "architecture.md").read_text("utf-8")
    start = text.index("<!-- permissions-table")
    body = text[text.index("\n", start) + 1 : text.index("<!-- /permissions-table -->")]
    assert body.strip().splitlines() == permissions_table(), (
        "docs/architecture.md's Permissions table differs from the model: paste "
        "ft_dcc.server.rules.ownership_model.permissions_table() between its markers"
    )
