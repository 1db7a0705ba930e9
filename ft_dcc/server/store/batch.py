"""One ``/api`` batch of data operations inside one transaction (used by :class:`Store`).

:class:`Batch` runs the operations in order and walks the rules. A run of creates of one type
(a bulk import, ``session.commit()`` of new rows) is planned and judged create by create, then
written together (``store.writing``). What a batch plans is ``store.planning``'s, what it looks
up ``store.lookups``'.
"""

from __future__ import annotations

import functools
from typing import Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple, cast

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from ft_dcc.protocol.json_value import JsonObject, JsonValue
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.schema import EntityType, LinkTable, SchemaModel
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.query.ast import Query
from ft_dcc.server.query.compiler import ProjectionTree, projection_tree
from ft_dcc.server.query.shapes import parse as parse_query
from ft_dcc.server.query.values import StoredRow, ValueTypeError, storage_to_wire, wire_to_storage
from ft_dcc.server.rules.ownership import creator_of
from ft_dcc.server.rules.registry import (
    Ancestor,
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
from ft_dcc.server.store.defaults import set_or_defaulted
from ft_dcc.server.store.lookups import BatchParts
from ft_dcc.server.store.planning import VALUE_TYPES_UPSERTED, PlannedRow, Planning, _fail, _sent
from ft_dcc.server.store.removing import DELETED, Removals, delete_all, judge, self_cascading
from ft_dcc.server.store.statements import key_params
from ft_dcc.server.store.writing import (
    REFUSALS,
    Pending,
    PendingCreate,
    deferrable,
    placed,
    same_run,
    taken_error,
    write_creates,
)

__all__ = ["VALUE_TYPES_UPSERTED", "Answer", "Batch", "BatchParts"]


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


@functools.lru_cache(maxsize=4)
def _cascade_loops(model: SchemaModel) -> FrozenSet[str]:
    """The families whose delete may cascade to rows of their own family: the same for every
    batch of ``model`` (the process's one schema), so found once, not per batch."""
    return frozenset(self_cascading(CASCADE, model))


def _immutable(etype: EntityType, name: str) -> ApiOperationError:
    return _fail(
        f"'{name}' of {etype.name} is immutable and cannot be changed; create a new "
        f"{etype.name} instead"
    )


#: a registered in-batch action bound to its batch (``Store.answer_in_batch``): its reply
Answer = Callable[[Operation], JsonObject]


class Batch(Planning):
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
        super().__init__(parts, connection, user_id, rules)
        self.answers: Mapping[str, Answer] = answers or {}
        self.collections = CollectionWriter(self)
        #: the creates planned and judged, to be written together (``write_pending``)
        self.pending = Pending()
        #: the deletes judged, to be deleted together (``store.removing``)
        self.removals = Removals(_cascade_loops(self.model))
        self._replies: List[JsonObject] = []
        #: while a run of creates is written: the ancestries its changes found (its rows'
        #: parents do not move meanwhile; ``store.changes.ancestry``)
        self._ancestries: Optional[Dict[Tuple[str, object], List[Ancestor]]] = None

    # -- driver -------------------------------------------------------------------------------
    def run(self, operations: Sequence[object]) -> List[JsonObject]:
        replies: List[JsonObject] = []
        self._replies = replies
        sent: List[Operation] = []
        places: List[int] = []  # of the data operations, in the batch
        for index, operation in enumerate(operations):
            following = operations[index + 1] if index + 1 < len(operations) else None
            if "delete" not in self.answers and self.removals.joins(
                self.model, operation, following
            ):
                self.write_creates()
                replies.append(self._remove_at(index, cast(Operation, operation), operations))
            elif self.defer_create(index, operation, following):
                replies.append({})  # answered when the run of creates is written
            else:
                self.write_pending()
                try:  # its refusal names its place in the batch
                    if not isinstance(operation, dict):
                        raise _fail("Each operation must be a JSON object with an 'action'")
                    step = self.create_step if operation.get("action") == "create" else self.run_one
                    replies.append(step(operation))
                except REFUSALS as error:
                    raise placed(error, index, operation) from None
            if isinstance(operation, dict) and operation.get("action") not in self.answers:
                sent.append(operation)
                places.append(index)
        self.write_pending()
        self._check_batch(sent, places)
        return replies

    # -- creates written together (``store.writing``) -----------------------------------------
    def defer_create(self, index: int, operation: object, following: object) -> bool:
        """Plan a create of a run of creates of one type and let the rules judge it; written
        with the run (:meth:`write_pending`). False: it runs alone, now (not one of a run, or
        it cannot be planned or is refused: then, alone, it gets its own answer, in order)."""
        pending = self.pending
        if not deferrable(self.model, operation, self.answers):
            return False
        create = cast(Operation, operation)
        if pending.rows and (pending.type_name != create["entity_type"] or pending.needs(create)):
            self.write_pending()
        if not pending.rows and not same_run(self.model, create, following, self.answers):
            return False
        self.write_removals()  # a create after deletes is planned on the rows they leave
        etype = self.model.types[str(create["entity_type"])]
        data = create.get("entity_data")
        self.numbers.planning = True
        try:
            planned = self.plan_create(etype, data, create.get("entity_key"))
            row = cast(StoredRow, self._columns(self.table(etype), planned.values))
            step = WriteStep("create", etype, planned.key, _sent(data), None, row)
            self.rules.check_step(self, step)
        except REFUSALS:
            self.numbers.planning = False
            self.write_pending()
            return False
        finally:
            self.numbers.planning = False
        pending.add(PendingCreate(index, etype, planned, step))
        self.numbers.note(etype.family, planned.values)
        return True

    def write_pending(self) -> None:
        """Write what is deferred: the run of deletes, or the run of creates."""
        self.write_removals()
        self.write_creates()

    def write_creates(self) -> None:
        """Write the deferred creates (a statement per kind of statement, not per row) and
        answer them in their places."""
        rows = self.pending.take()
        self.numbers.clear()
        if rows:
            self._ancestries = {}
            try:
                write_creates(self, rows, self._replies)
            finally:
                self._ancestries = None

    # -- deletes written together (``store.removing``) ----------------------------------------
    def _remove_at(self, index: int, operation: Operation, operations: Sequence[object]
                   ) -> JsonObject:  # fmt: skip
        """Judge a delete of a run (its rows read together when the run begins); deleted with
        the run (:meth:`write_removals`)."""
        try:
            etype = self.entity_type(operation.get("entity_type"))
            key = self.entity_key(etype, operation.get("entity_key"))
            if not self.removals.rows:
                idents = self.removals.begin(self, etype, index, operations)
                found = creators.creators_among(self.connection, self.metadata, etype, idents)
                self.judging = {("creator", etype.family, i): found.get(i) for i in idents}
            concrete, row = judge(self, etype, key, self._removed)
        except REFUSALS as error:
            raise placed(error, index, operation) from None
        self.removals.add(concrete, key, row)
        return dict(DELETED)

    def _removed(self, etype: EntityType, key: Key, row: StoredRow) -> Change:
        return describe_change(self, "remove", etype, key, [], row, None)

    def write_removals(self) -> None:
        """Delete the run of deletes judged (a statement per kind, not per row)."""
        first, etype = self.removals.first, self.removals.etype
        rows, self.judging = self.removals.take(), None
        if not rows:
            return
        try:
            delete_all(self, CASCADE, rows)
        except REFUSALS as error:
            name = etype.name if etype is not None else None
            raise placed(error, first, {"action": "delete", "entity_type": name}) from None

    def written_create(self, etype: EntityType, planned: PlannedRow) -> JsonObject:
        """Record a stored create (its change) and answer it (its echo)."""
        key, _values, relations, data = planned
        self.touched.append(Touched(len(self.changes), etype, key))
        names = sorted(k for k in data if k != "__entity_type__")
        row = self.load(etype, key)
        self.changes.append(
            describe_change(self, "add", etype, key, names, None, row, self._ancestries)
        )
        echo = self.echo(etype, key, full=True, names=[a.name for a, _ in relations])
        return {"action": "create", "data": set_or_defaulted(echo, data)}

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
        """An operation other than a create (:meth:`create_step`): an answer, a query, an
        update or a delete."""
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

    def unlink(
        self, link: LinkTable, column: str, ident: object, members: Optional[List[str]] = None
    ) -> None:
        """Drop pairs of a many-to-many link (see :class:`CollectionWriter`)."""
        self.collections.unlink(link, column, ident, members)

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
    def create_step(self, operation: Operation) -> JsonObject:
        """A create operation: plan the new row (its key and every default filled), let the
        rules judge that row, then store it: a rule never sees only the caller's partial view."""
        etype = self.entity_type(operation.get("entity_type"))
        data = operation.get("entity_data")
        written = len(self.touched)
        try:
            planned = self.plan_create(etype, data, operation.get("entity_key"))
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

    def create(self, etype: EntityType, data: object, entity_key: object) -> JsonObject:
        """Create a row for a rule (an author's recipient…): planned and stored; the rules that
        asked for it judge it."""
        return self.store_planned(etype, self.plan_create(etype, data, entity_key))

    def store_planned(self, etype: EntityType, planned: PlannedRow) -> JsonObject:
        """Store a planned create (:meth:`plan_create`), once the rules passed it. On PostgreSQL
        the row the ``INSERT`` stored (``… RETURNING``) is kept as read instead of a SELECT; not
        on SQLite: its RETURNING answers values before their column's type applies (``0``, not
        ``0.0``)."""
        key, values, relations, _data = planned
        table = self.table(etype)
        existing = self.connection.execute(self.statements.key_taken(etype), key_params(key))
        if existing.first() is not None:
            raise taken_error(etype, key)
        tombstones.refuse_buried(self.connection, self.metadata, etype, key)
        columns = self._columns(table, values)
        if self.connection.dialect.name != "postgresql":
            self.connection.execute(self.statements.insert(etype.family), columns)
        else:  # the row it stored is kept as read (the change, echo and rules read it next)
            returning = self.statements.insert_returning(etype.family)
            stored = self.connection.execute(returning, columns)
            found = stored.mappings().first()
            row = dict(found) if found is not None else {}
            if tuple(row.get(name) for name in etype.primary_key) == key:
                self.reads.keep_row(table.name, (etype.name, key), row)
        creators.record(self.connection, self.metadata, etype, key[0], self.acting_user_id)
        for attr, value in relations:
            self.collections.set_collection(etype, key, attr, value)
        return self.written_create(etype, planned)

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
