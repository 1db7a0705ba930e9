"""The event hub across server processes, through PostgreSQL (``LISTEN``/``NOTIFY``).

With ``--workers N`` (or several servers on one database) a hub's websocket lives in one process
while the event it should receive may be published in another. Every process's
:class:`EventBroker` hands each routed event to :class:`PgEventRelay` (``tell``), which
``NOTIFY``s it on one channel from a sender thread; a listener thread in every process, this one
included, ``LISTEN``s and passes it to its broker's ``deliver``. PostgreSQL gives every listener
the notifications in the order they were committed, so every socket of every process gets the
events in that one order; and an ``ftrack.update`` is answered only once its notification is sent
(``EventBroker.emit_update``), so a commit answered before the next one was sent is told first
everywhere. While the listener is not listening (starting, reconnecting) or a notification
cannot be sent, the event is delivered here directly. Events too large for a notification (8000
bytes) go through the table ``ft_dcc_event_relay`` and the notification carries their row id.

:class:`SharedTickets` keeps the socket.io handshake sessions in the database, since a client's
handshake (``GET /socket.io/1/``) and its websocket may reach different processes.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Mapping, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ft_dcc.protocol.events import event_from_wire, event_to_wire
from ft_dcc.server.events.hub_ids import SharedHubIds
from ft_dcc.server.limits.open_caps import SharedOpenCounts
from ft_dcc.server.model.database import error_reason, is_unreachable, one_statement
from ft_dcc.server.model.pg_listen import PgListener, conninfo
from ft_dcc.server.model.side_tables import SideTable
from ft_dcc.server.model.storage import write_transaction

if TYPE_CHECKING:
    from ft_dcc.server.events.hub import EventBroker

log = logging.getLogger(__name__)

CHANNEL = "ft_dcc_events"
#: Notifications carry at most 8000 bytes; larger events travel through the relay table.
MAX_NOTIFY_BYTES = 7500
RELAY_TABLE = "ft_dcc_event_relay"
TICKET_TABLE = "ft_dcc_event_ticket"
#: Relayed rows older than this are deleted (every process has read them long before).
RELAY_KEEP_SECONDS = 600
#: marks the origin of a notification this process delivers too when it comes back
HERE_TOO = "+"

#: an event to send, whether this process delivers it when it comes back, and what to set once
#: it is sent (or failed)
_Outgoing = Tuple[Mapping[str, object], bool, Optional[threading.Event]]


class SharedTickets(SideTable):
    """Single-use socket.io session ids stored in the database (``issue`` / ``claim``)."""

    NAME = TICKET_TABLE

    KEY = {"sid": sa.String(64)}
    FIELDS = {"username": sa.Text, "expires": sa.Float}

    def issue(self, user: str, ttl: float) -> str:
        sid = uuid.uuid4().hex
        now = time.time()
        with write_transaction(self.engine) as connection:
            connection.execute(sa.delete(self.table).where(self.table.c.expires < now))
            connection.execute(
                sa.insert(self.table).values(sid=sid, username=user, expires=now + ttl)
            )
        return sid

    def claim(self, sid: str) -> Optional[str]:
        """The user of ``sid`` if it is known and unexpired; it cannot be claimed again."""
        statement = (
            sa.delete(self.table)
            .where(self.table.c.sid == sid)
            .returning(self.table.c.username, self.table.c.expires)
        )
        with self.engine.begin() as connection:
            row = connection.execute(statement).first()
        if row is None or row.expires < time.time():
            return None
        return str(row.username)


class PgEventRelay(SideTable):
    """Passes events between the brokers of all server processes on one PostgreSQL database."""

    NAME = RELAY_TABLE

    KEY = {"id": sa.Integer}
    FIELDS = {"body": sa.Text, "created": sa.Float}

    def __init__(self, engine: Engine, metadata: sa.MetaData, broker: Any) -> None:
        import psycopg  # the postgres extra; only loaded on PostgreSQL

        self._psycopg = psycopg
        super().__init__(engine, metadata)
        self.broker = broker
        self.origin = str(broker.id)
        self._conninfo = conninfo(engine)
        self._outbox: queue.Queue[Optional[_Outgoing]] = queue.Queue()
        self._listener = PgListener(
            engine, CHANNEL, self._receive, name="event-listen", reconnect_delay=1.0
        )
        self._sender = threading.Thread(target=self._send, name="event-notify", daemon=True)
        self._sender.start()
        if not self._listener.listening.wait(15):
            log.warning("the event relay is not listening yet; events from other workers may "
                        "be missed until it is")  # fmt: skip

    @property
    def listening(self) -> bool:
        """Whether this process hears the others' events (and its own come back in order);
        while not (starting, reconnecting), its own are delivered here at once."""
        return self._listener.listening.is_set()

    # -- out -----------------------------------------------------------------------------------
    def publish(self, event: Mapping[str, object]) -> None:
        """Queue ``event`` for the other processes; never blocks (called on the event loop)."""
        self._outbox.put((event, False, None))

    def tell(self, event: Mapping[str, object]) -> threading.Event:
        """Queue ``event`` for every process, this one included (it is delivered here when its
        notification comes back, in the order every process gets it); never blocks. The
        returned event is set once the notification is sent, or has failed."""
        sent = threading.Event()
        if not self._listener.listening.is_set():  # it would not come back: deliver it here now
            self.broker.deliver(event)
            self._outbox.put((event, False, sent))
        else:
            self._outbox.put((event, True, sent))
        return sent

    def _send(self) -> None:
        connection = None
        while True:
            item = self._outbox.get()
            if item is None:
                break
            event, here, sent = item
            try:
                connection = self._send_one(connection, event, here)
            except Exception as error:
                self._failed(event, here, error)
                connection = None
            if sent is not None:
                sent.set()
        if connection is not None:
            connection.close()

    def _failed(self, event: Mapping[str, object], here: bool, error: Exception) -> None:
        """``event`` could not be sent: log it, and deliver it here if it was to come back."""
        if is_unreachable(error):  # an outage: one line, no traceback
            log.warning("could not pass event %s to the other server processes: the database "
                        "is unreachable (%s)", event.get("id"), error_reason(error))  # fmt: skip
        else:
            log.exception("could not pass event %s to the other server processes",
                          event.get("id"))  # fmt: skip
        if here:
            try:
                self.broker.deliver(dict(event))
            except Exception:
                log.exception("could not deliver event %s in this process", event.get("id"))

    def _send_one(self, connection: Any, event: Mapping[str, object], here: bool) -> Any:
        """Send ``event`` on ``connection`` (a new one when there is none); once more on a new
        connection when the old one was dropped meanwhile (the database restarted)."""
        if connection is not None and not connection.closed:
            try:
                self._notify(connection, event, here)
                return connection
            except Exception as error:
                if not is_unreachable(error):
                    raise
        connection = self._psycopg.connect(self._conninfo, autocommit=True)
        self._notify(connection, event, here)
        return connection

    def _notify(self, connection: Any, event: Mapping[str, object], here: bool = False) -> None:
        body = json.dumps(event_to_wire(event), default=str, separators=(",", ":"))
        origin = self.origin + HERE_TOO if here else self.origin
        payload = f"{origin} {body}"
        if len(payload.encode("utf-8")) > MAX_NOTIFY_BYTES:
            now = time.time()
            row_id = connection.execute(
                f"INSERT INTO {RELAY_TABLE} (body, created) VALUES (%s, %s) RETURNING id",
                (body, now),
            ).fetchone()[0]
            connection.execute(
                f"DELETE FROM {RELAY_TABLE} WHERE created < %s", (now - RELAY_KEEP_SECONDS,)
            )
            payload = f"{origin} @{row_id}"
        connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))

    # -- in ------------------------------------------------------------------------------------
    def _receive(self, payload: str) -> None:
        origin, _, body = payload.partition(" ")
        if origin == self.origin:
            return  # routed here already (``publish``); ``tell``'s come back marked
        try:
            if body.startswith("@"):
                # Not on the listening connection: it is locked while notifies() runs.
                with one_statement(self.engine) as connection:
                    found = connection.execute(
                        sa.select(self.table.c.body).where(self.table.c.id == int(body[1:]))
                    ).scalar()
                if found is None:
                    return
                body = str(found)
            self.broker.deliver(event_from_wire(json.loads(body)))
        except Exception:
            log.exception("could not deliver an event relayed from another server process")

    def close(self) -> None:
        self._outbox.put(None)
        self._sender.join(5)
        self._listener.close()


def share_event_hub(
    broker: Optional[EventBroker], engine: Engine, metadata: sa.MetaData
) -> Optional[PgEventRelay]:
    """Make ``broker`` span every server process on ``engine``'s database (PostgreSQL only)."""
    if engine.dialect.name != "postgresql" or broker is None:
        return None
    relay = PgEventRelay(engine, metadata, broker)
    broker.relay = relay.publish
    broker.relay_all = relay.tell
    broker.tickets = SharedTickets(engine, metadata)
    broker.shared_hub_ids = SharedHubIds(engine, metadata)
    broker.shared_open = SharedOpenCounts(engine, metadata)
    return relay
