"""One ``/api`` batch of data operations inside one transaction (used by :class:`Store`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import (
    Callable,
    Dict,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Protocol,
    Sequence,
    Tuple,
    cast,
)

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ft_dcc.protocol.json_value import JsonObject, JsonValue
from ft_dcc.server.errors import ApiOperationError, duplicate_error
from ft_dcc.server.model.database import comparable_id
from ft_dcc.server.model.schema import (
    REFERENCE_ALIASES,
    Attribute,
    EntityType,
    LinkTable,
    SchemaModel,
)
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.query.ast import Query
from ft_dcc.server.query.compiler import Compiler, ProjectionTree, QueryError, projection_tree
from ft_dcc.server.query.parser import QuerySyntaxError
from ft_dcc.server.query.reply_budget import ReplyBudget
from ft_dcc.server.query.results import ResultBuilder
from ft_dcc.server.query.shapes import parse as parse_query
from ft_dcc.server.query.values import StoredRow, ValueTypeError, storage_to_wire, wire_to_storage
from ft_dcc.server.rules.ownership import creator_of
from ft_dcc.server.rules.permissions import ADMINISTRATOR, role_of
from ft_dcc.server.rules.registry import (
    Change,
    Key,
    KeyPart,
    Operation,
    RuleRegistry,
    Touched,
    WriteStep,
    concrete_type,
    key_of,
)
from ft_dcc.server.store import creators, tombstones
from ft_dcc.server.store.changes import describe_change
from ft_dcc.server.store.collections import CollectionWriter
from ft_dcc.server.store.defaults import apply_server_defaults, set_or_defaulted
from ft_dcc.server.store.reads import ReadCache
from ft_dcc.server.store.statements import Statements, key_params


class BatchParts(Protocol):
    """What a batch needs of its store: the model, its tables, the query compiler and the
    per-row statements built for them."""

    model: SchemaModel
    tables: Dict[str, sa.Table]
    metadata: sa.MetaData
    compiler: Compiler
    statements: Statements


#: owned entities deleted with their owner: owner family -> [(child type, child column)]
CASCADE = {
    "Component": [("ComponentLocation", "component_id"), ("JobComponent", "component_id")],
    "ReviewSession": [
        ("ReviewSessionObject", "review_session_id"),
        ("ReviewSessionInvitee", "review_session_id"),
    ],
    "ReviewSessionObject": [("ReviewSessionObjectStatus", "review_session_object_id")],
    "ReviewSessionInvitee": [("ReviewSessionObjectStatus", "review_session_invitee_id")],
    "Job": [("JobComponent", "job_id")],
    "AssetVersion": [("Component", "version_id"), ("ReviewSessionObject", "version_id")],
    "Asset": [("AssetVersion", "asset_id")],
    "Context": [("Context", "parent_id"), ("Asset", "context_id")],
    # a project goes with all it holds, as in ftrack: its review sessions, its lists and
    # calendar events, and the rows that list it in a role (the role itself stays, on its
    # other projects): nothing is left naming it
    "Project": [
        ("ReviewSession", "project_id"),
        ("UserSecurityRoleProject", "project_id"),
        ("List", "project_id"),
        ("CalendarEvent", "project_id"),
    ],
    "Note": [("Note", "in_reply_to_id"), ("NoteComponent", "note_id"), ("Recipient", "note_id")],
}

VALUE_TYPES_UPSERTED = "CustomAttributeValue"


def _fail(message: str, exception: str = "ValidationError") -> ApiOperationError:
    return ApiOperationError(message, exception)


def _immutable(etype: EntityType, name: str) -> ApiOperationError:
    return _fail(
        f"'{name}' of {etype.name} is immutable and cannot be changed; create a new "
        f"{etype.name} instead"
    )


def _sent(data: object) -> Dict[str, object]:
    """The caller's entity_data as rules see it ({} when it is not an object)."""
    return dict(data) if isinstance(data, dict) else {}


#: a registered in-batch action bound to its batch (``Store.answer_in_batch``): its reply
Answer = Callable[[Operation], JsonObject]


