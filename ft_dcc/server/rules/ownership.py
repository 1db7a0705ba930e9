"""The ownership rule: rights that follow the server's creator record, not writable fields.

It enforces :data:`ft_dcc.server.rules.ownership_model.MODEL` on every write path:

- before every update and delete (:meth:`OwnershipRule.check_step`): the caller must own the row
  as it stands at that point of the batch (unless the update touches only open fields);
- after every create and update, and every child a collection assignment moves
  (:meth:`OwnershipRule.check_written`): no immutable attribute changed, an author or creator
  names the caller, and a new parent is one the caller may attach to;
- at the end (:meth:`OwnershipRule.check_batch`): a row that needs a parent has one.

Since ownership is read from the creator record and from parent columns only an administrator
may rewrite, "rewrite the owner, then delete" fails at its first step. The file routes ask
:func:`file_refusal` (uploads to, and removal of, a component's file).
"""

from __future__ import annotations

from typing import Dict, Hashable, Mapping, Optional, Protocol, Sequence, Set, Tuple, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.model.schema import EntityType, SchemaModel
from ft_dcc.server.model.side_tables import creator_table
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.query.values import StoredRow
from ft_dcc.server.rules import uploads
from ft_dcc.server.rules.ownership_model import (
    OPEN_PARENT,
    PARENT_OWNER,
    PRIVATE_SESSION_MEMBERS,
    SESSION_OR_INVITEE,
    Ownership,
    ownership_of,
)
from ft_dcc.server.rules.permissions import ADMINISTRATOR, PermissionDenied, role_of
from ft_dcc.server.rules.registry import (
    ACCESS_ORDER,
    BatchView,
    Operation,
    Rule,
    WriteStep,
    concrete_type,
)
from ft_dcc.server.rules.review import is_private
from ft_dcc.server.rules.review_rights import project_manager_ids
from ft_dcc.server.rules.speakers import speakers_of, speaks_in_session

#: how far ownership is followed up through parents (Status -> item -> session: 2)
MAX_DEPTH = 6


class Reader(Protocol):
    """The model, tables and metadata (a batch, or a store for the file routes)."""

    model: SchemaModel
    tables: Dict[str, sa.Table]
    metadata: sa.MetaData


# -- who owns a row ------------------------------------------------------------------------------
def creator_of(
    connection: Connection, metadata: sa.MetaData, etype: EntityType, ident: object
) -> Optional[str]:
    """The recorded creator of a row (None: none recorded, or the server itself)."""
    table = creator_table(metadata)
    return connection.execute(
        sa.select(table.c.user_id).where(
            table.c.family == etype.family, table.c.entity_id == str(ident)
        )
    ).scalar()


def load_typed(
    reader: Reader, connection: Connection, type_name: str, ident: object
) -> Optional[Tuple[EntityType, StoredRow]]:
    """The concrete type and stored row of the ``type_name`` entity ``ident``, if any."""
    etype = reader.model.types[type_name]
    table = reader.tables[etype.family]
    pk = table.c[etype.primary_key[0]]
    found = (
        connection.execute(
            sa.select(table).where(pk == str(ident), table.c[DISCRIMINATOR].in_(etype.descendants))
        )
        .mappings()
        .first()
    )
    if found is None:
        return None
    row = dict(found)
    return concrete_type(reader.model, row), row


