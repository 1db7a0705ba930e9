"""Webhook deliveries: one row of ``ft_dcc_webhook_delivery`` per event and webhook, its body
fixed when it is made (the same bytes on every attempt, so a signature checked once holds), and
one row of ``ft_dcc_webhook_attempt`` per attempt with the HTTP status the receiver answered.

Each delivery is ``POST``ed with ``Content-Type: application/json``,
``X-Ft-Dcc-Signature: sha256=<hex HMAC-SHA256 of the raw body with the webhook's secret>``,
``X-Ft-Dcc-Event: <topic>`` and ``X-Ft-Dcc-Delivery: <id>``; redirects are not followed and the
receiver's answer is not kept (only its status). A 2xx answer delivers it; anything else (no
answer, a timeout, another status) is tried again after the next delay of the schedule (30 s,
then doubling, at most an hour apart; ``FT_DCC_WEBHOOK_RETRY_SECONDS`` sets the first) until
:data:`MOST_ATTEMPTS` attempts failed. A delivery is claimed by one conditional update, so one
process sends each attempt; a process that died while sending leaves it to be claimed again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import requests
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.model.database import one_statement
from ft_dcc.server.model.side_tables import SideTable
from ft_dcc.server.model.storage import write_transaction
from ft_dcc.server.notify.facts import Event
from ft_dcc.server.notify.hooks import Webhook

log = logging.getLogger(__name__)

TABLE = "ft_dcc_webhook_delivery"
ATTEMPT_TABLE = "ft_dcc_webhook_attempt"
QUEUED, SENDING, DELIVERED, FAILED = "queued", "sending", "delivered", "failed"
#: the webhook was removed before the delivery went out
DROPPED = "dropped"
MOST_ATTEMPTS = 10
MOST_DELAY = 3600.0
DEFAULT_FIRST_RETRY = 30.0
LEASE_SECONDS = 120.0
#: how long a finished delivery (delivered, failed, dropped) and its attempts are kept
KEEP_SECONDS = 30 * 24 * 3600.0
#: seconds to connect and to wait for the receiver's answer
TIMEOUT = (5.0, 15.0)
SIGNATURE_HEADER = "X-Ft-Dcc-Signature"

#: (url, body, headers) -> the receiver's HTTP status; raises when it did not answer
Post = Callable[[str, bytes, Dict[str, str]], int]


def signature(secret: str, body: bytes) -> str:
    """The ``X-Ft-Dcc-Signature`` of ``body``: ``sha256=`` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def retry_delay(attempts: int, first: float) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones."""
    return float(min(MOST_DELAY, first * 2 ** max(0, min(attempts - 1, 20))))


def slack_text(event: Event) -> str:
    """The event in one line of Slack's ``mrkdwn`` (``<`` ``>`` ``&`` escaped as Slack asks)."""
    what = {
        "note.created": "New note", "note.completed": "Note addressed",
        "note.reopened": "Note reopened", "verdict.given": "Verdict",
        "version.published": "Published",
    }.get(event.topic, event.topic)  # fmt: skip
    parts = [f"*{what}*", event.version_name]
    if event.frame is not None:
        parts.append(f"frame {event.frame}")
    if event.actor:
        parts.append(f"by {event.actor}")
    line = " · ".join(p for p in parts if p)
    if event.verdict:
        line += f": {event.verdict.replace('_', ' ')}"
    if event.text:
        line += f"\n> {event.text[:500]}"
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def body_of(event: Event, slack: bool) -> bytes:
    """The JSON body of ``event``: the event's fields (:meth:`Event.body`), or for a Slack
    webhook ``{"text": …}`` with the same fields beside it."""
    data: Dict[str, Any] = event.body()
    if slack:
        data = {"text": slack_text(event), "ft_dcc": data}
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def http_post(url: str, body: bytes, headers: Dict[str, str]) -> int:
    reply = requests.post(url, data=body, headers=headers, timeout=TIMEOUT,
                          allow_redirects=False, stream=True)  # fmt: skip
    reply.close()  # the answer's body is never read
    return reply.status_code


