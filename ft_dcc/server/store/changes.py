"""Describe what a batch changed, for ``ftrack.update`` events (``Store.run`` returns them)."""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Tuple, cast

from ft_dcc.protocol.json_value import JsonValue
from ft_dcc.server.model import secret_fields as passphrase
from ft_dcc.server.model.schema import EntityType, SchemaModel
from ft_dcc.server.query.values import StoredRow, storage_to_wire
from ft_dcc.server.rules.registry import (
    Ancestor,
    BatchView,
    Change,
    ChangedValue,
    Key,
    KeyPart,
    concrete_type,
)

MAX_DEPTH = 32

#: how to find the parent of a non-context entity: type -> (parent type, key column)
PARENT_LINKS: Dict[str, Tuple[str, str]] = {
    "Asset": ("Context", "context_id"),
    "AssetVersion": ("Asset", "asset_id"),
    "ReviewSession": ("Project", "project_id"),
    "ReviewSessionObject": ("ReviewSession", "review_session_id"),
    "ReviewSessionInvitee": ("ReviewSession", "review_session_id"),
    "ReviewSessionObjectStatus": ("ReviewSessionObject", "review_session_object_id"),
    "NoteComponent": ("Note", "note_id"),
    "ComponentLocation": ("Component", "component_id"),
    "JobComponent": ("Job", "job_id"),
    "UserSecurityRole": ("User", "user_id"),  # a role's User: its change revokes their grants
    "UserSecurityRoleProject": ("UserSecurityRole", "user_security_role_id"),
    "Metadata": ("", "parent_id"),  # polymorphic: found by id
    "Note": ("", "parent_id"),
}


def describe_change(
    batch: BatchView,
    action: str,
    etype: EntityType,
    key: Key,
    keys: List[str],
    before: Optional[Mapping[str, object]],
    after: Optional[Mapping[str, object]],
    known: Optional[Dict[Tuple[str, object], List[Ancestor]]] = None,
) -> Change:
    """One change: action, type, id/key, changed keys, new/old values and the ancestry
    (``known``: see :func:`ancestry`)."""
    row = after if after is not None else before
    values: Dict[str, JsonValue] = {}
    changes: Dict[str, ChangedValue] = {}
    for name in keys:
        column = _column_of(etype, name)
        if column is None:
            continue
        value_type = _value_type(etype, column)
        new = storage_to_wire(value_type, after.get(column)) if after else None
        old = storage_to_wire(value_type, before.get(column)) if before else None
        if passphrase.is_secret(etype.name, name):  # events never carry it
            new, old = passphrase.masked(new), passphrase.masked(old)
        values[name] = new
        changes[name] = {"new": new, "old": old}
    parents = ancestry(batch, etype, row, known) if row is not None else []
    return {
        "action": action,
        "entity_type": etype.name,
        "entity_id": key[0] if len(key) == 1 else ",".join(str(k) for k in key),
        "entity_key": list(key),
        "keys": keys,
        "values": values,
        "changes": changes,
        "parent_id": parents[0]["entity_id"] if parents else None,
        "parents": parents,
        "object_type_id": _text(row.get("object_type_id")) if row else None,
    }


def _text(value: object) -> Optional[str]:
    return None if value is None else str(value)


def _ident(row: Mapping[str, object]) -> Optional[KeyPart]:
    """A stored row's ``id`` (text, or an integer for an ``Event``)."""
    value = row.get("id")
    return value if isinstance(value, (str, int)) else None


def _column_of(etype: EntityType, name: str) -> Optional[str]:
    attr = etype.attributes.get(name)
    if attr is None:
        return None
    if attr.is_scalar:
        return name
    if attr.kind == "reference":
        return attr.foreign_key
    return None


def _value_type(etype: EntityType, column: str) -> str:
    attr = etype.attributes.get(column)
    return attr.value_type if attr is not None and attr.is_scalar else "string"


