"""Referential integrity of deletes and the server's uniqueness rules, as ftrack keeps them.

Deletes (checked inside the batch's transaction, so they hold on SQLite and PostgreSQL alike):

- **refused** while something still refers to the entity: a Location, AssetType, Status, task
  Type, Priority, ObjectType or State in use, or a User who published, noted or created anything
  (ftrack keeps such users and has them deactivated: ``is_active`` false; their Timers,
  Timelogs and received-note Recipient rows do not block it and go with them, ``OWNED_BY``); a
  built-in Location (``ftrack.server``, ``ftrack.unmanaged``…) is never deleted; a Task, Shot or
  other typed context under which versions were published is refused too (delete or move the
  versions first) — nothing published is lost by a stray delete. A Project is deleted with all
  it holds, as in ftrack (``batch.CASCADE``): its review sessions, lists, calendar events and
  the ``UserSecurityRoleProject`` rows listing it go with it.
- **cascaded / cleared**: what an entity owns goes with it (``batch.CASCADE``); a deleted
  entity leaves every many-to-many collection it was in, on either side (its Task ↔ Scope pairs,
  its ``ListObject`` and ``AssetVersionLink`` rows…: ``schema.LINK_COLLECTIONS``); a deleted
  Component stops being anyone's thumbnail (``thumbnail_id`` set to null, as ftrack does);
  a deleted User's API keys and security roles go with them.

Uniqueness (a unique index where the database can hold one, plus the end-of-batch check in
``batch_validation.UNIQUE_TOGETHER``): one Asset per (name, context, type) — ftrack's own
publishers look assets up by exactly that triple; one AssetVersion number per asset. A racing
insert that loses answers ``IntegrityError`` ("Duplicate entry …"), never a 500 or a duplicate.
Review session names are not unique in ftrack (the same name may exist twice in a project), so
the server does not make them unique; clients avoid racing duplicates with deterministic ids.
"""

from __future__ import annotations

import logging
from typing import AbstractSet, Iterable, List, Mapping, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ft_dcc.server.common.errors import INTEGRITY_ERROR, ApiOperationError
from ft_dcc.server.model.builtin_data import BUILTIN_LOCATIONS
from ft_dcc.server.model.schema import EntityType, SchemaModel
from ft_dcc.server.model.storage import index_name
from ft_dcc.server.rules.registry import (
    INTEGRITY_ORDER,
    BatchView,
    Key,
    KeyPart,
    Rule,
    WriteStep,
    concrete_type,
)

log = logging.getLogger(__name__)

#: types whose rows may not be deleted while anything refers to them
RESTRICTED_TYPES = frozenset(
    {"Location", "AssetType", "Status", "Type", "Priority", "ObjectType", "State", "User"}
)
#: references that go away with the deleted entity instead of blocking its delete: a User's
#: roles and memberships, running Timers, logged time and the Recipient rows of notes sent to them
#: (as ftrack: its own client's fixtures delete such users); what a user wrote, published or
#: created still refuses the delete (that is kept: deactivate the user instead)
OWNED_BY = {
    "User": {
        ("UserSecurityRole", "user_id"),
        ("Membership", "user_id"),
        ("Timer", "user_id"),
        ("Timelog", "user_id"),
        ("Recipient", "resource_id"),
    }
}
BUILTIN_LOCATION_IDS = frozenset(ident for ident, _name in BUILTIN_LOCATIONS)
#: (type, columns) made unique by an index
UNIQUE_INDEXES: List[Tuple[str, Tuple[str, ...]]] = [
    ("Asset", ("context_id", "name", "type_id")),
    ("AssetVersion", ("asset_id", "version")),
]
KEY_TABLE = "ft_dcc_api_key"


def _refuse(message: str) -> ApiOperationError:
    return ApiOperationError(message, INTEGRITY_ERROR)


