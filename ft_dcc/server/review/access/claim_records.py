"""Who claimed an invitee: the read side of :mod:`ft_dcc.server.review.access.claims`, on its own so
that opening a link (:mod:`ft_dcc.server.review.access.link`) reads claims without importing the
claiming action (which checks links against the client gate, which names links)."""

from __future__ import annotations

from typing import Optional

import sqlalchemy as sa

from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.model.side_tables import side_table
from ft_dcc.server.review.access.identity import Invitee
from ft_dcc.server.rules import permissions
from ft_dcc.server.rules.speakers import CLAIM_TABLE, claim_columns


def claim_table(store: StoreParts) -> sa.Table:
    """The claims table of ``store`` (created in its database the first time: at start-up)."""
    defined = store.metadata.tables.get(CLAIM_TABLE)
    if defined is not None:
        return defined  # the store's own metadata remembers it: no check of the database
    return side_table(store.engine, store.metadata, CLAIM_TABLE, *claim_columns())


def claimed_user(store: StoreParts, invitee: Invitee) -> Optional[str]:
    """The active User who claimed ``invitee``, or ``None``."""
    if invitee.from_room:
        return None
    table = claim_table(store)
    with store.engine.connect() as connection:
        row = connection.execute(
            sa.select(table.c.user_id).where(
                table.c.invitee_id == invitee.id,
                table.c.review_session_id == invitee.review_session_id,
            )
        ).first()
    if row is None or not permissions.is_active_user(store, row[0]):
        return None
    return str(row[0])
