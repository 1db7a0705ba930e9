"""A write's rights are decided on the row as it will be stored: a generator.

For every entity type and every field that names a parent or an owner, derived from the ownership
model (``ft_dcc.server.rules.ownership_model.MODEL``: parent columns, only-to-oneself fields,
the invitee a verdict speaks for, the item a note is written in) and from the schema (a primary
key column naming any row: ``EntitySetting.parent_id``, ``Metadata.parent_id``), mallory tries to
reach alice's row (or a project's settings) through each way the field can be set:

- ``data``: in ``entity_data``;
- ``default``: left out, for the server to fill (what it stores names no one else: an author or
  creator is the caller; a missing parent is refused);
- ``key``: in ``entity_key`` only (a key field; the data leaves it out: the hostile round's finding,
  an ``EntitySetting`` keyed under someone else's session with ``parent_type`` in the data);
- ``key-vs-data``: the key names alice's row, the data mallory's own (and the other way round);
- ``update``: her own row, made in an earlier request, updated to name alice's;
- ``batch``: her own row created and updated to name alice's in one batch;
- ``batch-back``: created naming alice's row and updated back to her own in one batch (each
  step is judged, not only the batch's end);
- ``collection``: the field set from the other side, by an update of mallory's own parent
  row whose collection (``ReviewSession.settings``, ``AssetVersion.components``…, found in the
  schema model by the column pointing back) lists alice's row: alice's row would move to her.

Each is refused (4xx, saying what to do) and no database row or stored file changes (one
snapshot around each field's attempts). Every derived field has a target below or a reason in
``EXCUSED``; a new field in the model or the schema fails ``test_every_field_is_covered`` until it
gets one. The same on SQLite and on PostgreSQL with 4 workers (``trust_world``).

Seen failing first: on the code before this test, ``EntitySetting.parent_id`` through ``key``
was stored (200) and so was ``Metadata.parent_id`` through ``key`` (a plain User wrote a
project's ft_dcc settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest
import requests
from support.insiders import WHAT_TO_DO, World, assert_unchanged, snapshot
from support.trust import call, new_id, ok

from ft_dcc.protocol import PROJECT_SETTINGS_KEY
from ft_dcc.protocol.schemas import load_schemas
from ft_dcc.server.model.schema import SchemaModel
from ft_dcc.server.rules.ownership_model import MODEL

from .test_permission_matrix import _base, estate

#: the concrete type written for a family
CONCRETE = {"Component": "FileComponent"}
#: primary key columns that may name any row (a polymorphic parent)
POLYMORPHIC = ("parent_id", "entity_id")
#: derived fields left out (by type name ending, column), and why
EXCUSED = {
    ("CustomAttributeValue", "entity_id"): "ftrack's User role sets custom attributes of the "
    "objects it sees; no right of the embedded server rests on a custom attribute value",
}


def excused(type_name: str, column: str) -> bool:
    return any(type_name.endswith(end) and column == name for end, name in EXCUSED)


@dataclass(frozen=True)
class Field:
    """A field naming a parent or owner: its type, column and the type of the row it names."""

    type_name: str
    column: str
    target: str

    @property
    def name(self) -> str:
        return f"{self.type_name}.{self.column}"


def model_fields() -> List[Field]:
    """The ownership model's fields: parent columns, only-to-oneself, speaks-for, in-session."""
    found: List[Field] = []
    for spec in MODEL:
        if spec.parent is not None:
            found.append(Field(spec.type_name, spec.parent.column, spec.parent.type_name))
        found += [Field(spec.type_name, name, "User") for name in spec.self_only]
        if spec.speaks_for:
            found.append(Field(spec.type_name, spec.speaks_for, "ReviewSessionInvitee"))
        if spec.in_session:
            found.append(Field(spec.type_name, spec.in_session, "ReviewSessionObject"))
    return found


#: what a polymorphic key column of the schema is aimed at: the rows whose rights rest on it
POLYMORPHIC_TARGETS = {("EntitySetting", "parent_id"): "ReviewSession",
                       ("Metadata", "parent_id"): "Project"}  # fmt: skip