class Batch:
    """Runs operations in order on one connection; collects changes; walks the rules.

    The rules (``ft_dcc.server.rules``) see it as a :class:`~ft_dcc.server.rules.registry.
    BatchView`: before every write step, for every deleted row, and once at the end (on the
    data operations). ``answers``: the non-data actions answered in their place (by name).
    """

    def __init__(
        self,
        parts: BatchParts,
        connection: Connection,
        user_id: str,
        rules: RuleRegistry,
        answers: Optional[Mapping[str, Answer]] = None,
    ) -> None:
        self.model = parts.model
        self.tables = parts.tables
        self.metadata = parts.metadata
        self.compiler = parts.compiler
        self.statements = parts.statements
        self.connection = connection
        self.user_id = user_id
        self.rules = rules
        self.answers: Mapping[str, Answer] = answers or {}
        self._acting_user_id: Optional[str] = None
        self._acting_user_read = False
        self._is_admin: Optional[bool] = None
        self.now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
        self.changes: List[Change] = []
        #: every row written, for the end-of-batch rules
        self.touched: List[Touched] = []
        self.collections = CollectionWriter(self)
        #: the bytes this batch's query replies may take (``FT_DCC_MAX_REPLY_BYTES``)
        self.reply_budget = ReplyBudget()
        #: what this batch found, answered again until its transaction writes the table
        self.reads = ReadCache(connection)

    # -- driver -------------------------------------------------------------------------------
    def run(self, operations: Sequence[object]) -> List[JsonObject]:
        replies: List[JsonObject] = []
        sent: List[Operation] = []
        places: List[int] = []  # of the data operations, in the batch
        for index, operation in enumerate(operations):
            action = operation.get("action") if isinstance(operation, dict) else None
            entity_type = operation.get("entity_type") if isinstance(operation, dict) else None
            try:
                if not isinstance(operation, dict):
                    raise _fail("Each operation must be a JSON object with an 'action'")
                replies.append(self.run_one(operation))
                if action not in self.answers:
                    sent.append(operation)
                    places.append(index)
            except ApiOperationError as error:
                raise error.at(
                    index, str(action), entity_type if isinstance(entity_type, str) else None
                ) from None
            except (QueryError, QuerySyntaxError, ValueTypeError) as error:
                raise _fail(str(error)).at(
                    index, str(action), entity_type if isinstance(entity_type, str) else None
                ) from None
        self._check_batch(sent, places)
        return replies

    def _check_batch(self, sent: List[Operation], places: List[int]) -> None:
        """The end-of-batch rules on the data operations; a refusal names its operation's place
        in the whole batch."""
        try:
            self.rules.check_batch(self, sent)
        except ApiOperationError as error:
            index = error.index
            if index is None or not 0 <= index < len(places) or places[index] == index:
                raise
            raise error.restated(error.message, places[index]) from None

    def run_one(self, operation: Operation) -> JsonObject:
        action = operation.get("action")
        answer = self.answers.get(str(action))
        if answer is not None:  # a registered action, answered here in batch order
            return answer(operation)
        if action == "query":
            return self.query(operation.get("expression"))
        if action not in ("create", "update", "delete"):
            raise _fail(
                f"'{action}' is not a data action; the data actions are query, create, "
                "update and delete",
                "ServerError",
            )
        etype = self.entity_type(operation.get("entity_type"))
        data = operation.get("entity_data")
        written = len(self.touched)
        if action == "create":
            return self.create_step(etype, data, operation.get("entity_key"), written)
        key = self.entity_key(etype, operation.get("entity_key"))
        before = self.load(etype, key)
        row = self.planned_update(etype, key, data, before) if action == "update" else before
        step = WriteStep(action, etype, key, _sent(data), before, row)
        self.rules.check_step(self, step)
        if action == "update":
            reply = self.update(etype, key, data, before)
            self.check_written(step, written)
            return reply
        return self.delete(etype, key, before)

    def check_written(self, step: WriteStep, written: int) -> None:
        """Run the rules on the row a create or update wrote (``Rule.check_written``); ``written``
        is how many rows had been touched before it (a custom attribute upsert touches none)."""
        if len(self.touched) <= written:
            return
        last = self.touched[-1]
        row = self.load(last.etype, last.key)
        if row is not None:
            self.rules.check_written(self, WriteStep(step.action, last.etype, last.key, step.data,
                                                     step.before, row), row)  # fmt: skip

    @property
    def is_admin(self) -> bool:
        """Whether the caller holds the Administrator role (read once per batch)."""
        if self._is_admin is None:
            self._is_admin = role_of(self, self.connection, self.user_id) == ADMINISTRATOR
        return self._is_admin

    @property
    def acting_user_id(self) -> Optional[str]:
        """The caller's User id for ``created_by``/``user`` defaults, when it is a real User.

        Server-internal callers may pass a system id that is no User; then those stay empty.
        """
        if not self._acting_user_read:
            table = self.tables["User"]
            found = None
            if self.user_id:
                found = self.connection.execute(
                    select(table.c.id).where(table.c.id == self.user_id)
                ).scalar()
            self._acting_user_id = found
            self._acting_user_read = True
        return self._acting_user_id

    # -- helpers ------------------------------------------------------------------------------
    def entity_type(self, name: object) -> EntityType:
        if not isinstance(name, str) or not name:
            raise _fail("The operation needs an 'entity_type' (e.g. \"Task\")")
        etype = self.model.get(name)
        if etype is None:
            raise _fail(
                f"Unknown entity type '{name}'; use a type listed by query_schemas", "ServerError"
            )
        return etype

    def entity_key(self, etype: EntityType, key: object) -> Key:
        if isinstance(key, (str, int)) and len(etype.primary_key) == 1:
            key = [key]
        if not isinstance(key, list) or len(key) != len(etype.primary_key):
            raise _fail(
                f"entity_key of {etype.name} must be a list of {len(etype.primary_key)} value(s): "
                + ", ".join(etype.primary_key)
            )
        if any(not isinstance(part, (str, int)) or isinstance(part, bool) for part in key):
            raise _fail(f"entity_key of {etype.name} must hold strings")
        return tuple(str(part) for part in key)

    def table(self, etype: EntityType) -> sa.Table:
        return self.tables[etype.family]

    def key_condition(self, etype: EntityType, key: Key) -> ColumnElement[bool]:
        table = self.table(etype)
        return and_(*[table.c[name] == value for name, value in zip(etype.primary_key, key)])

    def load(self, etype: EntityType, key: Key) -> Optional[StoredRow]:
        table = self.table(etype)
        asked = (etype.name, key) if _hashable(key) else None
        if asked is not None:
            kept = self.reads.row(table.name, asked)
            if kept is not None:
                return kept
        stmt = self.statements.load(etype)
        found = self.connection.execute(stmt, key_params(key)).mappings().first()
        if found is None:
            return None
        row = dict(found)
        if asked is not None:
            self.reads.keep_row(table.name, asked, row)
        return row

    def row(self, type_name: str, ident: Optional[KeyPart]) -> Optional[StoredRow]:
        """The stored row of the ``type_name`` entity with id ``ident``, if there is one."""
        if not ident:
            return None
        return self.load(self.model.types[type_name], (ident,))

    def exists_in_family(self, target: EntityType, value: object) -> bool:
        """Whether an entity of ``target`` (or a type standing for it) has the id ``value``."""
        for name in REFERENCE_ALIASES.get(target.name, (target.name,)):
            candidate = self.model.types[name]
            if self.has_key(candidate.family, candidate.primary_key[0], value):
                return True
        return False

    def has_key(self, family: str, column: str, value: object) -> bool:
        """Whether a row of ``family``'s table has ``value`` in ``column`` (its key column)."""
        table = self.tables[family]
        asked = (column, value) if _hashable((value,)) else None
        if asked is not None and self.reads.has_id(table.name, asked):
            return True
        stmt = self.statements.has_value(family, column)
        if self.connection.execute(stmt, {"value": value}).first() is None:
            return False
        if asked is not None:
            self.reads.keep_id(table.name, asked)
        return True

    def unlink(
        self, link: LinkTable, column: str, ident: object, members: Optional[List[str]] = None
    ) -> None:
        """Drop pairs of a many-to-many link (see :class:`CollectionWriter`)."""
        self.collections.unlink(link, column, ident, members)

    def builder(self) -> ResultBuilder:
        return ResultBuilder(self.model, self.compiler, self.connection)

    def attribute(self, etype: EntityType, name: object) -> Attribute:
        attr = etype.attribute(name) if isinstance(name, str) else None
        if attr is None:
            raise _fail(
                f"'{name}' is not an attribute of {etype.name}; check the spelling against "
                f"the {etype.name} schema"
            )
        return attr

    # -- query --------------------------------------------------------------------------------
    def query(self, expression: object) -> JsonObject:
        if not isinstance(expression, str):
            raise _fail("A query operation needs an 'expression' string")
        parsed = parse_query(expression)
        if parsed.is_aggregate:
            return self.aggregate_query(parsed)
        etype, stmt = self.compiler.select_rows(parsed, extra_limit=1)
        rows = [dict(r) for r in self.connection.execute(stmt).mappings()]
        next_offset = None
        if parsed.limit is not None and len(rows) > parsed.limit:
            rows = rows[: parsed.limit]
            next_offset = (parsed.offset or 0) + parsed.limit
        projections = parsed.projections or [(name,) for name in etype.default_projections]
        data: List[JsonValue] = list(
            self.builder().build(etype, rows, projection_tree(projections))
        )
        self.reply_budget.charge(data)
        return {"action": "query", "data": data, "metadata": {"next": {"offset": next_offset}}}

    def aggregate_query(self, parsed: Query) -> JsonObject:
        """``select count(id), status_id from Task group by status_id``: flat rows."""
        _etype, stmt, shapes = self.compiler.select_aggregate(parsed, extra_limit=1)
        rows = [dict(r) for r in self.connection.execute(stmt).mappings()]
        next_offset = None
        if parsed.limit is not None and len(rows) > parsed.limit:
            rows = rows[: parsed.limit]
            next_offset = (parsed.offset or 0) + parsed.limit
        data: List[JsonValue] = [
            {key: storage_to_wire(kind, row[key]) for key, kind in shapes} for row in rows
        ]
        self.reply_budget.charge(data)
        return {"action": "query", "data": data, "metadata": {"next": {"offset": next_offset}}}

    # -- create -------------------------------------------------------------------------------
    def create_step(
        self, etype: EntityType, data: object, entity_key: object, written: int
    ) -> JsonObject:
        """Plan the new row (its key and every default filled), let the rules judge that row,
        then store it: a rule never sees only the caller's partial view."""
        try:
            planned = self.plan_create(etype, data, entity_key)
        except (ApiOperationError, ValueTypeError):
            # the write cannot happen; the rules still answer first (a type the caller may not
            # write at all is refused as such, whatever the data)
            self.rules.check_step(self, WriteStep("create", etype, (), _sent(data)))
            raise
        row = cast(StoredRow, self._columns(self.table(etype), planned.values))
        step = WriteStep("create", etype, planned.key, _sent(data), None, row)
        self.rules.check_step(self, step)
        reply = self.store_planned(etype, planned)
        self.check_written(step, written)
        return reply

    def plan_create(self, etype: EntityType, data: object, entity_key: object) -> PlannedRow:
        """The row a create will store: the caller's values, the key (from the values or
        ``entity_key``, which must agree), the schema's and the server's defaults."""
        checked = self._creatable(etype, data)
        values, relations = self.split_values(etype, checked, creating=True)
        _fill_key(etype, values, entity_key)
        _fill_defaults(etype, values)
        apply_server_defaults(self, etype, values)
        values[DISCRIMINATOR] = etype.name
        key = tuple(str(values[name]) for name in etype.primary_key)
        return PlannedRow(key, values, relations, checked)

    def planned_update(
        self, etype: EntityType, key: Key, data: object, before: Optional[StoredRow]
    ) -> Optional[StoredRow]:
        """The row an update will store: its column values over the stored row (a custom
        attribute value not stored yet: its key). None when it cannot be planned: the update
        then fails with its own error, after the rules judged the stored row."""
        if before is None:
            upsert = etype.family == VALUE_TYPES_UPSERTED
            return dict(zip(etype.primary_key, key)) if upsert else None
        if not isinstance(data, dict):
            return None
        concrete = concrete_type(self.model, before)
        try:
            values, _relations = self.split_values(concrete, data, creating=False)
        except (ApiOperationError, ValueTypeError):
            return None
        if concrete.family == "Context" and "parent_id" in values and concrete.name != "Project":
            values["project_id"] = self.project_of(values["parent_id"])
        return {**before, **cast(StoredRow, self._columns(self.table(concrete), values))}

    def create(self, etype: EntityType, data: object, entity_key: object) -> JsonObject:
        """Create a row for a rule (an author's recipient…): planned and stored; the rules that
        asked for it judge it."""
        return self.store_planned(etype, self.plan_create(etype, data, entity_key))

    def store_planned(self, etype: EntityType, planned: PlannedRow) -> JsonObject:
        """Store a planned create (:meth:`plan_create`), once the rules passed it."""
        key, values, relations, data = planned
        table = self.table(etype)
        existing = self.connection.execute(self.statements.key_taken(etype), key_params(key))
        if existing.first() is not None:
            raise duplicate_error(
                f"{etype.name} {list(key)} already exists (use update to change it)"
            )
        tombstones.refuse_buried(self.connection, self.metadata, etype, key)
        self.insert(etype, key, self._columns(table, values))
        creators.record(self.connection, self.metadata, etype, key[0], self.acting_user_id)
        for attr, value in relations:
            self.collections.set_collection(etype, key, attr, value)
        self.touched.append(Touched(len(self.changes), etype, key))
        self.changes.append(
            describe_change(
                self,
                "add",
                etype,
                key,
                sorted(k for k in data if k != "__entity_type__"),
                None,
                self.load(etype, key),
            )
        )
        echo = self.echo(etype, key, full=True, names=[a.name for a, _ in relations])
        return {"action": "create", "data": set_or_defaulted(echo, data)}

    def insert(self, etype: EntityType, key: Key, columns: Dict[str, object]) -> None:
        """Insert a new row; on PostgreSQL the row it stored (``INSERT … RETURNING``) is kept as
        read (the change, echo and rules read it next) instead of a SELECT. Not on SQLite: its
        RETURNING answers values before their column's type applies (``0``, not ``0.0``)."""
        if self.connection.dialect.name != "postgresql":
            self.connection.execute(self.statements.insert(etype.family), columns)
            return
        stored = self.connection.execute(self.statements.insert_returning(etype.family), columns)
        found = stored.mappings().first()
        row = dict(found) if found is not None else {}
        if tuple(row.get(name) for name in etype.primary_key) == key:
            self.reads.keep_row(self.table(etype).name, (etype.name, key), row)

    def _creatable(self, etype: EntityType, data: object) -> Dict[str, object]:
        """``entity_data`` of a create, checked: a concrete type, an object naming no other
        type, a valid custom attribute value."""
        if etype.is_abstract:
            raise _fail(
                f"{etype.name} is abstract; create one of its concrete types, e.g. "
                + ", ".join(sorted(set(etype.descendants) - {etype.name})[:4])
            )
        if not isinstance(data, dict):
            raise _fail("entity_data must be a JSON object of attribute values")
        declared = data.get("__entity_type__", etype.name)
        if declared != etype.name:
            raise _fail(
                f"entity_data says __entity_type__ {declared!r} but entity_type is {etype.name}"
            )
        if etype.family == VALUE_TYPES_UPSERTED and "value" in data:
            self.check_custom_attribute_value(data.get("configuration_id"), data["value"])
        return data

    def _columns(self, table: sa.Table, values: Mapping[str, object]) -> Dict[str, object]:
        return {name: value for name, value in values.items() if name in table.c}

    def split_values(
        self, etype: EntityType, data: Mapping[str, object], creating: bool
    ) -> Tuple[Dict[str, object], List[Tuple[Attribute, List[object]]]]:
        """Column values and relation (collection) assignments from ``entity_data``."""
        values: Dict[str, object] = {}
        relations: List[Tuple[Attribute, List[object]]] = []
        for name, value in data.items():
            if name == "__entity_type__":
                continue
            attr = self.attribute(etype, name)
            if attr.restricted:
                raise _fail(f"'{name}' of {etype.name} cannot be set through the API")
            if attr.computed:
                raise _fail(f"'{name}' of {etype.name} is computed by the server and cannot be set")
            if attr.is_scalar:
                if (
                    attr.value_type in ("variable", "object")
                    and etype.family == "CustomAttributeValue"
                ):
                    values[name] = wire_to_storage("variable", value, name)
                else:
                    values[name] = wire_to_storage(attr.value_type, value, name)
            elif attr.kind == "reference":
                values[self.foreign_key(etype, attr)] = self.reference_value(etype, attr, value)
            else:
                if not isinstance(value, list):
                    raise _fail(
                        f"'{name}' of {etype.name} is a collection; send a list of entity "
                        "references"
                    )
                relations.append((attr, value))
        return values, relations

    def foreign_key(self, etype: EntityType, attr: Attribute) -> str:
        if not attr.foreign_key:
            raise _fail(f"'{attr.name}' of {etype.name} cannot be set through the API")
        return attr.foreign_key

    def reference_value(self, etype: EntityType, attr: Attribute, value: object) -> Optional[str]:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _fail(
                f"'{attr.name}' of {etype.name} is a reference; send "
                f'{{"__entity_type__": "{attr.target}", "id": ...}} or null'
            )
        target = self.model.get(attr.target or "")
        ref_type = self.model.get(value.get("__entity_type__") or attr.target or "")
        if (
            target is None
            or ref_type is None
            or not (
                self.model.is_subtype(ref_type.name, target.name)
                or ref_type.name in REFERENCE_ALIASES.get(target.name, ())
            )
        ):
            raise _fail(
                f"'{attr.name}' of {etype.name} must reference a {attr.target}, got "
                f"{value.get('__entity_type__')!r}"
            )
        pk = target.primary_key[0]
        ref = value.get(pk)
        if not isinstance(ref, (str, int)) or isinstance(ref, bool):
            raise _fail(f"The reference in '{attr.name}' of {etype.name} needs its '{pk}'")
        return str(ref)

    # -- update -------------------------------------------------------------------------------
    def update(
        self, etype: EntityType, key: Key, data: object, row: Optional[StoredRow]
    ) -> JsonObject:
        if not isinstance(data, dict):
            raise _fail("entity_data must be a JSON object of attribute values")
        if row is None:
            if etype.family == VALUE_TYPES_UPSERTED:
                return self.upsert_custom_attribute(etype, key, data)
            raise _fail(f"{etype.name} {list(key)} does not exist", "NotFoundError")
        concrete = concrete_type(self.model, row)  # its __entity_type__: IntegrityRule.check_step
        if concrete.family == VALUE_TYPES_UPSERTED and "value" in data:
            self.check_custom_attribute_value(row.get("configuration_id"), data["value"])
        values, relations = self.split_values(concrete, data, creating=False)
        for name in list(values):
            attr = concrete.attributes.get(name)
            if (
                attr is not None
                and attr.immutable
                and row.get(name) != values[name]
                and row.get(name) is not None
            ):
                raise _immutable(concrete, name)
        for name in data:
            attr = concrete.attributes.get(name)
            if attr is not None and attr.kind == "reference" and attr.immutable:
                fk = attr.foreign_key
                if fk and row.get(fk) is not None and values.get(fk) != row.get(fk):
                    raise _immutable(concrete, name)
        if concrete.family == "Context" and "parent_id" in values and concrete.name != "Project":
            values["project_id"] = self.project_of(values["parent_id"])
        table = self.table(concrete)
        columns = self._columns(table, values)
        if columns:
            self.connection.execute(
                update(table).where(self.key_condition(concrete, key)).values(**columns)
            )
        for attr, value in relations:
            self.collections.set_collection(concrete, key, attr, value)
        names = [n for n in data if n != "__entity_type__"]
        self.touched.append(Touched(len(self.changes), concrete, key))
        self.changes.append(
            describe_change(
                self, "update", concrete, key, sorted(names), row, self.load(concrete, key)
            )
        )
        return {"action": "update", "data": self.echo(concrete, key, full=False, names=names)}

    def upsert_custom_attribute(
        self, etype: EntityType, key: Key, data: Mapping[str, object]
    ) -> JsonObject:
        configuration_id, entity_id = key
        configs = self.tables["CustomAttributeConfiguration"]
        config = (
            self.connection.execute(select(configs).where(configs.c.id == configuration_id))
            .mappings()
            .first()
        )
        if config is None:
            raise _fail(
                f"Custom attribute configuration {configuration_id} does not exist", "NotFoundError"
            )
        if self.type_of(entity_id) is None:
            raise _fail(
                f"Cannot set custom attribute '{config['key']}': entity {entity_id} does not exist",
                "NotFoundError",
            )
        values = {
            "configuration_id": configuration_id,
            "entity_id": entity_id,
            "key": config["key"],
            DISCRIMINATOR: etype.name,
        }
        if "value" in data:
            self.check_custom_attribute_value(configuration_id, data["value"])
            values["value"] = wire_to_storage("variable", data["value"], "value")
        table = self.table(etype)
        self.connection.execute(insert(table).values(**self._columns(table, values)))
        self.changes.append(
            describe_change(self, "update", etype, key, ["value"], None, self.load(etype, key))
        )
        return {"action": "update", "data": self.echo(etype, key, full=True, names=[])}

    def check_custom_attribute_value(self, configuration_id: object, value: object) -> None:
        """The value must fit the configuration's type (number, text, boolean…)."""
        configs = self.tables["CustomAttributeConfiguration"]
        types = self.tables["CustomAttributeType"]
        row = (
            self.connection.execute(
                select(configs.c.key, types.c.name)
                .select_from(configs.outerjoin(types, types.c.id == configs.c.type_id))
                .where(configs.c.id == configuration_id)
            )
            .mappings()
            .first()
        )
        if row is None or value is None:
            return
        kind = (row["name"] or "").lower()
        ok = {
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "text": isinstance(value, str),
            "boolean": isinstance(value, bool),
        }.get(kind, True)
        if not ok:
            raise _fail(
                f"Custom attribute '{row['key']}' holds a {kind}, got {value!r}; send a {kind}"
            )

    # -- delete -------------------------------------------------------------------------------
    def delete(self, etype: EntityType, key: Key, row: Optional[StoredRow]) -> JsonObject:
        if row is None:
            raise _fail(f"{etype.name} {list(key)} does not exist", "NotFoundError")
        concrete = concrete_type(self.model, row)
        change = describe_change(self, "remove", concrete, key, [], row, None)
        self.delete_row(concrete, key, row, depth=0)
        self.changes.append(change)
        return {"action": "delete", "data": True}

    def delete_row(self, etype: EntityType, key: Key, row: StoredRow, depth: int) -> None:
        if depth > 50:
            raise _fail("The entity hierarchy is too deep to delete", "ServerError")
        if len(etype.primary_key) == 1:
            owner_id = key[0]
            for family in {etype.family, etype.name}:
                for child_type, column in CASCADE.get(family, []):
                    child = self.model.types[child_type]
                    table = self.table(child)
                    for child_row in self.connection.execute(
                        select(table).where(
                            table.c[column] == owner_id, self.compiler.type_condition(child, table)
                        )
                    ).mappings():
                        child_values = dict(child_row)
                        child_concrete = concrete_type(self.model, child_values)
                        child_key = key_of(child_concrete, child_values)
                        self.delete_row(child_concrete, child_key, child_values, depth + 1)
            metadata = self.tables["Metadata"]
            self.connection.execute(delete(metadata).where(metadata.c.parent_id == owner_id))
            values = self.tables["CustomAttributeValue"]
            self.connection.execute(delete(values).where(values.c.entity_id == owner_id))
            if etype.family != "Note":
                self.delete_notes_on(owner_id, depth)
            settings = self.tables["EntitySetting"]
            self.connection.execute(delete(settings).where(settings.c.parent_id == owner_id))
            owner = creator_of(self.connection, self.metadata, etype, owner_id)
            tombstones.bury(self.connection, self.metadata, etype, owner_id, owner)
            creators.forget(self.connection, self.metadata, etype, owner_id)
        self.rules.on_delete_row(self, etype, key)
        self.connection.execute(delete(self.table(etype)).where(self.key_condition(etype, key)))

    def delete_notes_on(self, parent_id: KeyPart, depth: int) -> None:
        """A deleted entity's notes go with it (their replies, drawings' links and recipients
        too), as in ftrack: no note is left pointing at a deleted row."""
        note_type = self.model.types["Note"]
        notes = self.table(note_type)
        ids = [row[0] for row in self.connection.execute(
            select(notes.c.id).where(notes.c.parent_id == parent_id))]  # fmt: skip
        for ident in ids:
            values = self.load(note_type, (ident,))  # a reply may have gone with its note
            if values is not None:
                self.delete_row(note_type, (ident,), values, depth + 1)

    # -- replies and changes ----------------------------------------------------------------
    def echo(self, etype: EntityType, key: Key, full: bool, names: List[str]) -> JsonObject:
        row = self.load(etype, key)
        if row is None:  # pragma: no cover - just written
            raise _fail(f"{etype.name} {list(key)} vanished", "ServerError")
        builder = self.builder()
        concrete = concrete_type(self.model, row)
        entity = builder.full(concrete, row) if full else builder.base(row)
        tree: ProjectionTree = {}
        for name in names:
            attr = concrete.attributes.get(name)
            if attr is None:
                continue
            if attr.is_scalar:
                entity[name] = builder.scalar(concrete, row, attr)
            else:
                target = self.model.types.get(attr.target or "")
                tree[name] = builder.scalar_subtree(target) if target is not None else {}
        if tree:
            entity.update(builder.build(concrete, [row], tree)[0])
        if etype.family == "CustomAttributeValue":
            entity["value"] = builder.scalar(concrete, row, concrete.attributes["value"])
            entity.pop("_casted_value", None)
        return entity

    # -- derived values -----------------------------------------------------------------------
    def project_of(self, context_id: object) -> Optional[str]:
        if not context_id:
            return None
        row = self.load(self.model.types["Context"], cast(Key, (context_id,)))
        if row is None:
            return None
        return cast(
            Optional[str], row["id"] if row[DISCRIMINATOR] == "Project" else row["project_id"]
        )

    def type_of(self, ident: object) -> Optional[str]:
        """The concrete type of the entity with id ``ident`` (searched across families)."""
        for family, table in self.tables.items():
            if "id" not in table.c or len(self.model.types[family].primary_key) != 1:
                continue
            key = comparable_id(table.c.id, ident)
            if key is None:
                continue
            found = self.connection.execute(
                select(table.c[DISCRIMINATOR]).where(table.c.id == key)
            ).scalar()
            if found is not None:
                return found
        return None

    def lock_row(self, type_name: str, ident: object) -> None:
        """``SELECT … FOR UPDATE`` on servers that support it (SQLite serialises writers anyway)."""
        etype = self.model.types[type_name]
        table = self.table(etype)
        pk = table.c[etype.primary_key[0]]
        self.connection.execute(select(pk).where(pk == ident).with_for_update())

    def next_number(
        self, etype_name: str, column: str, scope_column: str, scope_value: object, start: int = 1
    ) -> int:
        """The next free number of ``column`` among rows sharing ``scope_column``."""
        etype = self.model.types[etype_name]
        table = self.table(etype)
        current = self.connection.execute(
            select(func.max(table.c[column])).where(table.c[scope_column] == scope_value)
        ).scalar()
        return start if current is None else int(current) + 1


