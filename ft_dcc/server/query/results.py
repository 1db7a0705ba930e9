"""Shape stored rows into ftrack's reply entities, loading projections level by level.

Every entity dict carries ``__entity_type__`` (concrete type), its primary key and its type's
system projections; dotted projections are loaded with one query per relation and level (never
per row) and nested as entity dicts (references) or lists of them (collections).
"""

from __future__ import annotations

import datetime as dt
from typing import Dict, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple, TypeVar

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from ft_dcc.protocol import DEFAULT_THUMBNAIL_PATH
from ft_dcc.protocol.json_value import JsonObject, JsonValue
from ft_dcc.server.model import secret_fields as passphrase
from ft_dcc.server.model.schema import TWIN_NAMES, Attribute, EntityType, LinkTable, SchemaModel
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.query.compiler import MAPPED_OWNER_KEYS, Compiler, ProjectionTree, QueryError
from ft_dcc.server.query.values import Stored, StoredRow, storage_to_wire

CHUNK = 500

#: an entity of the reply: attribute -> wire value (nested entities and lists of them too)
Entity = JsonObject
_T = TypeVar("_T")

#: custom attribute ``entity_type`` of a configuration, by entity type
CUSTOM_ATTRIBUTE_SCOPES = {
    "Project": "show",
    "AssetVersion": "assetversion",
    "Asset": "asset",
    "User": "user",
    "TypedContextList": "list",
    "AssetVersionList": "list",
}


def _chunks(values: Sequence[_T]) -> List[Sequence[_T]]:
    return [values[start : start + CHUNK] for start in range(0, len(values), CHUNK)]


class _Level(NamedTuple):
    """One level of a reply: its rows, their entities (filled in) and the projections below."""

    rows: List[StoredRow]
    entities: List[Entity]
    subtree: ProjectionTree


def _wire(value: Stored) -> JsonValue:
    """A stored id, name or key as the reply carries it."""
    return storage_to_wire("string", value)


def _listed(entities: List[Entity]) -> List[JsonValue]:
    """``entities`` as a reply's list value."""
    return list(entities)


