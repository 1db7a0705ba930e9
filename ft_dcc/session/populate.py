"""Batched loading of entity attributes: ``session.populate`` and auto-populate on read."""

from __future__ import annotations

import logging
from typing import Dict, List, Sequence

from ft_dcc.exceptions import ServerError
from ft_dcc.session.entity import Collection, Entity
from ft_dcc.session.identity_map import IdentityMap
from ft_dcc.session.query import key_condition
from ft_dcc.session.schema import COLLECTION, KEY_VALUE, REFERENCE, SCALAR, Attribute, Schema
from ft_dcc.session.transport import Transport

log = logging.getLogger(__name__)

#: ids per ``in (...)`` query when populating; all chunks still travel in one request.
POPULATE_CHUNK = 500
#: what a linked entity is shown by: loaded with the link (the first its type has)
NAME_ATTRIBUTES = ("name", "username")
#: scalars derived from other rows (the ancestors' path, a per-row subquery): loaded only when
#: asked for, never along with the others
DERIVED_SCALARS = frozenset({"link", "_link", "is_latest_version"})


def _row_attribute(attribute: Attribute) -> bool:
    """Whether ``attribute`` is part of the entity's own row: a stored scalar or a link."""
    if attribute.computed or attribute.name in DERIVED_SCALARS:
        return False
    return attribute.kind == SCALAR or (attribute.kind == REFERENCE and bool(attribute.target))


def names_to_load(entity: Entity, names: Sequence[str]) -> List[str]:
    """``names`` and, when one of them is part of the row, every other unloaded row attribute:
    code that reads one attribute of an entity reads its others next (``v['asset']``, then
    ``v['task']``, ``v['status']``), so one request loads them all for the whole group."""
    attributes = entity.schema.attributes
    if not any(name in attributes and _row_attribute(attributes[name]) for name in names):
        return list(names)
    row = [
        a.name
        for a in attributes.values()
        if _row_attribute(a) and a.name not in names and not entity.is_loaded(a.name)
    ]
    return [*names, *row]


def projections_for(identity_map: IdentityMap, schema: Schema, name: str) -> List[str]:
    """The projections that load attribute ``name`` of ``schema`` (with its related entities)."""
    attribute = schema.attributes[name]
    if attribute.kind == SCALAR or not attribute.target:
        return [name]
    if attribute.kind == KEY_VALUE:
        fields = ["key", "value"]
        if attribute.target != "Metadata":
            fields += ["configuration_id", "entity_id"]
        return [f"{name}.{field}" for field in fields]
    target = identity_map.schema(attribute.target)
    fields = list(target.default_projections)
    shown = next((n for n in NAME_ATTRIBUTES if n in target.attributes), None)
    if shown is not None and shown not in fields:
        fields.append(shown)
    return [f"{name}.{field}" for field in fields]


def expand_projections(identity_map: IdentityMap, schema: Schema, names: List[str]) -> List[str]:
    """``session.populate``'s projections with each bare link or key/value name expanded as on
    auto-populate (a link comes with its linked entity's name); dotted paths stay as given."""
    projections: List[str] = []
    for name in names:
        if "." in name or name not in schema.attributes:
            projections.append(name)
        else:
            projections.extend(projections_for(identity_map, schema, name))
    return projections


def populate_group(
    transport: Transport, identity_map: IdentityMap, entity: Entity, *names: str
) -> None:
    """Load ``names`` (and the row attributes read next, see ``names_to_load``) for ``entity``
    and for every entity of its type loaded with it (its group) that lacks them, in one
    request. Should the server refuse the wider read, ``names`` alone are asked for."""
    wanted = names_to_load(entity, names)
    if len(wanted) > len(names):
        try:
            _populate_group(transport, identity_map, entity, wanted)
            return
        except ServerError as error:
            log.debug("could not load %s with %s: %s", wanted, list(names), error)
    _populate_group(transport, identity_map, entity, list(names))


def _populate_group(
    transport: Transport, identity_map: IdentityMap, entity: Entity, names: List[str]
) -> None:
    group = entity._group or [entity]
    candidates = [
        e
        for e in group
        if type(e) is type(entity)
        and not e._created
        and not e._deleted
        and any(n not in e._remote and n not in e._local for n in names)
    ]
    if entity not in candidates:
        candidates.append(entity)
    projections: List[str] = []
    for name in names:
        projections.extend(projections_for(identity_map, entity.schema, name))
    log.debug("auto-populating %s of %d %s entities", names, len(candidates), entity.entity_type)
    populate_entities(transport, identity_map, candidates, projections)


def populate_entities(
    transport: Transport, identity_map: IdentityMap, entities: List[Entity], projections: List[str]
) -> None:
    """Load ``projections`` for ``entities`` in one request (one query per type and chunk);
    attributes the server leaves out become ``None`` or empty collections."""
    by_type: Dict[str, List[Entity]] = {}
    for entity in entities:
        by_type.setdefault(entity.entity_type, []).append(entity)
    operations = []
    for entity_type, members in by_type.items():
        schema = identity_map.schema(entity_type)
        for start in range(0, len(members), POPULATE_CHUNK):
            chunk = members[start : start + POPULATE_CHUNK]
            keys = [member.primary_key for member in chunk]
            operations.append(
                {
                    "action": "query",
                    "expression": f"select {', '.join(projections)} from {entity_type} "
                    f"where {key_condition(schema.primary_key, keys)} "
                    f"offset 0 limit {len(chunk)}",
                }
            )
    results = transport.call(operations)
    group: List[Entity] = []
    for result in results:
        rows = result.get("data") if isinstance(result, dict) else None
        identity_map.decode(rows or [], group)
    heads = {p.split(".", 1)[0] for p in projections}
    for entity in entities:
        for name in heads:
            if name not in entity._remote:
                attribute = entity.schema.attributes.get(name)
                if attribute is None:
                    continue
                if attribute.kind in (COLLECTION, KEY_VALUE):
                    entity._remote[name] = Collection(entity, attribute, [])
                else:
                    entity._remote[name] = None
    identity_map.persist(entities)
