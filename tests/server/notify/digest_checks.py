"""What the digest tests read of the server's tables."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def count(world: Any, table: str, where: str = "") -> int:
    engine = sa.create_engine(world.database_url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql(f"select count(*) from {table} {where}").scalar())
    finally:
        engine.dispose()


def settled(world: Any) -> bool:
    """Every notice expanded, every digest queued and every queued mail sent."""
    return (
        count(world, "ft_dcc_notice") == 0
        and count(world, "ft_dcc_digest_item") == 0
        and count(world, "ft_dcc_mail", "where state in ('queued', 'sending')") == 0
    )


def unsettled(world: Any) -> str:
    """What :func:`settled` still waits for."""
    return (
        f"{count(world, 'ft_dcc_notice')} notices, {count(world, 'ft_dcc_digest_item')} digest "
        f"items, {count(world, 'ft_dcc_mail', 'where state = ' + repr('queued'))} mails queued "
        f"and {count(world, 'ft_dcc_mail', 'where state = ' + repr('sending'))} being sent wait"
    )
