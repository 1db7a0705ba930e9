"""The notices a committed write leaves: one row of ``ft_dcc_notice`` per event that someone may
hear of (:data:`TOPICS`), written right after the batch commits (one ``INSERT``), expanded later
by the notifier thread (``worker``). A row is *claimed* by one conditional update (a token and a
lease), so one process expands it; a process that died while expanding leaves it to be claimed
again when the lease runs out.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import AbstractSet, Any, Callable, Dict, List, Optional, Sequence

import sqlalchemy as sa

from ft_dcc.server.model.database import one_statement
from ft_dcc.server.model.side_tables import SideTable
from ft_dcc.server.model.storage import write_transaction
from ft_dcc.server.model.writers import write_turn
from ft_dcc.server.rules.registry import Change

TABLE = "ft_dcc_notice"
NOTE_CREATED = "note.created"
VERSION_PUBLISHED = "version.published"
VERDICT_GIVEN = "verdict.given"
NOTE_COMPLETED = "note.completed"
NOTE_REOPENED = "note.reopened"
#: every topic a webhook may ask for
TOPICS = (NOTE_CREATED, VERSION_PUBLISHED, VERDICT_GIVEN, NOTE_COMPLETED, NOTE_REOPENED)
#: the topics someone hears of (a webhook asked for them), or None: every topic (mail is set up)
Heard = Optional[AbstractSet[str]]
#: how long a claim on a notice holds before another process may take it again
LEASE_SECONDS = 120.0
#: notices one claim takes
MOST_CLAIMED = 500


@dataclass(frozen=True)
class Notice:
    """One event as the write left it: its topic, the entity it is about and who did it."""

    id: str
    topic: str
    entity_id: str
    actor_id: str
    created: float
    #: the claim that holds it (:meth:`Notices.claim`)
    claim: str = ""


def notices_of(changes: Sequence[Change], user_id: str) -> List[Dict[str, str]]:
    """The notices of one committed batch's ``changes`` (``topic``, ``entity_id``, ``actor_id``)."""
    found: List[Dict[str, str]] = []
    for change in changes:
        kind, action = change.get("entity_type"), change.get("action")
        topic: Optional[str] = None
        if action == "add" and kind == "Note":
            topic = NOTE_CREATED
        elif action == "add" and kind == "ReviewSessionObjectStatus":
            topic = VERDICT_GIVEN
        elif action == "add" and kind == "AssetVersion":
            topic = VERSION_PUBLISHED
        elif action == "update" and kind == "Note" and "completed_at" in change.get("changes", {}):
            moved = change["changes"]["completed_at"]
            if bool(moved.get("new")) != bool(moved.get("old")):
                topic = NOTE_COMPLETED if moved.get("new") else NOTE_REOPENED
        if topic is not None:
            found.append({"topic": topic, "entity_id": str(change["entity_id"]),
                          "actor_id": user_id or ""})  # fmt: skip
    return found


class Notices(SideTable):
    """The table of notices not yet expanded (a row is removed once it is)."""

    NAME = TABLE
    KEY = {"id": sa.String(32)}
    FIELDS = {
        "topic": sa.String(40), "entity_id": sa.String(255), "actor_id": sa.String(255),
        "created": sa.Float, "claim": sa.String(32), "claimed_until": sa.Float,
    }  # fmt: skip
    INDEXED = ("claimed_until",)

    def record(
        self, changes: Sequence[Change], user_id: str, heard: Callable[[], Heard] = lambda: None
    ) -> int:
        """Write the notices of a committed batch whose topics are ``heard()`` (asked only when
        the batch has notices, in this process's turn to write: never beside a writer); how
        many (none written: no statement)."""
        rows = notices_of(changes, user_id)
        if not rows:
            return 0
        with write_turn(self.engine):
            topics = heard()
            rows = [row for row in rows if topics is None or row["topic"] in topics]
            if not rows:
                return 0
            now = time.time()
            values = [dict(row, id=uuid.uuid4().hex, created=now, claim="", claimed_until=0.0)
                      for row in rows]  # fmt: skip
            with write_transaction(self.engine) as connection:
                connection.execute(sa.insert(self.table), values)
        return len(values)

    def claim(self, now: Optional[float] = None, most: int = MOST_CLAIMED) -> List[Notice]:
        """Notices this caller now holds for :data:`LEASE_SECONDS` (one conditional update: a
        notice another process holds is not taken until its lease runs out), oldest first."""
        now = time.time() if now is None else now
        token = uuid.uuid4().hex
        t = self.table
        with one_statement(self.engine) as connection:
            ids = [r[0] for r in connection.execute(
                sa.select(t.c.id).where(t.c.claimed_until < now)
                .order_by(t.c.created).limit(most))]  # fmt: skip
        if not ids:
            return []
        with write_transaction(self.engine) as connection:
            connection.execute(
                sa.update(t).where(t.c.id.in_(ids), t.c.claimed_until < now)
                .values(claim=token, claimed_until=now + LEASE_SECONDS)
            )  # fmt: skip
            rows = connection.execute(sa.select(t).where(t.c.claim == token)).all()
        held = [
            Notice(r.id, r.topic, r.entity_id, r.actor_id, float(r.created), token) for r in rows
        ]
        return sorted(held, key=lambda n: (n.created, n.id))

    def held(self, connection: Any, claimed: Sequence[Notice]) -> List[str]:
        """The ids of ``claimed`` still held by their claim (in the caller's write transaction:
        a notice another process took over after the lease ran out is theirs)."""
        t = self.table
        tokens = sorted({n.claim for n in claimed})
        ids = [n.id for n in claimed]
        found: List[str] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            query = sa.select(t.c.id).where(t.c.id.in_(part), t.c.claim.in_(tokens))
            found += [r[0] for r in connection.execute(query)]
        return found

    def done(self, connection: Any, ids: Sequence[str]) -> None:
        """Remove expanded notices (in the caller's transaction, with what they became)."""
        for start in range(0, len(ids), 500):
            connection.execute(
                sa.delete(self.table).where(self.table.c.id.in_(ids[start : start + 500]))
            )

    def waiting(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(self.table)).scalar() or 0
            )
