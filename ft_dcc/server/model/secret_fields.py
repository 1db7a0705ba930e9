"""Stored values no reply carries as stored: ``ReviewSession.passphrase`` (a hash, written by
:mod:`ft_dcc.server.rules.passphrase`).

Every reply, echo and event reads it as :data:`MASK` when one is set and ``None`` when none is;
filters, order and groups compare the same (:func:`masked_column`), so no query is an oracle on
the stored hash.
"""

from __future__ import annotations

from typing import Optional

import sqlalchemy as sa

ENTITY = "ReviewSession"
FIELD = "passphrase"
#: what ``passphrase`` reads as when one is set
MASK = "********"


def is_secret(type_name: str, attribute: str) -> bool:
    """Whether ``type_name.attribute`` is the passphrase (never answered as stored)."""
    return type_name == ENTITY and attribute == FIELD


def masked(stored: object) -> Optional[str]:
    """What the passphrase reads as: :data:`MASK` when one is set, else ``None``."""
    return MASK if stored else None


def masked_column(column: sa.ColumnElement) -> sa.ColumnElement:
    """The SQL of :func:`masked`: what filters, order and groups on ``passphrase`` compare."""
    return sa.case((sa.or_(column.is_(None), column == ""), sa.null()), else_=sa.literal(MASK))