def owners_of(
    reader: Reader, connection: Connection, etype: EntityType, row: Mapping[str, object],
    depth: int = 0, with_creator: bool = True,
) -> Set[str]:  # fmt: skip
    """The recorded creator of ``row`` and, for a child, the owners of its parent; for a row
    that speaks for an invitee, its session's owners and that invitee's speakers instead. A
    review session is also owned by its project's Supervisors and Project Managers."""
    spec = ownership_of(etype.name, etype.family)
    found: Set[str] = set()
    if spec is None or depth > MAX_DEPTH:
        return found
    kept = judging(reader)
    if with_creator and spec.speaks_for is None and len(etype.primary_key) == 1:
        ident = row[etype.primary_key[0]]
        asked = ("creator", etype.family, str(ident))
        if kept is not None and asked in kept:
            creator = kept[asked]
        else:
            creator = creator_of(connection, reader.metadata, etype, ident)
        if creator:
            found.add(str(creator))
    if spec.project_roles:  # a review session: its project's Supervisors and Project Managers
        found |= project_manager_ids(connection, reader, row.get("project_id"))
    if spec.parent is not None and row.get(spec.parent.column):
        parent_id = row[spec.parent.column]
        held = ("owners", spec.parent.type_name, str(parent_id), spec.parent.creator_counts, depth)
        if kept is not None and held in kept:
            return found | cast(Set[str], kept[held]) | _speakers(reader, connection, spec, row)
        parent = load_typed(reader, connection, spec.parent.type_name, parent_id)
        owners: Set[str] = set()
        if parent is not None:
            owners = owners_of(reader, connection, parent[0], parent[1], depth + 1,
                               spec.parent.creator_counts)  # fmt: skip
        if kept is not None:
            kept[held] = set(owners)
        found |= owners
    return found | _speakers(reader, connection, spec, row)


def _speakers(reader: Reader, connection: Connection, spec: Ownership,
              row: Mapping[str, object]) -> Set[str]:  # fmt: skip
    """The speakers of the invitee a row speaks for (a verdict), if it speaks for one."""
    found: Set[str] = set()
    if spec.speaks_for and row.get(spec.speaks_for):
        invitee = load_typed(reader, connection, "ReviewSessionInvitee", row[spec.speaks_for])
        if invitee is not None:
            found |= speakers_of(connection, reader.metadata, invitee[1])
    return found


def judging(reader: object) -> Optional[Dict[Hashable, object]]:
    """What the rules found while a batch judges a run of deletes (``store.removing``: nothing
    is written until the whole run is judged, so the creators and owners found stay true);
    None otherwise (a store, a batch writing)."""
    kept = getattr(reader, "judging", None)
    return kept if isinstance(kept, dict) else None


def session_of(reader: Reader, connection: Connection, ident: object
               ) -> Optional[Tuple[EntityType, StoredRow]]:  # fmt: skip
    """The ReviewSession that ``ident`` (a review item's id, or a session's own) is in."""
    if not ident:
        return None
    item = load_typed(reader, connection, "ReviewSessionObject", ident)
    if item is not None:
        ident = item[1].get("review_session_id")
        if not ident:
            return None
    return load_typed(reader, connection, "ReviewSession", ident)


def _exempt(batch: BatchView) -> bool:
    """Server-internal batches (no user, or a system id that is no User) and administrators are
    not held to ownership."""
    return not batch.user_id or batch.acting_user_id is None or batch.is_admin


def _describe(etype: EntityType, row: Mapping[str, object]) -> str:
    key = ", ".join(str(row.get(name)) for name in etype.primary_key)
    return f"{etype.name} {key}"


