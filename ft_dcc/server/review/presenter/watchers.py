"""Who is watching a review session now: one row per open live stream (``live.py``).

Every page of a session keeps one live stream open; while it is open, the stream's row names
the person its link acts as (:func:`ft_dcc.server.review.presenter.presenter_people.person_of`: an
invitee by their name, a user by theirs) — never anything the page sends, so nobody can appear as
someone else. Rows are kept in the table ``ft_dcc_review_watchers`` (shared by every server process,
over PostgreSQL between workers), touched at each keep-alive and dropped when the stream ends;
a row a crashed process left behind is ignored once it is :data:`STALE_SECONDS` old.

Every change is published as the server's own event :data:`WATCHERS_TOPIC` (the event hub's
websocket clients can neither send nor receive it), carrying only the session's id; each live
stream of that session then reads the list again and sends it as ``event: watchers``::

    {"watchers": [{"key": "i:<invitee id>" | "u:<user id>", "name": str, "pages": int}, ...]}

Only people who may open the session have a stream on it, so the list names only them, and
only pages of that session receive it.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Dict, List, Optional, TypedDict

import sqlalchemy as sa

from ft_dcc.server.events.hub import EventBroker
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.model.side_tables import SideTable
from ft_dcc.server.model.storage import write_transaction
from ft_dcc.server.review.presenter.presenter_state import Person

log = logging.getLogger(__name__)

WATCHERS_TOPIC = "ft_dcc.meta.review-watchers"
TABLE = "ft_dcc_review_watchers"
#: A row not touched for this long belongs to a stream that is gone (3 missed keep-alives).
STALE_SECONDS = 45.0


class Watcher(TypedDict):
    """One person watching a review session, with how many pages they have open."""

    key: str
    name: str
    pages: int


class WatcherTable(SideTable):
    """The open live streams of every session, and who each one is."""

    NAME = TABLE

    KEY = {"stream_id": sa.String(32)}
    FIELDS = {
        "review_session_id": sa.String(64), "person_key": sa.String(80), "name": sa.Text,
        "seen": sa.Float,
    }  # fmt: skip
    INDEXED = ("review_session_id",)

    def join(self, review_session_id: str, who: Person) -> str:
        """Record a stream of ``who`` on the session; its id (for :meth:`touch` / :meth:`leave`)."""
        stream_id = uuid.uuid4().hex
        now = time.time()
        table = self.table
        with write_transaction(self.engine) as connection:
            connection.execute(sa.delete(table).where(table.c.seen < now - STALE_SECONDS))
            connection.execute(sa.insert(table).values(
                stream_id=stream_id, review_session_id=review_session_id,
                person_key=who.key, name=who.name[:200], seen=now,
            ))  # fmt: skip
        return stream_id

    def touch(self, stream_id: str) -> None:
        table = self.table
        with write_transaction(self.engine) as connection:
            connection.execute(
                sa.update(table).where(table.c.stream_id == stream_id).values(seen=time.time())
            )

    def leave(self, stream_id: str) -> None:
        table = self.table
        with write_transaction(self.engine) as connection:
            connection.execute(sa.delete(table).where(table.c.stream_id == stream_id))

    def watchers(self, review_session_id: str) -> List[Watcher]:
        """Who watches the session now: each person once, with their count of pages."""
        table = self.table
        query = sa.select(table.c.person_key, table.c.name).where(
            table.c.review_session_id == review_session_id,
            table.c.seen >= time.time() - STALE_SECONDS,
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        people: Dict[str, Watcher] = {}
        for key, name in rows:
            person = people.setdefault(key, {"key": key, "name": name, "pages": 0})
            person["pages"] += 1
        return sorted(people.values(), key=lambda p: (p["name"].casefold(), p["key"]))


def watcher_table(store: StoreParts) -> WatcherTable:
    """The watcher table of ``store``'s database (created when missing)."""
    return WatcherTable(store.engine, store.metadata)


def announce(broker: Optional[EventBroker], review_session_id: str) -> None:
    """Tell every server process that who watches ``review_session_id`` changed."""
    if broker is not None:
        broker.emit({"topic": WATCHERS_TOPIC, "data": {"review_session_id": review_session_id}})
