"""The table of presenter states (``ft_dcc_review_presenter``): one row per review session,
changed one at a time under the database's writer lock (its rules:
:mod:`ft_dcc.server.review.presenter.presenter_state`)."""

from __future__ import annotations

import time
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine, RowMapping

from ft_dcc.server.model.database import one_statement
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.model.side_tables import side_table
from ft_dcc.server.model.storage import write_transaction
from ft_dcc.server.review.presenter.presenter_state import Change, PageId, PresenterRow

TABLE = "ft_dcc_review_presenter"


def _stored(row: RowMapping) -> PresenterRow:
    """A :class:`PresenterRow` from the database's row."""
    return PresenterRow(
        review_session_id=row["review_session_id"],
        seq=row["seq"],
        lead_key=row["lead_key"],
        lead_name=row["lead_name"],
        page=row["page"],
        secret_hash=row["secret_hash"],
        state=row["state"],
        updated=row["updated"],
    )


class PresenterTable:
    """The presenter state of every session, one row each, changed one at a time."""

    def __init__(self, engine: Engine, metadata: sa.MetaData) -> None:
        self.engine = engine
        self.table = side_table(
            engine,
            metadata,
            TABLE,
            sa.Column("review_session_id", sa.String(64), primary_key=True),
            sa.Column("seq", sa.Integer, nullable=False),
            sa.Column("lead_key", sa.String(80), nullable=True),
            sa.Column("lead_name", sa.Text, nullable=True),
            sa.Column("page", sa.String(32), nullable=True),
            sa.Column("secret_hash", sa.String(64), nullable=True),
            sa.Column("state", sa.Text, nullable=True),
            sa.Column("updated", sa.Float, nullable=False),
        )

    def read(self, review_session_id: str) -> Optional[PresenterRow]:
        with one_statement(self.engine) as connection:
            row = connection.execute(
                sa.select(self.table).where(self.table.c.review_session_id == review_session_id)
            ).mappings().first()  # fmt: skip
        return _stored(row) if row is not None else None

    def change(self, review_session_id: str, change: Change) -> PresenterRow:
        """Apply ``change(row or None) -> new values`` under the database's writer lock (one
        change at a time in every server process), with the next ``seq``; the row after it
        (``change`` raises to refuse: nothing is written)."""
        table = self.table
        where = table.c.review_session_id == review_session_id
        with write_transaction(self.engine) as connection:
            found = connection.execute(sa.select(table).where(where))
            row = found.mappings().first()
            old = _stored(row) if row is not None else None
            values = change(old).copy()
            values["seq"] = (old["seq"] if old else 0) + 1
            values["updated"] = time.time()
            if old is None:
                values["review_session_id"] = review_session_id
                connection.execute(sa.insert(table).values(**values))
            else:
                connection.execute(sa.update(table).where(where).values(**values))
            merged = old.copy() if old else PresenterRow()
            merged.update(values)
            return merged

    def beat(self, review_session_id: str, key: str, page: PageId) -> bool:
        """The leading ``page`` of ``key`` is still open: its row's ``updated`` is now (no new
        ``seq``); whether it leads."""
        table = self.table
        where = sa.and_(
            table.c.review_session_id == review_session_id,
            table.c.lead_key == key,
            table.c.page == page.page,
            table.c.secret_hash == page.secret_hash,
        )
        with write_transaction(self.engine) as connection:
            done = connection.execute(sa.update(table).where(where).values(updated=time.time()))
            return bool(done.rowcount)


def table_for(store: StoreParts) -> PresenterTable:
    """The presenter table of ``store``'s database (defined once in the store's metadata,
    created in the database when missing; the live stream and the routes each ask once, at
    start-up)."""
    return PresenterTable(store.engine, store.metadata)
