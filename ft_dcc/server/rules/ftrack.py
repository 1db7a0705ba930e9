"""Rules a real ftrack server enforces beyond its schema's ``required`` lists.

Checked at the end of a batch on every written row (SQL inside the batch's transaction, so they
hold on every backend):

* an ``AssetVersion`` belongs to an ``Asset`` (ftrack refuses one without);
* a note given recipients also goes to its author;
* a note's ``category`` is the label of its ``NoteLabelLink`` (NoteLabel and NoteCategory are one
  entity): set from the first link when the note has none, moved to a remaining link (or
  cleared) when that link is deleted;
* a user runs at most one ``Timer`` at a time. ftrack answers a second one with a
  ``DuplicateEntryError``, which ``User.start_timer`` of the genuine client turns into
  ``NotUniqueError`` (``force=True`` stops the running timer first).
"""

from __future__ import annotations

from typing import Dict, Mapping, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.schema import EntityType
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.rules.registry import FTRACK_ORDER, BatchView, Key, Operation, Rule

#: attributes ftrack requires although its schema does not list them: type -> (name, hint)
REQUIRED_BY_SERVER: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "AssetVersion": (("asset_id", "set 'asset' to the Asset this version belongs to"),),
}

#: at most one row per value of these columns: type -> (column, what the duplicate means)
ONE_PER: Dict[str, Tuple[str, str]] = {
    "Timer": ("user_id", "The user already has a running timer; stop it first (or force)"),
}


def check_ftrack_rules(
    connection: Connection, table: sa.Table, etype: EntityType, row: Mapping[str, object]
) -> None:
    """Raise :class:`ApiOperationError` when ``row`` breaks one of ftrack's own rules."""
    for name, hint in REQUIRED_BY_SERVER.get(etype.name, ()):
        if row.get(name) is None:
            raise ApiOperationError(
                f"{etype.name} needs a value for '{name.removesuffix('_id')}': {hint}",
                "ValidationError",
            )
    if etype.name in ONE_PER:
        column, message = ONE_PER[etype.name]
        if row.get(column) is None:
            return
        pk = table.c[etype.primary_key[0]]
        other = connection.execute(
            select(pk)
            .where(
                table.c[column] == row[column],
                table.c[DISCRIMINATOR] == etype.name,
                pk != row[etype.primary_key[0]],
            )
            .limit(1)
        ).first()
        if other is not None:
            raise ApiOperationError(f"{message} ({column} {row[column]})", "DuplicateEntryError")


class AuthorRecipientRule(Rule):
    """A note that got recipients in this batch also goes to its author, as on ftrack."""

    name = "author recipients"
    order = FTRACK_ORDER

    def check_batch(self, batch: BatchView, operations: Sequence[Operation]) -> None:
        add_author_recipients(batch)


def add_author_recipients(batch: BatchView) -> None:
    """A note that got recipients in this batch also goes to its author, as on ftrack."""
    recipient = batch.model.types["Recipient"]
    note_type = batch.model.types["Note"]
    notes = sorted({t.key[0] for t in batch.touched if t.etype.name == "Recipient"})
    for note_id in notes:
        note = batch.load(note_type, (note_id,))
        author = note.get("user_id") if note is not None else None
        if isinstance(author, str) and author and batch.load(recipient, (note_id, author)) is None:
            batch.create(recipient, {"note_id": note_id, "resource_id": author}, None)


class NoteCategoryRule(Rule):
    """A note's category follows its label links (NoteLabel and NoteCategory are one entity):
    a note linked to a label in this batch takes it; one whose label link goes takes another."""

    name = "note category from label links"
    order = FTRACK_ORDER

    def check_batch(self, batch: BatchView, operations: Sequence[Operation]) -> None:
        categories_from_label_links(batch)

    def on_delete_row(self, batch: BatchView, etype: EntityType, key: Key) -> None:
        if etype.name == "NoteLabelLink":
            on_label_link_deleted(batch, key)


def categories_from_label_links(batch: BatchView) -> None:
    """Notes that got a label link in this batch and have no category take that label."""
    links = [t.key for t in batch.touched if t.etype.name == "NoteLabelLink"]
    notes = batch.tables[batch.model.types["Note"].family]
    for note_id, label_id in links:
        batch.connection.execute(
            update(notes)
            .where(notes.c.id == note_id, notes.c.category_id.is_(None))
            .values(category_id=label_id)
        )


def on_label_link_deleted(batch: BatchView, key: Key) -> None:
    """A note whose category was the deleted link's label takes another linked label, or none."""
    note_id, label_id = key
    notes = batch.tables[batch.model.types["Note"].family]
    links = batch.tables[batch.model.types["NoteLabelLink"].family]
    other = batch.connection.execute(
        select(links.c.label_id)
        .where(links.c.note_id == note_id, links.c.label_id != label_id)
        .order_by(links.c.label_id)
    ).first()
    batch.connection.execute(
        update(notes)
        .where(notes.c.id == note_id, notes.c.category_id == label_id)
        .values(category_id=other[0] if other else None)
    )