# -- the rule ------------------------------------------------------------------------------------
class OwnershipRule(Rule):
    """Only owners (or administrators) change or delete owned rows; see the module's words."""

    name = "ownership"
    order = ACCESS_ORDER

    def check_step(self, batch: BatchView, step: WriteStep) -> None:
        if step.action == "create" or step.before is None or _exempt(batch):
            return
        etype = concrete_type(batch.model, step.before)
        spec = ownership_of(etype.name, etype.family)
        if spec is None:
            return
        if step.action == "update" and _only_open_fields(etype, spec, step.data):
            return
        if batch.user_id not in owners_of(batch, batch.connection, etype, step.before):
            raise PermissionDenied(
                f"You may not {step.action} {_describe(etype, step.before)}: only its owner "
                f"({_owner_words(spec, etype)}) or an administrator may. Ask them, or an "
                "administrator."
            )

    def check_written(self, batch: BatchView, step: WriteStep, row: StoredRow) -> None:
        if _exempt(batch):
            return
        etype = concrete_type(batch.model, row)
        spec = ownership_of(etype.name, etype.family)
        if spec is None:
            return
        before = step.before or {}
        changed = {name for name, value in row.items() if value != before.get(name)}
        for name in spec.immutable:
            if step.action != "create" and name in changed:
                raise PermissionDenied(
                    f"'{name}' of {etype.name} cannot be changed after create; only an "
                    f"administrator may. Create a new {etype.name} instead."
                )
        for name in spec.self_only:
            if name in changed and row.get(name) not in (None, batch.user_id):
                raise PermissionDenied(
                    f"'{name}' of {etype.name} may only name you ({batch.user_id}); only an "
                    "administrator may write it for someone else. Leave it out or send your own."
                )
        if (
            spec.parent is not None
            and spec.parent.column in changed
            and row.get(spec.parent.column)
        ):
            _check_parent(batch, etype, spec, row[spec.parent.column])
        if step.action == "create":
            _check_create(batch, etype, spec, row)

    def check_batch(self, batch: BatchView, operations: Sequence[Operation]) -> None:
        seen = set()
        for touched in batch.touched:
            spec = ownership_of(touched.etype.name, touched.etype.family)
            if spec is None or spec.parent is None or not spec.parent.required:
                continue
            if (touched.etype.name, touched.key) in seen:
                continue
            seen.add((touched.etype.name, touched.key))
            row = batch.load(touched.etype, touched.key)
            if row is not None and not row.get(spec.parent.column):
                raise ApiOperationError(
                    f"A {touched.etype.name} needs its {spec.parent.type_name}: send "
                    f"'{spec.parent.column}' (the {spec.parent.type_name} it belongs to) first",
                    "ValidationError",
                ).at(_index(operations, touched.change_index), "create", touched.etype.name)


def _index(operations: Sequence[Operation], fallback: int) -> int:
    return max(0, min(fallback, len(operations) - 1))


def _only_open_fields(etype: EntityType, spec: Ownership, data: Mapping[str, object]) -> bool:
    names = [name for name in data if name != "__entity_type__"]
    if not names or not spec.open_fields:
        return False
    for name in names:
        attr = etype.attributes.get(name)
        column = attr.foreign_key if attr is not None and attr.kind == "reference" else name
        if column not in spec.open_fields:
            return False
    return True


def _check_parent(batch: BatchView, etype: EntityType, spec: Ownership, parent_id: object) -> None:
    """The caller may attach a row of ``etype`` to ``parent_id`` (as ``spec.create`` says)."""
    assert spec.parent is not None
    if spec.create not in (PARENT_OWNER, OPEN_PARENT):
        return
    parent = load_typed(batch, batch.connection, spec.parent.type_name, parent_id)
    if parent is None:
        return  # the references rule answers "does not exist"
    parent_type, parent_row = parent
    if spec.create == OPEN_PARENT and not is_private(parent_row):
        return
    if batch.user_id in owners_of(batch, batch.connection, parent_type, parent_row):
        return
    where = " private" if spec.create == OPEN_PARENT else ""
    raise PermissionDenied(
        f"You may not add a {etype.name} to the{where} {_describe(parent_type, parent_row)}: only "
        f"its owner or an administrator may. Ask them, or add it to a {parent_type.name} of "
        "your own."
    )


def _check_create(batch: BatchView, etype: EntityType, spec: Ownership, row: StoredRow) -> None:
    """The create kinds that look past the parent: verdicts, notes in a private session, and
    a component whose id another User reserved for their upload."""
    if spec.create == SESSION_OR_INVITEE and spec.parent is not None:
        _check_verdict(batch, etype, spec, row)
    elif spec.create == PRIVATE_SESSION_MEMBERS and spec.in_session:
        _check_in_private_session(batch, etype, row.get(spec.in_session))
    if etype.family == "Component":
        holder = uploads.reserved_by(batch.connection, batch.metadata, row.get("id"))
        if holder not in (None, batch.user_id):
            raise PermissionDenied(uploads.taken(str(row.get("id")), "create"))


