"""Hub ids bound to their socket's User across server processes (PostgreSQL).

A hub id (an event's ``source.id``) is the address replies are targeted at (``id=<hub id>``).
Within one process the broker gives it to the first live socket that names it; with
``--workers N`` a socket on another worker would not see that socket. :class:`SharedHubIds`
keeps one row per (hub id, server process) naming the User whose socket holds it there: a
socket may name a hub id only when no process holds it for another User. A subscriber's id is
held the same way when the socket subscribes (its replies come in that id's name). Rows are written
when a socket first names a hub id and removed when the last socket of that process holding it
closes, unless its hub is parked for a reconnect (``events.resume``): the parked hub's ids stay
held for its owner until it resumes (in another process: that process's row holds them then) or
expires, so another User's socket naming them meanwhile is refused and cannot block the owner's
resume. All of a process's rows go when it closes. A process that dies without closing leaves
its rows: the hub ids stay bound to their Users (they are random per client session).
"""

from __future__ import annotations

import time
from typing import Iterable

import sqlalchemy as sa

from ft_dcc.server.model.side_tables import SideTable, pg_insert

HUB_ID_TABLE = "ft_dcc_event_hub_id"
#: hub ids one socket may name as an event's source (a client uses one; a resumed hub brings
#: its own)
MOST_HUB_IDS_PER_SOCKET = 16
#: subscriber ids one socket may declare: each is the socket's own too, as ``ftrack_api``
#: sends a subscriber's replies with ``source = subscriber.metadata`` (its ``id``; a
#: ``ftrack_action_handler`` action has two subscribers, a studio's action process dozens)
MOST_SUBSCRIBER_IDS_PER_SOCKET = 256


class SharedHubIds(SideTable):
    """Which User's socket holds each hub id, in which server process (``claim``/``release``)."""

    NAME = HUB_ID_TABLE

    KEY = {"hub_id": sa.String(255), "process": sa.String(64)}
    FIELDS = {"username": sa.Text, "since": sa.Float}

    def claim(self, hub_id: str, username: str, process: str) -> bool:
        """Hold ``hub_id`` for ``username`` in ``process``; ``False`` when a socket of another
        User holds it in any process (whoever wrote first keeps it: two racing Users both see
        the first row)."""
        table = self.table
        row = {"hub_id": hub_id, "process": process, "username": username, "since": time.time()}
        with self.engine.begin() as connection:
            connection.execute(pg_insert(table).values(**row).on_conflict_do_nothing())
        with self.engine.connect() as connection:
            holders = connection.execute(
                sa.select(table.c.username, table.c.process)
                .where(table.c.hub_id == hub_id)
                .order_by(table.c.since, table.c.process)
            ).all()
        if holders and holders[0].username == username:  # ours first: another gives way
            return True
        self.release([hub_id], process, username)
        return False

    def release(self, hub_ids: Iterable[str], process: str, username: str) -> None:
        """``process`` holds ``hub_ids`` for ``username`` no longer."""
        ids = list(hub_ids)
        if not ids:
            return
        table = self.table
        with self.engine.begin() as connection:
            connection.execute(
                sa.delete(table).where(
                    table.c.hub_id.in_(ids),
                    table.c.process == process,
                    table.c.username == username,
                )
            )

    def forget_process(self, process: str) -> None:
        """Every hub id ``process`` holds (it is closing)."""
        with self.engine.begin() as connection:
            connection.execute(sa.delete(self.table).where(self.table.c.process == process))