def schema_fields() -> List[Field]:
    """Primary key columns of the schema that may name any row (a polymorphic parent)."""
    found = []
    for schema in load_schemas():
        for column in schema.get("primary_key") or []:
            pair = (schema["id"], column)
            if column in POLYMORPHIC and not excused(*pair):
                found.append(Field(schema["id"], column, POLYMORPHIC_TARGETS.get(pair, "?")))
    return found


FIELDS = model_fields() + schema_fields()
MODEL_TYPES = SchemaModel(load_schemas()).types
#: the estate key of a row of each type (alice's, or mallory's parent row)
ROW = {"AssetVersion": "version", "Component": "component", "ComponentLocation": "location",
       "ReviewSession": "session", "ReviewSessionObject": "item",
       "ReviewSessionInvitee": "invitee", "ReviewSessionObjectStatus": "status", "Note": "note",
       "Project": "project"}  # fmt: skip


def collections_setting(f: Field) -> List[str]:
    """The collections of ``f.target`` whose members' ``f.column`` points back at it."""
    target, child = MODEL_TYPES.get(f.target), MODEL_TYPES.get(f.type_name)
    if target is None or child is None:
        return []
    return sorted(
        attr.name for attr in target.attributes.values()
        if attr.kind == "collection" and attr.remote_key == f.column and attr.target
        and MODEL_TYPES[attr.target].family == child.family
    )  # fmt: skip


def alices_child(f: Field, a: Dict[str, str]) -> Dict[str, Any]:
    """A reference to alice's row of ``f``'s type (for a collection)."""
    type_name = CONCRETE.get(f.type_name, f.type_name)
    columns = key_columns(type_name)
    if columns != ("id",):  # a row keyed by what it joins: alice's estate names each part
        parts = {"component_id": a["drawing"], "note_id": a["note"], "label_id": a["label"],
                 "resource_id": a["person"], "parent_id": a["session"], "group": "review",
                 "name": "download_policy"}  # fmt: skip
        return dict({c: parts[c] for c in columns}, __entity_type__=type_name)
    return {"__entity_type__": type_name, "id": a[ROW[f.type_name]]}


# -- the rows: mallory's own (the base of each attempt), alice's (the targets) ------------------
def key_columns(type_name: str) -> Tuple[str, ...]:
    for schema in load_schemas():
        if schema["id"] == type_name:
            return tuple(schema["primary_key"])
    raise KeyError(type_name)


def own_row(type_name: str, m: Dict[str, str], world: World) -> Dict[str, Any]:
    """A new row of ``type_name`` in mallory's estate ``m`` (what she may create)."""
    fresh = new_id()
    return {
        "Component": lambda: {"name": "extra", "version_id": m["version"]},
        "ComponentLocation": lambda: {"component_id": m["component"], "location_id":
                                      m["unmanaged"], "resource_identifier": fresh},
        "AssetVersion": lambda: {"asset_id": m["asset"], "task_id": m["task"]},
        "ReviewSession": lambda: {"name": "s", "project_id": m["project"]},
        "ReviewSessionObject": lambda: {"name": "i", "review_session_id": m["session"],
                                        "version_id": m["version"]},
        "ReviewSessionInvitee": lambda: {"name": "n", "email": f"{fresh[:6]}@x.example",
                                         "review_session_id": m["session"]},
        "ReviewSessionObjectStatus": lambda: {"status": "approved", "review_session_object_id":
                                              m["item"], "review_session_invitee_id": m["invitee"]},
        "Note": lambda: {"content": "c", "parent_id": m["item"],
                         "parent_type": "ReviewSessionObject"},
        "NoteComponent": lambda: {"component_id": _drawing(world, m), "note_id": m["note"]},
        "NoteLabelLink": lambda: {"note_id": m["note"], "label_id": m["label2"]},
        "Recipient": lambda: {"note_id": m["note"], "resource_id": world.admin.id},
        "EntitySetting": lambda: {"parent_id": m["session"], "group": "review",
                                  "name": "x" + fresh[:8], "value": "original",
                                  "parent_type": "ReviewSession"},
        "Metadata": lambda: {"parent_id": m["version"], "key": "k" + fresh[:8], "value": "{}"},
    }[type_name]()  # fmt: skip