class IntegrityRule(Rule):
    """Deletes that would leave a dangling reference or lose published work are refused; what
    refers to a deleted row is cleared with it."""

    name = "integrity"
    order = INTEGRITY_ORDER

    def check_step(self, batch: BatchView, step: WriteStep) -> None:
        if step.before is None:
            return
        concrete = concrete_type(batch.model, step.before)
        if step.action == "delete":
            before_delete(batch, concrete, step.key)
        elif step.action == "update":
            check_declared_type(concrete, step.etype.name, step.data)

    def on_delete_row(self, batch: BatchView, etype: EntityType, key: Key) -> None:
        on_delete_row(batch, etype, key)


# -- deletes ------------------------------------------------------------------------------------
def before_delete(batch: BatchView, etype: EntityType, key: Key) -> None:
    """Refuse a delete that would leave a dangling reference or lose published versions."""
    if len(key) != 1:
        return
    ident = key[0]
    if etype.name == "Location" and ident in BUILTIN_LOCATION_IDS:
        raise _refuse(f"Location {ident} is built in and cannot be deleted")
    if etype.name in RESTRICTED_TYPES:
        _refuse_if_referenced(batch, etype, ident)
    elif etype.family == "Context" and etype.name != "Project":
        _refuse_if_versions_below(batch, etype, ident)


def on_delete_row(batch: BatchView, etype: EntityType, key: Key) -> None:
    """Clear or delete what refers to a row that is being deleted (also when cascaded)."""
    if len(key) != 1:
        return
    ident = key[0]
    _drop_link_pairs(batch, etype, ident)
    if etype.family == "Component":
        for table in batch.tables.values():
            if "thumbnail_id" in table.c:
                batch.connection.execute(
                    sa.update(table).where(table.c.thumbnail_id == ident).values(thumbnail_id=None)
                )
    elif etype.name == "User":
        for type_name, column in sorted(OWNED_BY["User"]):
            table = batch.tables[batch.model.types[type_name].family]
            gone = batch.connection.execute(sa.delete(table).where(table.c[column] == ident))
            if gone.rowcount:
                log.info("deleting user %s deletes their %d %s row(s)", ident, gone.rowcount,
                         type_name)  # fmt: skip
        keys = batch.metadata.tables.get(KEY_TABLE)
        if keys is not None:  # the user's API keys stop working with the commit
            batch.connection.execute(sa.delete(keys).where(keys.c.user_id == ident))


def _drop_link_pairs(batch: BatchView, etype: EntityType, ident: KeyPart) -> None:
    """A deleted entity leaves every many-to-many collection it was in (either side)."""
    done = set()
    for owner, member, link in batch.model.links:
        for side, column in ((owner, link.owner), (member, link.member)):
            if batch.model.types[side].family != etype.family or (link.table, column) in done:
                continue
            done.add((link.table, column))
            batch.unlink(link, column, ident)


def _references_to(model: SchemaModel, target: EntityType) -> List[Tuple[str, str]]:
    """(family, column) pairs whose column holds ids of ``target`` entities."""
    found = set()
    names = {target.name, target.family}
    for etype in model.types.values():
        for attr in etype.attributes.values():
            if attr.kind == "reference" and attr.foreign_key and attr.target in names:
                found.add((etype.family, attr.foreign_key))
    return sorted(found)


def _refuse_if_referenced(batch: BatchView, etype: EntityType, ident: KeyPart) -> None:
    owned = {(batch.model.types[t].family, c) for t, c in OWNED_BY.get(etype.name, set())}
    for family, column in _references_to(batch.model, etype):
        if (family, column) in owned:
            continue
        table = batch.tables[family]
        if column not in table.c:
            continue
        count = batch.connection.execute(
            sa.select(sa.func.count()).select_from(table).where(table.c[column] == ident)
        ).scalar()
        if count:
            advice = (
                "deactivate the user instead (is_active false)"
                if etype.name == "User"
                else f"change those to another {etype.name} first"
            )
            raise _refuse(
                f"{etype.name} {ident} is still used by {count} {family} entit"
                f"{'y' if count == 1 else 'ies'} ({column}); {advice}"
            )