@dataclass(frozen=True)
class Delivery:
    id: str
    hook_id: str
    topic: str
    body: bytes
    attempts: int


class Deliveries:
    """The deliveries and their attempts."""

    def __init__(self, engine: Any, metadata: Any, first_retry: float = DEFAULT_FIRST_RETRY,
                 post: Post = http_post) -> None:  # fmt: skip
        self.table = _Deliveries(engine, metadata)
        self.attempts = _Attempts(engine, metadata)
        self.engine = self.table.engine
        self.first_retry = first_retry
        self.post = post

    def add(self, connection: Connection, pairs: Sequence[Tuple[Webhook, Event]]) -> int:
        """A delivery of each (webhook, event), in the caller's transaction."""
        if not pairs:
            return 0
        now = time.time()
        connection.execute(sa.insert(self.table.table), [{
            "id": uuid.uuid4().hex, "hook_id": hook.id, "topic": event.topic,
            "notice_id": event.notice_id, "body": body_of(event, hook.slack).decode("utf-8"),
            "state": QUEUED, "attempts": 0, "created": now, "next_attempt": now,
            "claimed_until": 0.0, "last_status": 0, "last_error": "",
        } for hook, event in pairs])  # fmt: skip
        return len(pairs)

    def next_due(self) -> Optional[float]:
        t = self.table.table
        with one_statement(self.engine) as connection:
            query = sa.select(sa.func.min(t.c.next_attempt)).where(t.c.state == QUEUED)
            due = connection.execute(query).scalar()
        return None if due is None else float(due)

    def claim(self, now: Optional[float] = None, most: int = 20) -> List[Delivery]:
        now = time.time() if now is None else now
        t = self.table.table
        due = sa.or_(sa.and_(t.c.state == QUEUED, t.c.next_attempt <= now),
                     sa.and_(t.c.state == SENDING, t.c.claimed_until < now))  # fmt: skip
        with one_statement(self.engine) as connection:
            ids = [r[0] for r in connection.execute(
                sa.select(t.c.id).where(due).order_by(t.c.next_attempt).limit(most))]  # fmt: skip
        won: List[Delivery] = []
        for delivery_id in ids:
            with write_transaction(self.engine) as connection:
                taken = connection.execute(sa.update(t).where(t.c.id == delivery_id, due).values(
                    state=SENDING, claimed_until=now + LEASE_SECONDS,
                    attempts=t.c.attempts + 1)).rowcount  # fmt: skip
                if taken == 1:
                    row = connection.execute(sa.select(t).where(t.c.id == delivery_id)).one()
                    won.append(Delivery(row.id, row.hook_id, row.topic,
                                        row.body.encode("utf-8"), int(row.attempts)))  # fmt: skip
        return won

    def deliver_due(self, stop: threading.Event, hooks: Dict[str, Webhook]) -> int:
        """Send every due delivery this process wins; how many were attempted."""
        done = 0
        while not stop.is_set():
            claimed = self.claim()
            if not claimed:
                return done
            for delivery in claimed:
                self.attempt(delivery, hooks.get(delivery.hook_id))
                done += 1
        return done

    def attempt(self, delivery: Delivery, hook: Optional[Webhook]) -> None:
        if hook is None:
            self._finish(delivery, DROPPED, 0, "the webhook was removed", None)
            return
        headers = {
            "Content-Type": "application/json", "User-Agent": "ft-dcc-webhook",
            SIGNATURE_HEADER: signature(hook.secret, delivery.body),
            "X-Ft-Dcc-Event": delivery.topic, "X-Ft-Dcc-Delivery": delivery.id,
        }  # fmt: skip
        status, error = 0, ""
        try:
            status = int(self.post(hook.url, delivery.body, headers))
        except Exception as failure:  # no answer: refused, unreachable, timed out
            error = f"no answer ({failure.__class__.__name__}: {str(failure)[:300]})"
        if 200 <= status < 300:
            self._finish(delivery, DELIVERED, status, "", None)
            return
        error = error or f"the receiver answered {status}"
        retry = (retry_delay(delivery.attempts, self.first_retry)
                 if delivery.attempts < MOST_ATTEMPTS else None)  # fmt: skip
        log.warning("webhook delivery %s to %s failed (attempt %d%s): %s", delivery.id, hook.url,
                    delivery.attempts, f", again in {retry:g} s" if retry is not None
                    else ", giving up", error)  # fmt: skip
        self._finish(delivery, QUEUED if retry is not None else FAILED, status, error, retry)

    def _finish(self, delivery: Delivery, state: str, status: int, error: str,
                retry: Optional[float]) -> None:  # fmt: skip
        t = self.table.table
        now = time.time()
        values: Dict[str, Any] = {"state": state, "last_status": status, "last_error": error,
                                  "claimed_until": 0.0}  # fmt: skip
        if retry is not None:
            values["next_attempt"] = now + retry
        with write_transaction(self.engine) as connection:
            connection.execute(sa.update(t).where(t.c.id == delivery.id, t.c.state == SENDING)
                               .values(**values))  # fmt: skip
            if state != DROPPED:
                connection.execute(sa.insert(self.attempts.table).values(
                    id=uuid.uuid4().hex, delivery_id=delivery.id, attempt=delivery.attempts,
                    at=now, status=status, error=error))  # fmt: skip

    def prune(self, now: Optional[float] = None) -> int:
        """Remove the finished deliveries made more than :data:`KEEP_SECONDS` ago, with their
        attempts; how many."""
        now = time.time() if now is None else now
        t, a = self.table.table, self.attempts.table
        old = sa.and_(t.c.state.in_([DELIVERED, FAILED, DROPPED]), t.c.created < now - KEEP_SECONDS)
        with write_transaction(self.engine) as connection:
            connection.execute(
                sa.delete(a).where(a.c.delivery_id.in_(sa.select(t.c.id).where(old)))
            )
            return int(connection.execute(sa.delete(t).where(old)).rowcount or 0)

    def listed(self, most: int = 200, hook_id: Optional[str] = None) -> List[Dict[str, Any]]:
        """The newest deliveries (newest first), each with its attempts (oldest first)."""
        t, a = self.table.table, self.attempts.table
        query = sa.select(t).order_by(t.c.created.desc(), t.c.id).limit(most)
        if hook_id:
            query = query.where(t.c.hook_id == hook_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            ids = [r.id for r in rows]
            tries = connection.execute(sa.select(a).where(a.c.delivery_id.in_(ids))
                                       .order_by(a.c.attempt)).all() if ids else []  # fmt: skip
        by: Dict[str, List[Dict[str, Any]]] = {}
        for row in tries:
            by.setdefault(row.delivery_id, []).append(
                {"attempt": int(row.attempt), "at": float(row.at), "status": int(row.status),
                 "error": row.error})  # fmt: skip
        body_ids = ("note_id", "version_id", "review_session_id")
        listed = []
        for row in rows:
            body = json.loads(row.body)
            fields = body.get("ft_dcc", body)
            listed.append({
                "id": row.id, "webhook_id": row.hook_id, "topic": row.topic, "state": row.state,
                "created": float(row.created), "attempts": by.get(row.id, []),
                "next_attempt": float(row.next_attempt) if row.state == QUEUED else None,
                **{k: fields.get(k) for k in body_ids},
            })  # fmt: skip
        return listed


class _Deliveries(SideTable):
    NAME = TABLE
    KEY = {"id": sa.String(32)}
    FIELDS = {
        "hook_id": sa.String(32), "topic": sa.String(40), "notice_id": sa.String(32),
        "body": sa.Text, "state": sa.String(16), "attempts": sa.Integer, "created": sa.Float,
        "next_attempt": sa.Float, "claimed_until": sa.Float, "last_status": sa.Integer,
        "last_error": sa.Text,
    }  # fmt: skip
    INDEXED = ("state", "hook_id")


class _Attempts(SideTable):
    NAME = ATTEMPT_TABLE
    KEY = {"id": sa.String(32)}
    FIELDS = {"delivery_id": sa.String(32), "attempt": sa.Integer, "at": sa.Float,
              "status": sa.Integer, "error": sa.Text}  # fmt: skip
    INDEXED = ("delivery_id",)