def _drawing(world: World, m: Dict[str, str]) -> str:
    """A new component of mallory's to link to her note."""
    ident = new_id()
    ok(world.server, [_create("FileComponent", ident, {"name": "drawing"})], **world.mallory.auth)
    return ident


def target_value(target: str, a: Dict[str, str], world: World) -> str:
    """alice's row of ``target`` (a Project: its ft_dcc settings are administrators' only)."""
    return {"User": world.alice.id, "Project": a["project"]}.get(target) or a[{
        "AssetVersion": "version", "Component": "component", "ReviewSession": "session",
        "ReviewSessionObject": "item", "ReviewSessionInvitee": "invitee", "Note": "note",
    }[target]]  # fmt: skip


# -- the operations ------------------------------------------------------------------------------
def _create(type_name: str, ident: Optional[str], data: Dict[str, Any],
            key: Optional[List[str]] = None) -> Dict[str, Any]:  # fmt: skip
    body = dict(data, __entity_type__=type_name)
    if ident is not None:
        body["id"] = ident
    return {"action": "create", "entity_type": type_name,
            "entity_key": key if key is not None else [ident], "entity_data": body}  # fmt: skip


def _update(type_name: str, key: List[str], data: Dict[str, Any]) -> Dict[str, Any]:
    return {"action": "update", "entity_type": type_name, "entity_key": key,
            "entity_data": dict(data, __entity_type__=type_name)}  # fmt: skip


@dataclass
class Attempt:
    """One way of setting the field: its name and the batch mallory sends."""

    way: str
    operations: List[Dict[str, Any]]


def attempts(f: Field, world: World, m: Dict[str, str], a: Dict[str, str],
             made: Tuple[List[str], Dict[str, Any]]) -> List[Attempt]:  # fmt: skip
    """Every way ``f`` can be set to alice's row; ``made``: mallory's row made beforehand."""
    type_name = CONCRETE.get(f.type_name, f.type_name)
    columns = key_columns(type_name)
    victim = target_value(f.target, a, world)
    if f.type_name == "Metadata":
        victim_extra: Dict[str, Any] = {"key": PROJECT_SETTINGS_KEY}
    else:
        victim_extra = {}

    def row(**changes: Any) -> Tuple[Optional[str], Dict[str, Any], List[str]]:
        data = dict(own_row(f.type_name, m, world), **changes)
        ident = None if columns != ("id",) else new_id()
        key = [ident] if ident else [str(data[c]) for c in columns]
        return ident, data, key

    found = []
    ident, data, key = row(**{f.column: victim}, **victim_extra)
    found.append(Attempt("data", [_create(type_name, ident, data, key)]))
    if f.column in columns:
        ident, data, key = row(**{f.column: victim}, **victim_extra)
        found.append(Attempt("key", [_create(type_name, ident, _without(data, f.column), key)]))
        ident, own, own_key = row(**victim_extra)
        found.append(Attempt("key-vs-data", [_create(type_name, ident, own, key)]))
        found.append(Attempt("data-vs-key", [_create(type_name, ident, data, own_key)]))
    made_key, _made_data = made
    found.append(Attempt("update", [_update(type_name, made_key, {f.column: victim})]))
    ident, own, own_key = row(**victim_extra)
    found.append(Attempt("batch", [_create(type_name, ident, own, own_key),
                                   _update(type_name, own_key, {f.column: victim})]))  # fmt: skip
    if f.column not in columns:
        ident, data, key = row(**{f.column: victim}, **victim_extra)
        back = {f.column: own[f.column]} if f.column in own else {f.column: None}
        found.append(Attempt("batch-back", [_create(type_name, ident, data, key),
                                            _update(type_name, key, back)]))  # fmt: skip
    for name in collections_setting(f):
        parent_type = CONCRETE.get(f.target, f.target)
        found.append(Attempt(f"collection {name}", [_update(
            parent_type, [m[ROW[f.target]]], {name: [alices_child(f, a)]})]))  # fmt: skip
    return found


