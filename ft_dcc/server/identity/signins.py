"""Whether a browser's sign-in still holds: what a personal review link made for a signed-in
browser rests on. The sign-in room (:mod:`ft_dcc.server.signin`) writes the table; the review
room asks here, so neither room imports the other."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ft_dcc.server.model.parts import StoreParts

SIGNIN_TABLE = "ft_dcc_signin"


def signin_holds(store: StoreParts, session_id: str, user_id: str) -> bool:
    """Whether the sign-in stored under ``session_id`` still lasts and is ``user_id``'s (the
    User's being active is checked by whoever opens the link)."""
    table = store.metadata.tables.get(SIGNIN_TABLE)
    if table is None:
        return False
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    query = sa.select(table.c.id).where(
        table.c.id == session_id, table.c.user_id == user_id, table.c.expires_at > now
    )
    with store.engine.connect() as connection:
        return connection.execute(query).first() is not None
