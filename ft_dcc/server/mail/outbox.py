"""The durable outgoing mail queue: the table ``ft_dcc_mail``, one row per message.

A message is written here by the request that wants it sent (it never waits for SMTP) and sent
by a :class:`~ft_dcc.server.mail.sender.Sender` of any server process: a sender *claims* a due
message (one conditional ``UPDATE``: only one process wins it) for :data:`LEASE_SECONDS`, so a
process that died while sending leaves the message to be claimed again after a restart. Each
row keeps its attempts, the next attempt's time and the last error, for the desk to show.

States: ``queued`` (waiting for its next attempt), ``sending`` (claimed), ``sent`` (the SMTP
server took it; its bodies are emptied then: a sent invitation's link stays only in the
recipient's mailbox), ``failed`` (refused for good, or :data:`MOST_ATTEMPTS` attempts failed;
kept, with its error, until someone sends it again), ``replaced`` (a newer message on its topic
took its place before it went out: an invitation sent again).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.model.side_tables import SideTable
from ft_dcc.server.model.storage import write_transaction

TABLE = "ft_dcc_mail"
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
#: a queued message a newer one on its topic took the place of (never sent)
REPLACED = "replaced"
#: how long a claim holds before another sender may take the message again (a crashed sender)
LEASE_SECONDS = 300.0
#: attempts before a message is marked failed (30 s, 1, 2, 4 … minutes apart: about 8 hours)
MOST_ATTEMPTS = 12
#: the longest wait between two attempts
MOST_DELAY = 3600.0
#: the longest error text kept
MAX_ERROR = 500


def retry_delay(attempts: int, first: float) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: ``first``, then doubling,
    at most :data:`MOST_DELAY`."""
    return float(min(MOST_DELAY, first * 2 ** max(0, min(attempts - 1, 20))))


@dataclass(frozen=True)
class Message:
    """One message as stored."""

    id: str
    topic: str
    recipient: str
    subject: str
    text: str
    html: str
    state: str
    attempts: int
    created: float
    next_attempt: float
    last_error: str
    sent: float


class Outbox(SideTable):
    """The queue of outgoing mail in the server's database."""

    NAME = TABLE
    KEY = {"id": sa.String(32)}
    FIELDS = {
        # what the message is about, for whoever shows its state (e.g. "invitee:<id>")
        "topic": sa.String(200), "recipient": sa.String(320), "subject": sa.Text,
        "text_body": sa.Text, "html_body": sa.Text, "state": sa.String(16),
        "attempts": sa.Integer, "created": sa.Float, "next_attempt": sa.Float,
        "claimed_until": sa.Float, "last_error": sa.Text, "sent": sa.Float,
    }  # fmt: skip
    INDEXED = ("topic", "state")

    def put(self, topic: str, recipient: str, subject: str, text: str, html: str,
            connection: Optional[Connection] = None) -> str:  # fmt: skip
        """Queue a message to send now; its id. ``connection``: written in the caller's
        transaction (the message is queued exactly when what it tells of is written)."""
        message_id = uuid.uuid4().hex
        now = time.time()
        insert = sa.insert(self.table).values(
            id=message_id, topic=topic[:200], recipient=recipient, subject=subject,
            text_body=text, html_body=html, state=QUEUED, attempts=0, created=now,
            next_attempt=now, claimed_until=0.0, last_error="", sent=0.0,
        )  # fmt: skip
        if connection is not None:
            connection.execute(insert)
            return message_id
        with write_transaction(self.engine) as own:
            own.execute(insert)
        return message_id

    def replace_queued(self, topic: str) -> int:
        """Mark the topic's messages not sent yet replaced: one waiting is never sent; one being
        sent right now is not tried again if this attempt fails. How many."""
        t = self.table
        with write_transaction(self.engine) as connection:
            return connection.execute(
                sa.update(t)
                .where(t.c.topic == topic[:200], t.c.state.in_([QUEUED, SENDING]))
                .values(
                    state=REPLACED,
                    text_body="",
                    html_body="",
                    last_error="replaced by a newer message",
                )
            ).rowcount

    def claim(self, now: Optional[float] = None, most: int = 10) -> List[Message]:
        """Due messages this caller now holds for :data:`LEASE_SECONDS` (another process's claim
        that ran out counts as due): each row won by one conditional update."""
        now = time.time() if now is None else now
        t = self.table
        due = sa.or_(
            sa.and_(t.c.state == QUEUED, t.c.next_attempt <= now),
            sa.and_(t.c.state == SENDING, t.c.claimed_until < now),
        )
        with self.engine.connect() as connection:
            ids = [
                row[0]
                for row in connection.execute(
                    sa.select(t.c.id).where(due).order_by(t.c.next_attempt).limit(most)
                )
            ]
        won = []
        for message_id in ids:
            with write_transaction(self.engine) as connection:
                taken = connection.execute(
                    sa.update(t)
                    .where(t.c.id == message_id, due)
                    .values(
                        state=SENDING,
                        claimed_until=now + LEASE_SECONDS,
                        attempts=t.c.attempts + 1,
                    )
                ).rowcount
            if taken == 1:
                won.append(message_id)
        return self.messages(won)

    def sent_ok(self, message_id: str) -> None:
        """The SMTP server took it: keep the record, drop the bodies."""
        with write_transaction(self.engine) as connection:
            connection.execute(
                sa.update(self.table)
                .where(self.table.c.id == message_id)
                .values(
                    state=SENT,
                    sent=time.time(),
                    text_body="",
                    html_body="",
                    last_error="",
                    claimed_until=0.0,
                )
            )

    def failed(self, message_id: str, error: str, retry_in: Optional[float]) -> None:
        """An attempt failed: try again in ``retry_in`` seconds, or (``None``) never again."""
        values: Dict[str, object] = {"last_error": error[:MAX_ERROR], "claimed_until": 0.0}
        if retry_in is None:
            values["state"] = FAILED
        else:
            values.update(state=QUEUED, next_attempt=time.time() + retry_in)
        t = self.table
        with write_transaction(self.engine) as connection:  # unless replaced meanwhile
            connection.execute(
                sa.update(t).where(t.c.id == message_id, t.c.state == SENDING).values(**values)
            )

    def next_due(self) -> Optional[float]:
        """When the earliest queued message is due (``None``: nothing waits)."""
        t = self.table
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(sa.func.min(t.c.next_attempt)).where(t.c.state == QUEUED)
            ).scalar()

    def messages(self, ids: Sequence[str]) -> List[Message]:
        if not ids:
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(self.table).where(self.table.c.id.in_(ids)))
            return [_message(row._mapping) for row in rows]

    def latest(self, topics: Iterable[str]) -> Dict[str, Message]:
        """The newest message of each of ``topics`` that has one."""
        wanted = list(dict.fromkeys(topics))
        found: Dict[str, Message] = {}
        if not wanted:
            return found
        t = self.table
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                rows = connection.execute(
                    sa.select(t).where(t.c.topic.in_(wanted[start : start + 500]))
                )
                for row in rows:
                    message = _message(row._mapping)
                    have = found.get(message.topic)
                    if have is None or (message.created, message.id) > (have.created, have.id):
                        found[message.topic] = message
        return found


def _message(row: Mapping[Any, Any]) -> Message:
    get = row.__getitem__
    return Message(
        id=get("id"), topic=get("topic"), recipient=get("recipient"), subject=get("subject"),
        text=get("text_body"), html=get("html_body"), state=get("state"),
        attempts=int(get("attempts")), created=float(get("created")),
        next_attempt=float(get("next_attempt")), last_error=get("last_error"),
        sent=float(get("sent")),
    )  # fmt: skip