def _hashable(key: Sequence[object]) -> bool:
    """Whether a key can name what a batch read (text and integer ids can)."""
    return all(isinstance(part, (str, int)) for part in key)


class PlannedRow(NamedTuple):
    """A create's row before it is stored: its key, its column values (key and defaults filled),
    its collection assignments and the caller's checked ``entity_data``."""

    key: Key
    values: Dict[str, object]
    relations: List[Tuple[Attribute, List[object]]]
    data: Dict[str, object]


def _fill_key(etype: EntityType, values: Dict[str, object], entity_key: object) -> None:
    """The primary key of a new row: from the values, else ``entity_key``, else a new uuid
    where the schema says so; a key left empty, or named differently by the values and
    ``entity_key``, is refused."""
    if entity_key is not None and isinstance(entity_key, list):
        for name, part in zip(etype.primary_key, entity_key):
            sent = values.setdefault(name, str(part))
            if sent is not None and str(sent) != str(part):
                raise _fail(
                    f"entity_key and entity_data name different values for '{name}' of "
                    f"{etype.name} ({str(part)[:80]!r}, {str(sent)[:80]!r}); send one of them"
                )
    for name in etype.primary_key:
        if values.get(name) in (None, ""):
            attr = etype.attributes[name]
            if attr.has_default and attr.default == "{uid}":
                values[name] = str(uuid.uuid4())
            else:
                raise _fail(
                    f"{etype.name} needs a value for its primary key '{name}'; send it in "
                    "entity_data or entity_key"
                )


def _fill_defaults(etype: EntityType, values: Dict[str, object]) -> None:
    """The schema's defaults of the stored attributes a create left out."""
    for attr in etype.scalar_attributes():
        if attr.name in values or attr.computed or not attr.has_default:
            continue
        if attr.default == "{uid}":
            continue
        values[attr.name] = wire_to_storage(attr.value_type, attr.default, attr.name)