def _refuse_if_versions_below(batch: BatchView, etype: EntityType, ident: KeyPart) -> None:
    contexts = batch.tables["Context"]
    subtree, frontier = {ident}, [ident]
    for _depth in range(64):
        if not frontier:
            break
        rows = batch.connection.execute(
            sa.select(contexts.c.id).where(contexts.c.parent_id.in_(frontier))
        )
        frontier = [row[0] for row in rows if row[0] not in subtree]
        subtree.update(frontier)
    versions = batch.tables["AssetVersion"]
    assets = batch.tables["Asset"]
    ids = list(subtree)
    count = batch.connection.execute(
        sa.select(sa.func.count())
        .select_from(versions.outerjoin(assets, assets.c.id == versions.c.asset_id))
        .where(sa.or_(versions.c.task_id.in_(ids), assets.c.context_id.in_(ids)))
    ).scalar()
    if count:
        raise _refuse(
            f"{etype.name} {ident} holds {count} published version(s) (on it or below it); "
            "delete or move those versions first, so that no published work is lost"
        )


# -- row rules (end of batch) -------------------------------------------------------------------
def check_row_rules(etype: EntityType, row: Mapping[str, object]) -> None:
    """Rules ftrack enforces beyond the schema: typed contexts have a parent, versions count up."""
    if etype.family == "Context" and etype.name != "Project" and not row.get("parent_id"):
        raise ApiOperationError(
            f"A {etype.name} needs a parent (a project, or a shot, sequence… inside one); set "
            "'parent'",
            "ValidationError",
        )
    version = row.get("version") if etype.name == "AssetVersion" else None
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, (int, float)) or version < 1
    ):
        raise ApiOperationError(
            f"AssetVersion.version must be a whole number from 1 up, not {version}; leave it "
            "out to let the server number the version",
            "ValidationError",
        )


def check_declared_type(etype: EntityType, operation_type: str, data: Mapping[str, object]) -> None:
    """An update's ``__entity_type__`` must name the entity's type (or the operation's)."""
    declared = data.get("__entity_type__")
    if declared is None or declared in (etype.name, operation_type):
        return
    raise ApiOperationError(
        f"entity_data says __entity_type__ {str(declared)[:60]!r} but the entity is a "
        f"{etype.name}; send the entity's own type",
        "ValidationError",
    )


# -- unique indexes -------------------------------------------------------------------------
def unique_indexes(model: SchemaModel, tables: Mapping[str, sa.Table]) -> Tuple[sa.Index, ...]:
    """The unique indexes of ``UNIQUE_INDEXES`` on ``tables``, not attached to them: a table's
    own indexes are made with it and looked for at each start, these only as
    :func:`ensure_unique_indexes` says (the tables may be shared by several stores:
    ``store.shared_tables``)."""
    made = []
    for type_name, columns in UNIQUE_INDEXES:
        table = tables[model.types[type_name].family]
        name = index_name(table.name, "uq_" + "_".join(columns))
        index = sa.Index(name, *(table.c[c] for c in columns), unique=True)
        table.indexes.discard(index)  # it still names its table and columns
        made.append(index)
    return tuple(made)


def ensure_unique_indexes(engine: Engine, indexes: Iterable[sa.Index],
                          present: AbstractSet[str] = frozenset()) -> None:  # fmt: skip
    """Create the unique ``indexes`` (:func:`unique_indexes`) that are missing (idempotent);
    those named in ``present`` (the database's indexes, as its catalogue says) are not looked
    for.

    A database that already holds duplicates keeps working without that index (logged); the
    end-of-batch check still refuses new duplicates.
    """
    for index in indexes:
        if index.name in present:
            continue
        try:
            index.create(engine, checkfirst=True)
        except SQLAlchemyError as error:
            log.warning(
                "could not add the unique index %s (existing duplicates?): %s",
                index.name,
                getattr(error, "orig", error),
            )