def _check_verdict(batch: BatchView, etype: EntityType, spec: Ownership, row: StoredRow) -> None:
    """A verdict names an invitee of its own session, and comes from the session's owner or
    from that invitee (their link, or the User who claimed them)."""
    assert spec.parent is not None and spec.speaks_for is not None
    session = session_of(batch, batch.connection, row.get(spec.parent.column))
    if session is None:
        return  # the required-parent and references checks answer
    invitee_id = row.get(spec.speaks_for)
    invitee = load_typed(batch, batch.connection, "ReviewSessionInvitee", invitee_id)
    if invitee is not None and invitee[1].get("review_session_id") != session[1].get("id"):
        raise PermissionDenied(
            f"A {etype.name} may only name an invitee of its own review session; invitee "
            f"{invitee_id} is invited to another. Send the id of one of this session's invitees."
        )
    if batch.user_id in owners_of(batch, batch.connection, session[0], session[1]):
        return
    if invitee is not None and batch.user_id in speakers_of(
        batch.connection, batch.metadata, invitee[1]
    ):
        return
    raise PermissionDenied(
        f"You may not give a verdict for invitee {invitee_id} in "
        f"{_describe(session[0], session[1])}: only {SESSION_MANAGERS}, that invitee (through "
        "their own review link) or an administrator may. Ask one of them."
    )


def _check_in_private_session(batch: BatchView, etype: EntityType, ident: object) -> None:
    """A row in a private session (on it or one of its items) is for its owner and invitees."""
    session = session_of(batch, batch.connection, ident)
    if session is None or not is_private(session[1]):
        return
    if batch.user_id in owners_of(batch, batch.connection, session[0], session[1]):
        return
    invitees = batch.tables[batch.model.types["ReviewSessionInvitee"].family]
    if speaks_in_session(batch.connection, batch.metadata, invitees, batch.user_id,
                         session[1].get("id")):  # fmt: skip
        return
    raise PermissionDenied(
        f"You may not add a {etype.name} in the private {_describe(session[0], session[1])}: "
        f"only {SESSION_MANAGERS}, its invitees (through their own review link) or an "
        "administrator may. Ask one who manages it for an invitation, or write on the version "
        "instead."
    )


#: who manages a review session (``rules.review.manages``), in a refusal's words
SESSION_MANAGERS = (
    "those who manage the review session: its creator, a Supervisor or Project "
    "Manager of its project"
)


def _owner_words(spec: Ownership, etype: Optional[EntityType] = None) -> str:
    if spec.speaks_for:
        return f"{SESSION_MANAGERS}, or the invitee it names"
    if etype is not None and etype.name.startswith("ReviewSession"):
        return SESSION_MANAGERS
    if spec.parent is None:
        return "whoever created it"
    return f"whoever created it or owns its {spec.parent.type_name}"


# -- files ---------------------------------------------------------------------------------------
def file_refusal(store: StoreParts, user_id: str, component_id: str, doing: str) -> Optional[str]:
    """Why ``user_id`` may not ``doing`` (e.g. "upload to") the file of ``component_id``, or
    ``None`` when they may: its owners and administrators may; a component id with no row yet
    (an upload before its create, as the ftrack client does) is for whoever first asked to
    upload to it (:mod:`ft_dcc.server.rules.uploads`), or anyone's until someone did."""
    with store.engine.connect() as connection:
        if role_of(store, connection, user_id) == ADMINISTRATOR:
            return None
        found = load_typed(store, connection, "Component", component_id)
        if found is None:
            holder = uploads.reserved_by(connection, store.metadata, component_id)
            return None if holder in (None, user_id) else uploads.taken(component_id, doing)
        if user_id in owners_of(store, connection, found[0], found[1]):
            return None
    return (
        f"You may not {doing} the file of Component {component_id}: only its owner (whoever "
        "created it or owns its AssetVersion) or an administrator may. Ask them, or upload to a "
        "new component of your own."
    )


def upload_refusal(store: StoreParts, user_id: str, component_id: str) -> Optional[str]:
    """Why ``user_id`` may not upload to ``component_id`` (as :func:`file_refusal`), or
    ``None``: then a component id with no row yet is reserved for them (the first to ask)."""
    refusal = file_refusal(store, user_id, component_id, "upload to")
    if refusal is not None:
        return refusal
    with store.engine.connect() as connection:
        if load_typed(store, connection, "Component", component_id) is not None:
            return None
        admin = role_of(store, connection, user_id) == ADMINISTRATOR
    holder = uploads.reserve(store.engine, store.metadata, component_id, user_id)
    return None if admin or holder == user_id else uploads.taken(component_id, "upload to")