class ResultBuilder:
    """Builds reply entity dicts for rows of one query, inside one connection."""

    def __init__(self, model: SchemaModel, compiler: Compiler, connection: Connection) -> None:
        self.model = model
        self.compiler = compiler
        self.connection = connection
        self._configurations: Optional[List[StoredRow]] = None
        self._contexts: Dict[Stored, Optional[StoredRow]] = {}
        #: the highest version of an asset, when the caller knows it (a batch answering the
        #: versions it wrote together: the highest when each was made)
        self.latest_versions: Mapping[object, object] = {}

    # -- public -------------------------------------------------------------------------------
    def build(
        self, etype: EntityType, stored: Sequence[Mapping[str, Stored]], tree: ProjectionTree
    ) -> List[Entity]:
        """Entity dicts for ``stored`` (full table rows) of ``etype`` with projections ``tree``."""
        rows = [dict(row) for row in stored]
        if etype.name in TWIN_NAMES:  # one table, two names: answer under the asked name
            for row in rows:
                row[DISCRIMINATOR] = etype.name
        entities = [self.base(row) for row in rows]
        for name, subtree in tree.items():
            self._project(etype, rows, entities, name, subtree)
        return entities

    def concrete(self, row: Mapping[str, Stored]) -> EntityType:
        return self.model.types[str(row[DISCRIMINATOR])]

    def base(self, row: Mapping[str, Stored]) -> Entity:
        concrete = self.concrete(row)
        entity: Entity = {"__entity_type__": concrete.name}
        for name in concrete.primary_key + concrete.system_projections:
            entity[name] = self.scalar(concrete, row, concrete.attributes[name])
        return entity

    def scalar(self, etype: EntityType, row: Mapping[str, Stored], attr: Attribute) -> JsonValue:
        if etype.name == "Project" and attr.name == "project_id":
            return _wire(row.get("id"))  # as on ftrack: a project's project is itself
        if attr.computed or attr.name not in row:
            return self.computed(etype, row, attr)
        if passphrase.is_secret(etype.name, attr.name):
            return passphrase.masked(row[attr.name])  # never as stored
        return storage_to_wire(attr.value_type, row[attr.name])

    def full(self, etype: EntityType, row: Mapping[str, Stored]) -> Entity:
        """Every scalar attribute (the create/update echo)."""
        entity = self.base(row)
        concrete = self.concrete(row)
        for attr in concrete.scalar_attributes():
            if attr.restricted or attr.name in ("link", "_link"):
                continue
            entity[attr.name] = self.scalar(concrete, row, attr)
        return entity

    # -- computed attributes --------------------------------------------------------------------
    def computed(self, etype: EntityType, row: Mapping[str, Stored], attr: Attribute) -> JsonValue:
        if etype.name == "ReviewSession" and attr.name == "is_open":
            end = row.get("end_date")
            if not isinstance(end, dt.datetime):
                return True
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            return end > now
        if etype.name == "ReviewSession" and attr.name == "thumbnail_id":
            return self._review_session_thumbnail(row.get("id"))
        if attr.name == "thumbnail_url":
            thumbnail = row.get("thumbnail_id")
            if etype.name == "ReviewSession":
                thumbnail = self._review_session_thumbnail(row.get("id"))
            if not thumbnail:  # ftrack's placeholder, never null
                return {"url": DEFAULT_THUMBNAIL_PATH, "value": None}
            return {"url": f"/component/thumbnail?id={thumbnail}", "value": str(thumbnail)}
        if attr.name == "url" and etype.name in ("ComponentLocation", "JobComponent"):
            component = row.get("component_id")
            return {"url": f"/component/get?id={component}", "value": _wire(component)}
        if attr.name in ("link", "_link"):
            return self._link(etype, row)
        if attr.name == "is_latest_version" and etype.name == "AssetVersion":
            table = self.compiler.tables["AssetVersion"]
            asset = row.get("asset_id")
            latest = (
                self.latest_versions.get(asset)
                if asset in self.latest_versions
                else (
                    self.connection.execute(
                        select(func.max(table.c.version)).where(table.c.asset_id == asset)
                    ).scalar()
                )
            )
            return latest is not None and row.get("version") == latest
        return None

    def _link(self, etype: EntityType, row: Mapping[str, Stored]) -> List[JsonValue]:
        """ftrack's ``link``: the path of contexts from the project down to this entity."""
        chain: List[JsonValue] = []
        if etype.family == "Context":
            current: Optional[Mapping[str, Stored]] = row
        elif etype.name == "AssetVersion":
            asset_table = self.compiler.tables["Asset"]
            asset = (
                self.connection.execute(
                    select(asset_table).where(asset_table.c.id == row.get("asset_id"))
                )
                .mappings()
                .first()
            )
            # ftrack: the asset's context path, then the version itself (no Asset item),
            # named like "cloud v001"
            asset_name = asset["name"] if asset is not None else ""
            number = row.get("version")
            label = f"v{number:03d}" if isinstance(number, int) else f"v{number}"
            name = f"{asset_name} {label}".strip()
            chain.append({"id": _wire(row["id"]), "name": name, "type": "AssetVersion"})
            current = self._context_row(asset["context_id"]) if asset is not None else None
        elif etype.name == "Group":
            return self._group_link(row)
        else:
            return []
        seen: Set[Stored] = set()
        while current is not None and current["id"] not in seen:
            seen.add(current["id"])
            kind = "Project" if current[DISCRIMINATOR] == "Project" else "TypedContext"
            chain.append({"id": _wire(current["id"]), "name": _wire(current["name"]), "type": kind})
            current = self._context_row(current.get("parent_id"))
        chain.reverse()
        return chain

    def _group_link(self, row: Mapping[str, Stored]) -> List[JsonValue]:
        """A group's ``link``: the groups from the top one down to itself."""
        table = self.compiler.tables["Group"]
        chain: List[JsonValue] = []
        seen: List[Stored] = []
        current: Optional[Mapping[str, Stored]] = row
        while current is not None and len(chain) < 64 and current["id"] not in seen:
            seen.append(current["id"])
            chain.append(
                {"id": _wire(current["id"]), "name": _wire(current["name"]), "type": "Group"}
            )
            parent = current.get("parent_id")
            found = (
                self.connection.execute(select(table).where(table.c.id == parent))
                .mappings()
                .first()
                if parent
                else None
            )
            current = dict(found) if found is not None else None
        chain.reverse()
        return chain

    def _context_row(self, context_id: Stored) -> Optional[StoredRow]:
        """One Context row, memoised for this reply (links and ancestors share parents)."""
        if not context_id:
            return None
        if context_id not in self._contexts:
            table = self.compiler.tables["Context"]
            row = (
                self.connection.execute(select(table).where(table.c.id == context_id))
                .mappings()
                .first()
            )
            self._contexts[context_id] = dict(row) if row is not None else None
        return self._contexts[context_id]

    # -- projections --------------------------------------------------------------------------
    def _attribute(self, etype: EntityType, rows: List[StoredRow], name: str) -> Attribute:
        attr = etype.attribute(name)
        if attr is None:
            # allow attributes of the concrete subtypes present in the result
            for row in rows:
                attr = self.concrete(row).attribute(name)
                if attr is not None:
                    break
        if attr is None or attr.restricted:
            return self.compiler.attribute(etype, name)  # raises a clear QueryError
        return attr

    def _project(
        self,
        etype: EntityType,
        rows: List[StoredRow],
        entities: List[Entity],
        name: str,
        subtree: ProjectionTree,
    ) -> None:
        attr = self._attribute(etype, rows, name)
        self._validate(attr, subtree)
        if not rows:
            return
        if attr.is_scalar:
            for row, entity in zip(rows, entities):
                concrete = self.concrete(row)
                entity[name] = self.scalar(concrete, row, concrete.attributes.get(name, attr))
        elif attr.kind == "reference":
            self._project_reference(etype, attr, _Level(rows, entities, subtree))
        elif attr.kind == "collection":
            self._project_collection(etype, attr, _Level(rows, entities, subtree))
        elif attr.kind == "mapped":
            self._project_mapped(etype, attr, _Level(rows, entities, subtree))

    def _validate(self, attr: Attribute, subtree: ProjectionTree) -> None:
        """Projection paths must name real attributes even when no row is returned."""
        if not subtree:
            return
        if attr.is_scalar:
            raise QueryError(
                f"'{attr.name}' is a plain value; remove '.{next(iter(subtree))}' after it"
            )
        target = self.model.types.get(attr.target or "")
        if target is None:
            return
        for name, child in subtree.items():
            self._validate(self.compiler.attribute(target, name), child)  # raises if not one

    def _rows_by(
        self,
        target: EntityType,
        column: str,
        keys: Sequence[Stored],
        only: Optional[Tuple[str, str]] = None,
    ) -> List[StoredRow]:
        table = self.compiler.tables[target.family]
        found: List[StoredRow] = []
        condition = self.compiler.type_condition(target, table)
        if only is not None:
            condition = and_(condition, table.c[only[0]] == only[1])
        for chunk in _chunks(sorted({k for k in keys if k is not None}, key=str)):
            stmt = select(table).where(condition, table.c[column].in_(chunk))
            # collections come in their display order (statuses by sort, review objects by
            # sort_order), then by key so that answers are stable
            ordering = [table.c[name] for name in ("sort_order", "sort") if name in table.c]
            stmt = stmt.order_by(*ordering, *[table.c[k] for k in target.primary_key])
            found.extend(dict(r) for r in self.connection.execute(stmt).mappings())
        return found

    def scalar_subtree(self, target: EntityType) -> ProjectionTree:
        """Projections of every cheap scalar of ``target`` (for create/update echoes)."""
        skip = {"link", "_link", "is_latest_version"}
        return {
            a.name: {}
            for a in target.scalar_attributes()
            if not a.restricted and a.name not in skip
        }

    def _subtree_or_default(self, target: EntityType, subtree: ProjectionTree) -> ProjectionTree:
        if subtree:
            return subtree
        return {name: {} for name in target.default_projections if name in target.attributes}

    def _project_reference(self, etype: EntityType, attr: Attribute, level: _Level) -> None:
        rows, entities, subtree = level
        target = self.model.types.get(attr.target or "")
        if target is None:
            return
        fk_values: List[Stored]
        if etype.name == "Asset" and attr.name == "latest_version":
            keys = {row["id"]: self._latest_version_id(row["id"]) for row in rows}
            fk_values = [keys[row["id"]] for row in rows]
        elif etype.name == "ReviewSession" and attr.name == "thumbnail":
            fk_values = [self._review_session_thumbnail(row["id"]) for row in rows]
        elif attr.foreign_key:
            fk_values = [row.get(attr.foreign_key) for row in rows]
        else:
            fk_values = [None for _ in rows]
        pk = target.primary_key[0]
        related = self._rows_by(target, pk, fk_values)
        built = self.build(target, related, self._subtree_or_default(target, subtree))
        by_key = {row[pk]: entity for row, entity in zip(related, built)}
        for value, entity in zip(fk_values, entities):
            found = by_key.get(value)
            entity[attr.name] = dict(found) if found is not None else None

    def _review_session_thumbnail(self, review_session_id: Stored) -> Optional[str]:
        """A review session shows the thumbnail of its first object's version."""
        objects = self.compiler.tables["ReviewSessionObject"]
        versions = self.compiler.tables["AssetVersion"]
        stmt = (
            select(versions.c.thumbnail_id)
            .select_from(objects.join(versions, versions.c.id == objects.c.version_id))
            .where(
                objects.c.review_session_id == review_session_id,
                versions.c.thumbnail_id.is_not(None),
            )
            .order_by(objects.c.sort_order, objects.c.id)
            .limit(1)
        )
        return self.connection.execute(stmt).scalar()

    def _latest_version_id(self, asset_id: Stored) -> Optional[str]:
        table = self.compiler.tables["AssetVersion"]
        stmt = (
            select(table.c.id)
            .where(table.c.asset_id == asset_id)
            .order_by(table.c.version.desc())
            .limit(1)
        )
        return self.connection.execute(stmt).scalar()

    def _project_collection(self, etype: EntityType, attr: Attribute, level: _Level) -> None:
        rows, entities, subtree = level
        target = self.model.types.get(attr.target or "")
        owner_pk = etype.primary_key[0]
        if target is None:
            for entity in entities:
                entity[attr.name] = []
            return
        if attr.hierarchy == "ancestors":
            self._project_ancestors(target, level)
            return
        if attr.hierarchy == "descendants":
            self._project_descendants(target, level)
            return
        if attr.link is not None:
            self._project_link(etype, attr.name, attr.link, target, level)
            return
        remote = attr.remote_key
        table = self.compiler.tables[target.family]
        if not remote or remote not in table.c:
            for entity in entities:
                entity[attr.name] = []
            return
        related = self._rows_by(target, remote, [row[owner_pk] for row in rows], attr.filter)
        built = self.build(target, related, self._subtree_or_default(target, subtree))
        grouped: Dict[Stored, List[JsonValue]] = {}
        for row, entity in zip(related, built):
            grouped.setdefault(row[remote], []).append(entity)
        for row, entity in zip(rows, entities):
            entity[attr.name] = grouped.get(row[owner_pk], [])

    def _project_link(
        self, etype: EntityType, name: str, link: LinkTable, target: EntityType, level: _Level
    ) -> None:
        rows, entities, subtree = level
        pairs_of = self.compiler.link_pairs(link)
        owner_column, member_column = pairs_of.c[link.owner], pairs_of.c[link.member]
        owner_pk = etype.primary_key[0]
        pairs: List[Tuple[Stored, Stored]] = []
        for chunk in _chunks([row[owner_pk] for row in rows]):
            stmt = select(owner_column, member_column).where(owner_column.in_(chunk))
            pairs.extend(tuple(pair) for pair in self.connection.execute(stmt))
        pk = target.primary_key[0]
        related = self._rows_by(target, pk, [member for _owner, member in pairs])
        built = self.build(target, related, self._subtree_or_default(target, subtree))
        owners_of: Dict[Stored, List[Stored]] = {}
        for owner, member in pairs:
            owners_of.setdefault(member, []).append(owner)
        grouped: Dict[Stored, List[JsonValue]] = {}
        for row, entity in zip(related, built):  # in the members' display order
            for owner in owners_of.get(row[pk], []):
                grouped.setdefault(owner, []).append(dict(entity))
        for row, entity in zip(rows, entities):
            entity[name] = grouped.get(row[owner_pk], [])

    def _project_descendants(self, target: EntityType, level: _Level) -> None:
        rows, entities, subtree = level
        closure = self.compiler.context_closure()
        pairs: List[Tuple[Stored, Stored]] = []
        for chunk in _chunks([row["id"] for row in rows]):
            stmt = select(closure.c.ancestor, closure.c.descendant).where(
                closure.c.ancestor.in_(chunk)
            )
            pairs.extend(tuple(pair) for pair in self.connection.execute(stmt))
        related = self._rows_by(target, "id", [descendant for _a, descendant in pairs])
        built = self.build(target, related, self._subtree_or_default(target, subtree))
        by_id = {row["id"]: entity for row, entity in zip(related, built)}
        grouped: Dict[Stored, List[JsonValue]] = {}
        for ancestor, descendant in pairs:
            if descendant in by_id:
                grouped.setdefault(ancestor, []).append(dict(by_id[descendant]))
        for row, entity in zip(rows, entities):
            entity["descendants"] = grouped.get(row["id"], [])

    def _project_ancestors(self, target: EntityType, level: _Level) -> None:
        rows, entities, subtree = level
        for row, entity in zip(rows, entities):
            chain: List[StoredRow] = []
            current = self._context_row(row.get("parent_id"))
            while current is not None and current[DISCRIMINATOR] != "Project":
                chain.append(current)
                current = self._context_row(current.get("parent_id"))
            chain.reverse()
            built = self.build(target, chain, self._subtree_or_default(target, subtree))
            entity["ancestors"] = _listed(built)

    def _project_mapped(self, etype: EntityType, attr: Attribute, level: _Level) -> None:
        rows, entities, subtree = level
        owner_pk = etype.primary_key[0]
        target = self.model.types.get(attr.target or "")
        if target is None:
            return
        if target.name == "Metadata":
            key = MAPPED_OWNER_KEYS["Metadata"]
            related = self._rows_by(target, key, [row[owner_pk] for row in rows])
            tree = dict(self._subtree_or_default(target, subtree))
            built = self.build(target, related, tree)
            grouped: Dict[Stored, List[JsonValue]] = {}
            for row, entity in zip(related, built):
                grouped.setdefault(row[key], []).append(entity)
            for row, entity in zip(rows, entities):
                entity[attr.name] = grouped.get(row[owner_pk], [])
            return
        for row, entity in zip(rows, entities):
            entity[attr.name] = self.custom_attribute_values(self.concrete(row), row, target)

    # -- custom attributes ------------------------------------------------------------------
    def configurations(self) -> List[StoredRow]:
        if self._configurations is None:
            table = self.compiler.tables["CustomAttributeConfiguration"]
            self._configurations = [
                dict(r) for r in self.connection.execute(select(table)).mappings()
            ]
        return self._configurations

    def applicable_configurations(
        self, etype: EntityType, row: Mapping[str, Stored]
    ) -> List[StoredRow]:
        scope = CUSTOM_ATTRIBUTE_SCOPES.get(etype.name)
        object_type_id = None
        if scope is None and "object_type_id" in etype.attributes:
            scope, object_type_id = "task", row.get("object_type_id")
        if scope is None:
            return []
        project_id = row.get("id") if etype.name == "Project" else row.get("project_id")
        chosen = []
        for config in self.configurations():
            if config.get("project_id") not in (project_id, None):
                continue
            if (
                config.get("entity_type") == scope
                and config.get("object_type_id") == object_type_id
            ) or (
                scope in ("asset", "assetversion", "show", "task") and config.get("is_hierarchical")
            ):
                chosen.append(config)
        return chosen

    def custom_attribute_values(
        self, etype: EntityType, row: Mapping[str, Stored], value_type: EntityType
    ) -> List[JsonValue]:
        """Dense values: one per applicable configuration.

        The entity's stored value, else (hierarchical attributes) the nearest ancestor's stored
        value, else the configuration's default.
        """
        configs = self.applicable_configurations(etype, row)
        if not configs:
            return []
        stored = self._stored_values(row["id"])
        inherited: Optional[Dict[Stored, Stored]] = None
        values: List[JsonValue] = []
        for config in configs:
            if config["id"] in stored:
                raw = stored[config["id"]]
            elif config.get("is_hierarchical"):
                if inherited is None:
                    inherited = self._inherited_values(etype, row)
                raw = inherited.get(config["id"], config.get("default"))
            else:
                raw = config.get("default")
            values.append(
                {
                    "__entity_type__": value_type.name,
                    "configuration_id": _wire(config["id"]),
                    "entity_id": _wire(row["id"]),
                    "key": _wire(config.get("key")),
                    "value": storage_to_wire("variable", raw),
                }
            )
        return values

    def _stored_values(self, entity_id: Stored) -> Dict[Stored, Stored]:
        table = self.compiler.tables["CustomAttributeValue"]
        stmt = select(table.c.configuration_id, table.c.value).where(table.c.entity_id == entity_id)
        return {r["configuration_id"]: r["value"] for r in self.connection.execute(stmt).mappings()}

    def _inherited_values(
        self, etype: EntityType, row: Mapping[str, Stored]
    ) -> Dict[Stored, Stored]:
        """Stored values of the ancestors, nearest first wins (hierarchical attributes)."""
        if etype.family == "Context":
            parent_id = row.get("parent_id")
        elif etype.name == "Asset":
            parent_id = row.get("context_id")
        elif etype.name == "AssetVersion":
            asset_table = self.compiler.tables["Asset"]
            parent_id = self.connection.execute(
                select(asset_table.c.context_id).where(asset_table.c.id == row.get("asset_id"))
            ).scalar()
        else:
            return {}
        found: Dict[Stored, Stored] = {}
        seen: Set[Stored] = set()
        current = self._context_row(parent_id)
        while current is not None and current["id"] not in seen and len(seen) < 64:
            seen.add(current["id"])
            for config_id, value in self._stored_values(current["id"]).items():
                found.setdefault(config_id, value)
            current = self._context_row(current.get("parent_id"))
        return found