def ancestry(
    batch: BatchView,
    etype: EntityType,
    row: Mapping[str, object],
    known: Optional[Dict[Tuple[str, object], List[Ancestor]]] = None,
) -> List[Ancestor]:
    """Ancestors nearest first: ``{"entity_type", "entity_id", "parent_id"}``. ``known``: the
    ancestries found so far of the rows they start at (by family and id), e.g. for a run of
    creates under the same parents, whose ancestry does not change while it is written."""
    chain: List[Ancestor] = []
    found = _parent(batch, etype, row)
    seen = set()
    start: Optional[Tuple[str, object]] = None
    if known is not None and found is not None:
        start = (found[0].family, _ident(found[1]))
        if start in known:
            return [cast(Ancestor, dict(ancestor)) for ancestor in known[start]]
    for _ in range(MAX_DEPTH):
        if found is None:
            break
        parent_type, parent = found
        ident = _ident(parent)
        if ident in seen:
            break
        seen.add(ident)
        grand = _parent(batch, parent_type, parent)
        chain.append(
            {
                "entity_type": parent_type.name,
                "entity_id": ident,
                "parent_id": _ident(grand[1]) if grand else None,
            }
        )
        found = grand
    if known is not None and start is not None:
        known[start] = [cast(Ancestor, dict(ancestor)) for ancestor in chain]
    return chain


def parent_named(
    model: SchemaModel, etype: EntityType, row: Mapping[str, object]
) -> Optional[Tuple[EntityType, object]]:
    """The family type and id of a row's parent when the row names them (a context's parent, a
    version's asset, a note's ``parent_type``…): what :func:`ancestry` reads first, so a run of
    creates can read its parents in a statement (``store.writing``). None: it names none, or
    only an id whose table is looked for."""
    if etype.family == "Context":
        type_name, column = "Context", "parent_id"
    elif etype.family == "Component":
        type_name, column = "AssetVersion", "version_id"
    else:
        type_name, column = PARENT_LINKS.get(etype.name, ("", ""))
        if column and not type_name:
            type_name = str(row.get("parent_type") or "")
    parent = model.types.get(type_name) if type_name else None
    ident = row.get(column) if column else None
    if parent is None or not isinstance(ident, (str, int)) or not ident:
        return None
    return model.types[parent.family], ident


def _parent(
    batch: BatchView, etype: EntityType, row: Mapping[str, object]
) -> Optional[Tuple[EntityType, StoredRow]]:
    if etype.family == "Context":
        return _load(batch, "Context", row.get("parent_id"))
    if etype.family == "Component":
        return _load(batch, "AssetVersion", row.get("version_id"))
    if etype.family == "CustomAttributeValue":
        return _find_anywhere(batch, row.get("entity_id"))
    link = PARENT_LINKS.get(etype.name)
    if link is None:
        return None
    parent_type, column = link
    if not parent_type:
        return _named_type(batch, row.get("parent_type"), row.get(column)) or _find_anywhere(
            batch, row.get(column)
        )
    return _load(batch, parent_type, row.get(column))


def _named_type(
    batch: BatchView, type_name: object, ident: object
) -> Optional[Tuple[EntityType, StoredRow]]:
    """The parent a polymorphic row names the type of (``Note.parent_type``): read in its own
    table at once, not looked for in each family in turn (a statement each, per create)."""
    if not isinstance(type_name, str) or type_name not in batch.model.types:
        return None
    return _load(batch, type_name, ident)


def _load(
    batch: BatchView, type_name: str, ident: object
) -> Optional[Tuple[EntityType, StoredRow]]:
    if not ident:
        return None
    etype = batch.model.types[type_name]
    table = batch.tables[etype.family]
    if "id" not in table.c:
        return None
    row = batch.load(batch.model.types[etype.family], cast(Key, (ident,)))  # any type's row
    if row is None:
        return None
    return concrete_type(batch.model, row), row


def _find_anywhere(batch: BatchView, ident: object) -> Optional[Tuple[EntityType, StoredRow]]:
    families = ("Context", "AssetVersion", "Component", "Asset", "User", "ReviewSession")
    for family in (*families, "ReviewSessionObject"):
        found = _load(batch, family, ident)
        if found is not None:
            return found
    return None