def _without(data: Dict[str, Any], name: str) -> Dict[str, Any]:
    return {k: v for k, v in data.items() if k != name}


def _refused(response: requests.Response, what: str) -> str:
    assert 400 <= response.status_code < 500, (what, response.status_code, response.text[:1500])
    message = str(response.json().get("content") or "")
    assert WHAT_TO_DO.search(message), (what, f"the refusal does not say what to do: {message!r}")
    return message


# -- the tests -----------------------------------------------------------------------------------
@dataclass
class Estates:
    world: World
    alice: Dict[str, str]
    mallory: Dict[str, str]
    make: Callable[[Field], Tuple[List[str], Dict[str, Any]]]


@pytest.fixture(scope="module")
def estates(trust_world: World) -> Estates:
    world = trust_world
    base = _base(world)
    a = estate(world, world.alice, base)
    m = estate(world, world.mallory, base)
    policy = {"action": "create", "entity_type": "EntitySetting",
              "entity_key": [a["session"], "review", "download_policy"],
              "entity_data": {"__entity_type__": "EntitySetting", "value": "none",
                              "parent_type": "ReviewSession"}}  # fmt: skip
    ok(world.server, [policy], **world.alice.auth)  # alice's setting (a collection's target)

    def make(f: Field) -> Tuple[List[str], Dict[str, Any]]:
        """mallory's own row of ``f``'s type, created (allowed): the base of ``update``."""
        type_name = CONCRETE.get(f.type_name, f.type_name)
        columns = key_columns(type_name)
        data = own_row(f.type_name, m, world)
        ident = new_id() if columns == ("id",) else None
        key = [ident] if ident else [str(data[c]) for c in columns]
        ok(world.server, [_create(type_name, ident, data, key)], **world.mallory.auth)
        return key, data

    return Estates(world, a, m, make)


@pytest.mark.parametrize("f", FIELDS, ids=[f.name for f in FIELDS])
def test_no_way_of_setting_a_field_reaches_another_persons_row(estates: Estates, f: Field) -> None:
    world = estates.world
    made = estates.make(f)  # also proves mallory may write such a row of her own
    tried = attempts(f, world, estates.mallory, estates.alice, made)
    before = snapshot(world)
    for attempt in tried:
        response = call(world.server, attempt.operations, **world.mallory.auth)
        _refused(response, f"{f.name} through {attempt.way}")
    assert_unchanged(world, before)
    print(f"{world.backend} {f.name}: {len(tried)} ways refused: "
          f"{', '.join(t.way for t in tried)}")  # fmt: skip
    check_default(f, world, estates.mallory, estates.alice)


def check_default(f: Field, world: World, m: Dict[str, str], a: Dict[str, str]) -> None:
    """``default``: the field left out (of the data, and of the key), the server fills it or
    refuses the row; what it stores never names alice's row (an author or creator: mallory)."""
    type_name = CONCRETE.get(f.type_name, f.type_name)
    columns = key_columns(type_name)
    data = _without(own_row(f.type_name, m, world), f.column)
    ident = new_id() if columns == ("id",) else None
    key = [ident] if ident else [str(data.get(c, "")) for c in columns]
    response = call(world.server, [_create(type_name, ident, data, key)], **world.mallory.auth)
    if response.status_code != 200:
        _refused(response, f"{f.name} left to its default")
        return
    stored = response.json()[0]["data"].get(f.column)
    assert stored != target_value(f.target, a, world), f"{f.name}'s default names alice's row"
    if f.target == "User":
        assert stored in (None, world.mallory.id), (f.name, stored)


def test_every_field_is_covered() -> None:
    """Each derived field has a target row, and the generator yields the ways for it."""
    assert FIELDS, "no field derived"
    missing = [f.name for f in FIELDS if f.target == "?"]
    assert not missing, f"fields without a target (add one, or a reason in EXCUSED): {missing}"
    names = {f.name for f in FIELDS}
    for needed in ("EntitySetting.parent_id", "Metadata.parent_id",
                   "ReviewSessionObject.review_session_id", "ReviewSession.created_by_id"):
        assert needed in names
