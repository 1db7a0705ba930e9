"""The server's model of the ftrack entity schemas: types, attributes, relations, inheritance.

Built from the schema data in :mod:`ft_dcc.protocol.schemas` (the real server's flattened
``query_schemas`` answer). The schema data does not say which foreign key backs a reference or
which reverse key backs a collection, nor how types inherit; this module derives both, from
naming conventions, ``alias_for`` names and ``Foreign key(s)`` descriptions, plus a short table of
explicit facts where the conventions do not reach.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

# -- inheritance ------------------------------------------------------------------------------
#: Two names for the same rows (ftrack: note categories and note labels are one thing, both
#: ``alias_for: NoteCategory``): the twin lives in the canonical type's table and each name
#: sees every row, answered under the name that was asked for.
TWIN_TYPES: Dict[str, str] = {"NoteLabel": "NoteCategory"}
TWIN_NAMES = frozenset(TWIN_TYPES) | frozenset(TWIN_TYPES.values())

#: Direct parent of each type that takes part in polymorphism. A family (one storage table) is
#: a root plus all its descendants; rows carry their concrete type in a discriminator column.
#: TypedContext subtypes are found from their ``alias_for: {"id": "Task", ...}`` classifier.
EXPLICIT_PARENTS: Dict[str, str] = {
    "Project": "Context",
    "TypedContext": "Context",
    "FileComponent": "Component",
    "ContainerComponent": "Component",
    "SequenceComponent": "ContainerComponent",
    "TypedContextList": "List",
    "AssetVersionList": "List",
    "ContextCustomAttributeValue": "CustomAttributeValue",
    "AssetCustomAttributeValue": "CustomAttributeValue",
    "AssetVersionCustomAttributeValue": "CustomAttributeValue",
    "UserCustomAttributeValue": "CustomAttributeValue",
    "ListCustomAttributeValue": "CustomAttributeValue",
    "ListObjectCustomAttributeValue": "CustomAttributeValue",
    "AssetVersionStatusChange": "StatusChange",
    "TypedContextStatusChange": "StatusChange",
    **TWIN_TYPES,
}

#: Types that cannot be created directly (only their concrete subtypes).
ABSTRACT_TYPES = frozenset({"Context", "TypedContext"})

#: reference attribute -> foreign-key attribute, where conventions do not find it.
REFERENCE_KEYS: Dict[Tuple[str, str], str] = {
    ("Asset", "parent"): "context_id",
    ("Recipient", "recipient"): "resource_id",
    ("Recipient", "user"): "resource_id",
    ("SchemaStatus", "task_status"): "status_id",
    ("SchemaType", "task_type"): "type_id",
}

#: collection attribute -> (target type, attribute of the target that points back).
COLLECTION_KEYS: Dict[Tuple[str, str], Tuple[str, str]] = {
    ("Context", "children"): ("Context", "parent_id"),
    ("Context", "assets"): ("Asset", "context_id"),
    ("TypedContext", "incoming_links"): ("TypedContextLink", "to_id"),
    ("TypedContext", "outgoing_links"): ("TypedContextLink", "from_id"),
    ("AssetVersion", "incoming_links"): ("AssetVersionLink", "to_id"),
    ("AssetVersion", "outgoing_links"): ("AssetVersionLink", "from_id"),
    ("Note", "replies"): ("Note", "in_reply_to_id"),
    ("SequenceComponent", "members"): ("Component", "container_id"),
    ("ContainerComponent", "members"): ("Component", "container_id"),
    ("Status", "tasks"): ("Task", "status_id"),
    ("Type", "tasks"): ("Task", "type_id"),
    ("Priority", "tasks"): ("Task", "priority_id"),
    ("ObjectType", "tasks"): ("Task", "object_type_id"),
    ("ProjectSchema", "_schemas"): ("Schema", "project_schema_id"),
    ("ProjectSchema", "object_type_schemas"): ("Schema", "project_schema_id"),
    ("Schema", "statuses"): ("SchemaStatus", "schema_id"),
    ("Schema", "types"): ("SchemaType", "schema_id"),
    ("TypedContext", "status_changes"): ("StatusChange", "parent_id"),
    ("AssetVersion", "status_changes"): ("StatusChange", "parent_id"),
    ("ReviewSession", "settings"): ("EntitySetting", "parent_id"),
    ("User", "dashboard_resources"): ("DashboardResource", "resource_id"),
    ("Group", "dashboard_resources"): ("DashboardResource", "resource_id"),
    ("ProjectSchema", "_overrides"): ("ProjectSchemaOverride", "project_schema_id"),
    ("ProjectSchema", "task_workflow_schema_overrides"): (
        "ProjectSchemaOverride",
        "project_schema_id",
    ),
}

#: resources (users, groups) own appointments through ``Appointment.resource_id``
for _owner in ("User", "Group", "Resource"):
    for _name in ("appointments", "assignments", "allocations"):
        COLLECTION_KEYS[(_owner, _name)] = ("Appointment", "resource_id")

#: collections that hold only the target rows with a given value: attribute -> (column, value)
COLLECTION_FILTERS: Dict[str, Tuple[str, str]] = {
    "assignments": ("type", "assignment"),
    "allocations": ("type", "allocation"),
}

#: a reference to one of these types may point at any of the listed types' entities
REFERENCE_ALIASES: Dict[str, Tuple[str, ...]] = {"Resource": ("Resource", "User", "Group")}


@dataclass(frozen=True)
class LinkTable:
    """Where the (owner, member) pairs of one many-to-many collection are kept.

    ftrack exposes some pairs as link entities (``AssetVersionLink``, ``ListObject``,
    ``WorkflowSchemaStatus``…): then ``table`` names that link type and the pairs are its rows.
    Others it keeps in a table the API never shows (Task ↔ Scope): then ``hidden`` is true and
    ``table`` names one of :data:`HIDDEN_LINK_TABLES`. The same table serves both directions of
    a relation, with ``owner`` and ``member`` swapped.
    """

    table: str
    owner: str  # column holding the owner's key
    member: str  # column holding the member's key
    hidden: bool = False


#: Link tables ftrack keeps out of the API: name -> its two key columns. The storage table is
#: ``ft_link_<name>`` with the pair as its primary key.
HIDDEN_LINK_TABLES: Dict[str, Tuple[str, str]] = {
    "context_scope": ("context_id", "scope_id"),
    "configuration_read_role": ("configuration_id", "security_role_id"),
    "configuration_write_role": ("configuration_id", "security_role_id"),
}


def _hidden(name: str, owner: str) -> LinkTable:
    first, second = HIDDEN_LINK_TABLES[name]
    return LinkTable(name, owner, second if owner == first else first, hidden=True)


#: Many-to-many collections: (owner type, attribute) -> where its pairs are kept. Declared on
#: the owner or an ancestor (``Context`` covers Project, Task, Shot…). Every other collection
#: of the schema is one-to-many (a key of the target points back) or a context hierarchy.
LINK_COLLECTIONS: Dict[Tuple[str, str], LinkTable] = {
    ("WorkflowSchema", "statuses"): LinkTable(
        "WorkflowSchemaStatus", "workflow_schema_id", "status_id"
    ),
    ("TaskTypeSchema", "types"): LinkTable("TaskTypeSchemaType", "task_type_schema_id", "type_id"),
    ("Type", "task_type_schemas"): LinkTable(
        "TaskTypeSchemaType", "type_id", "task_type_schema_id"
    ),
    ("ProjectSchema", "object_types"): LinkTable(
        "ProjectSchemaObjectType", "project_schema_id", "object_type_id"
    ),
    ("ObjectType", "project_schemas"): LinkTable(
        "ProjectSchemaObjectType", "object_type_id", "project_schema_id"
    ),
    # ftrack: "rig uses model" is an AssetVersionLink from the model to the rig
    ("AssetVersion", "uses_versions"): LinkTable("AssetVersionLink", "to_id", "from_id"),
    ("AssetVersion", "used_in_versions"): LinkTable("AssetVersionLink", "from_id", "to_id"),
    # list membership is a ListObject (list_id, entity_id)
    ("TypedContext", "lists"): LinkTable("ListObject", "entity_id", "list_id"),
    ("AssetVersion", "lists"): LinkTable("ListObject", "entity_id", "list_id"),
    ("TypedContextList", "items"): LinkTable("ListObject", "list_id", "entity_id"),
    ("AssetVersionList", "items"): LinkTable("ListObject", "list_id", "entity_id"),
    # scopes of projects, tasks, shots… (ftrack's "Scopes" tags)
    ("Context", "scopes"): _hidden("context_scope", "context_id"),
}
#: the security roles allowed to read / write a custom attribute (configurations of both kinds)
for _configuration in (
    "CustomConfigurationBase",
    "CustomAttributeConfiguration",
    "CustomAttributeLinkConfiguration",
):
    for _access in ("read", "write"):
        LINK_COLLECTIONS[(_configuration, f"{_access}_security_roles")] = _hidden(
            f"configuration_{_access}_role", "configuration_id"
        )

#: Collections of polymorphic children keyed by ``parent_id`` + ``parent_type`` (notes).
POLYMORPHIC_CHILDREN = {"Note": ("parent_id", "parent_type")}

#: Attributes the server computes and never stores, beyond the schema's ``computed`` lists.
EXTRA_COMPUTED = frozenset({"link", "_link", "is_latest_version", "thumbnail_url", "url"})

#: Internal column names used in ``system_projections`` -> public attribute names.
SYSTEM_PROJECTION_NAMES = {"showid": "project_id", "assetid": "asset_id", "topid": "project_id"}

_FK_DESCRIPTION = re.compile(r"Foreign key\(s\): (\w+)\.(\w+)")


@dataclass
class Attribute:
    """One attribute of an entity type."""

    name: str
    kind: str  # "scalar" | "reference" | "collection" | "mapped"
    value_type: str = "string"  # scalar: string|boolean|integer|number|variable|object|datetime
    target: Optional[str] = None  # reference/collection/mapped: the related type
    foreign_key: Optional[str] = None  # reference: the local attribute (column) holding the key
    remote_key: Optional[str] = None  # collection: the target's attribute pointing back
    link: Optional[LinkTable] = None  # many-to-many: where the pairs are kept
    hierarchy: Optional[str] = None  # "ancestors" | "descendants" through Context.parent_id
    filter: Optional[Tuple[str, str]] = None  # collection: only targets with column == value
    hidden_column: bool = False  # reference whose key column is not a public attribute
    default: Any = None
    has_default: bool = False
    computed: bool = False
    immutable: bool = False
    required: bool = False
    restricted: bool = False

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"


@dataclass
class EntityType:
    """One entity type (schema id) with its attributes and place in the type hierarchy."""

    name: str
    schema: Dict[str, Any]
    primary_key: List[str]
    attributes: Dict[str, Attribute] = field(default_factory=dict)
    parent: Optional[str] = None
    family: str = ""
    descendants: List[str] = field(default_factory=list)  # concrete names incl. self

    @property
    def default_projections(self) -> List[str]:
        return list(self.schema.get("default_projections") or self.primary_key)

    @property
    def system_projections(self) -> List[str]:
        names = []
        for raw in self.schema.get("system_projections") or []:
            name = SYSTEM_PROJECTION_NAMES.get(raw, raw)
            attr = self.attributes.get(name)
            if attr is not None and attr.is_scalar and name not in names:
                names.append(name)
        if self.family == "Context" and "object_type_id" in self.attributes:
            names.append("object_type_id")
        return names

    @property
    def required(self) -> List[str]:
        return list(self.schema.get("required") or [])

    @property
    def is_abstract(self) -> bool:
        return self.name in ABSTRACT_TYPES

    def attribute(self, name: str) -> Optional[Attribute]:
        return self.attributes.get(name)

    def scalar_attributes(self) -> List[Attribute]:
        return [a for a in self.attributes.values() if a.is_scalar]


def _scalar_type(fragment: Dict[str, Any]) -> str:
    kind = fragment.get("type", "string")
    if kind == "string" and fragment.get("format") == "date-time":
        return "datetime"
    if kind not in ("string", "boolean", "integer", "number", "variable", "object"):
        return "string"
    return kind


class SchemaModel:
    """All entity types, with inheritance and relation keys resolved."""

    def __init__(self, schemas: Iterable[Dict[str, Any]]) -> None:
        self.schemas = list(schemas)
        self.types: Dict[str, EntityType] = {}
        #: every many-to-many relation: (owner type, member type, where its pairs are kept)
        self.links: List[Tuple[str, str, LinkTable]] = []
        for schema in self.schemas:
            etype = EntityType(
                name=schema["id"], schema=schema, primary_key=list(schema["primary_key"])
            )
            self.types[etype.name] = etype
        self._resolve_hierarchy()
        for etype in self.types.values():
            self._build_attributes(etype)
        for etype in self.types.values():
            self._resolve_references(etype)
        for etype in self.types.values():
            self._resolve_collections(etype)
        self._collect_links()

    # -- lookup -------------------------------------------------------------------------------
    def get(self, name: str) -> Optional[EntityType]:
        return self.types.get(name)

    def is_subtype(self, name: str, ancestor: str) -> bool:
        current: Optional[str] = name
        while current is not None:
            if current == ancestor:
                return True
            current = self.types[current].parent if current in self.types else None
        return False

    def family_types(self, family: str) -> List[EntityType]:
        return [t for t in self.types.values() if t.family == family]

    # -- construction -------------------------------------------------------------------------
    def _parent_of(self, etype: EntityType) -> Optional[str]:
        if etype.name in EXPLICIT_PARENTS:
            return EXPLICIT_PARENTS[etype.name]
        alias = etype.schema.get("alias_for")
        if isinstance(alias, dict) and alias.get("id") == "Task" and etype.name != "TypedContext":
            return "TypedContext"
        return None

    def _resolve_hierarchy(self) -> None:
        for etype in self.types.values():
            parent = self._parent_of(etype)
            etype.parent = parent if parent in self.types else None
        for etype in self.types.values():
            root = etype
            while root.parent is not None:
                root = self.types[root.parent]
            etype.family = root.name
        for etype in self.types.values():
            etype.descendants = [
                t.name for t in self.types.values() if self.is_subtype(t.name, etype.name)
            ]
        for twin, canonical in TWIN_TYPES.items():
            if twin in self.types and canonical in self.types:
                self.types[twin].descendants = list(self.types[canonical].descendants)

    def _build_attributes(self, etype: EntityType) -> None:
        schema = etype.schema
        computed = set(schema.get("computed") or []) | (EXTRA_COMPUTED & set(schema["properties"]))
        immutable = set(schema.get("immutable") or [])
        required = set(schema.get("required") or [])
        for name, fragment in schema["properties"].items():
            if "$ref" in fragment and "type" not in fragment:
                kind, target = "reference", fragment["$ref"]
            elif fragment.get("type") == "array":
                kind, target = "collection", (fragment.get("items") or {}).get("$ref")
            elif fragment.get("type") == "mapped_array":
                kind, target = "mapped", (fragment.get("items") or {}).get("$ref")
            else:
                kind, target = "scalar", None
            attr = Attribute(
                name=name,
                kind=kind,
                value_type=_scalar_type(fragment) if kind == "scalar" else "reference",
                target=target,
                computed=name in computed,
                immutable=name in immutable,
                required=name in required,
                restricted=bool(fragment.get("restricted_projection")),
            )
            if "default" in fragment:
                attr.default, attr.has_default = fragment["default"], True
            etype.attributes[name] = attr

    def _reference_key(self, etype: EntityType, attr: Attribute) -> Tuple[str, bool]:
        props = etype.schema["properties"]
        if (etype.name, attr.name) in REFERENCE_KEYS:
            return REFERENCE_KEYS[(etype.name, attr.name)], False
        if attr.name + "_id" in props:
            return attr.name + "_id", False
        alias = props[attr.name].get("alias_for")
        if alias:
            for other, fragment in props.items():
                if str(fragment.get("alias_for", "")).lower() in (
                    alias.lower() + "id",
                    alias.lower() + "_id",
                ):
                    return other, False
        described = []
        for other, fragment in props.items():
            match = _FK_DESCRIPTION.search(str(fragment.get("description", "")))
            if match and match.group(1) == attr.target and "$ref" not in fragment:
                described.append(other)
        if len(described) == 1:
            return described[0], False
        return "_" + attr.name + "_id", True

    def _resolve_references(self, etype: EntityType) -> None:
        for attr in etype.attributes.values():
            if attr.kind == "reference":
                target = self.types.get(attr.target or "")
                if target is None or len(target.primary_key) != 1 or attr.computed:
                    continue
                attr.foreign_key, attr.hidden_column = self._reference_key(etype, attr)
                key_attr = etype.attributes.get(attr.foreign_key)
                if key_attr is not None and key_attr.computed:
                    # e.g. ReviewSession.thumbnail: the server derives it, nobody sets it
                    attr.computed, attr.foreign_key = True, None

    def _resolve_collections(self, etype: EntityType) -> None:
        for attr in etype.attributes.values():
            if attr.kind == "collection" and attr.target in self.types:
                link = self._link_collection(etype, attr.name)
                if link is not None:
                    attr.link = link
                    continue
                if etype.family == "Context" and attr.name in ("ancestors", "descendants"):
                    attr.hierarchy = attr.name
                    continue
                attr.remote_key = self._collection_key(etype, attr)
                if attr.target == "Appointment" and attr.name in COLLECTION_FILTERS:
                    attr.filter = COLLECTION_FILTERS[attr.name]

    def _collect_links(self) -> None:
        for (owner, name), link in LINK_COLLECTIONS.items():
            attr = self.types[owner].attributes.get(name) if owner in self.types else None
            if attr is not None and attr.target in self.types:
                self.links.append((owner, attr.target or "", link))

    def hidden_link_tables(self) -> Dict[str, Tuple[str, str]]:
        """The hidden link tables the schema's relations use: name -> its two key columns."""
        return {
            link.table: HIDDEN_LINK_TABLES[link.table] for _o, _m, link in self.links if link.hidden
        }

    def _link_collection(self, etype: EntityType, name: str) -> Optional[LinkTable]:
        """The many-to-many link of ``etype.name`` (declared on it or on an ancestor)."""
        current: Optional[str] = etype.name
        while current is not None:
            if (current, name) in LINK_COLLECTIONS:
                return LINK_COLLECTIONS[(current, name)]
            current = self.types[current].parent
        return None

    def _collection_key(self, etype: EntityType, attr: Attribute) -> Optional[str]:
        current: Optional[str] = etype.name
        while current is not None:
            if (current, attr.name) in COLLECTION_KEYS:
                target, key = COLLECTION_KEYS[(current, attr.name)]
                attr.target = target
                return key
            current = self.types[current].parent
        if attr.target in POLYMORPHIC_CHILDREN:
            return POLYMORPHIC_CHILDREN[attr.target][0]
        target_type = self.types[attr.target or ""]
        candidates = []
        for other in target_type.attributes.values():
            if other.kind != "reference" or other.target is None:
                continue
            if self.is_subtype(etype.name, other.target) or self.is_subtype(
                other.target, etype.name
            ):
                candidates.append(other)
        exact = [c for c in candidates if c.target == etype.name]
        chosen = exact if len(exact) == 1 else candidates
        if len(chosen) == 1:
            return chosen[0].foreign_key
        return None

    def columns_of_family(self, family: str) -> Dict[str, str]:
        """Storage columns of a family: attribute name -> scalar value type (union over types)."""
        columns: Dict[str, str] = {}
        for etype in self.family_types(family):
            for attr in etype.attributes.values():
                if attr.is_scalar and not attr.computed:
                    columns.setdefault(attr.name, attr.value_type)
                elif attr.kind == "reference" and attr.hidden_column and attr.foreign_key:
                    columns.setdefault(attr.foreign_key, "string")
        return columns
