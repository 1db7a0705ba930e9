"""Per-person mail digests: the items waiting for each person (``ft_dcc_digest_item``), each
person's choice (``ft_dcc_mail_choice``: digests on or off, the desk's *Mail* page), and the
step that turns a person's waiting items into one letter.

A person's first waiting item opens their window (``FT_DCC_MAIL_DIGEST_SECONDS``, default 300);
when it has passed, every item waiting for them goes out in one letter (``digest`` templates of
``ft_dcc.server.mail``), queued on the server's mail queue in the same transaction that removes
the items: with several processes, one of them takes a person's items and queues their letter,
once. A person who turned digests off gets none: their items are dropped.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.model.database import one_statement
from ft_dcc.server.model.side_tables import SideTable, pg_insert
from ft_dcc.server.model.storage import write_transaction

ITEM_TABLE = "ft_dcc_digest_item"
CHOICE_TABLE = "ft_dcc_mail_choice"
#: the letter's templates (``ft_dcc/server/mail/templates/digest.*``)
LETTER = "digest"
#: the mail queue's topic of a person's digests
TOPIC = "digest:"
DEFAULT_WINDOW = 300.0
#: the most items one letter lists (the rest are counted: "and 12 more")
MOST_LISTED = 200


@dataclass(frozen=True)
class Item:
    """One line of a person's digest."""

    notice_id: str
    person_id: str
    created: float
    words: Dict[str, Any]


class DigestItems(SideTable):
    """The items waiting for their person's digest."""

    NAME = ITEM_TABLE
    KEY = {"notice_id": sa.String(32), "person_id": sa.String(255)}
    FIELDS = {"created": sa.Float, "words": sa.Text}
    INDEXED = ("person_id",)

    def add(self, connection: Connection, items: Sequence[Item]) -> None:
        """Write ``items`` (in the caller's transaction); an item already there stays."""
        if not items:
            return
        rows = [{"notice_id": i.notice_id, "person_id": i.person_id, "created": i.created,
                 "words": json.dumps(i.words)} for i in items]  # fmt: skip
        if connection.dialect.name == "postgresql":
            connection.execute(pg_insert(self.table).on_conflict_do_nothing(), rows)
        else:
            connection.execute(sa.insert(self.table).prefix_with("OR IGNORE"), rows)

    def due(self, window: float, now: Optional[float] = None) -> List[str]:
        """The people whose first waiting item is ``window`` seconds old."""
        now = time.time() if now is None else now
        t = self.table
        with one_statement(self.engine) as connection:
            rows = connection.execute(
                sa.select(t.c.person_id).group_by(t.c.person_id)
                .having(sa.func.min(t.c.created) <= now - window)
            )  # fmt: skip
            return [r[0] for r in rows]

    def next_due(self, window: float) -> Optional[float]:
        """When the next person's window ends (``None``: nothing waits)."""
        with one_statement(self.engine) as connection:
            first = connection.execute(sa.select(sa.func.min(self.table.c.created))).scalar()
        return None if first is None else float(first) + window

    def take(self, connection: Connection, person_id: str) -> List[Item]:
        """Every item waiting for ``person_id``, removed (in the caller's write transaction:
        another process taking them at once waits, then finds none)."""
        t = self.table
        rows = connection.execute(
            sa.select(t).where(t.c.person_id == person_id).order_by(t.c.created, t.c.notice_id)
        ).all()
        if rows:
            connection.execute(
                sa.delete(t).where(
                    t.c.person_id == person_id, t.c.notice_id.in_([r.notice_id for r in rows])
                )
            )
        return [Item(r.notice_id, r.person_id, float(r.created), json.loads(r.words)) for r in rows]


class MailChoices(SideTable):
    """Whether each person gets digests (no row: they do)."""

    NAME = CHOICE_TABLE
    KEY = {"user_id": sa.String(255)}
    FIELDS = {"digests": sa.Boolean, "changed": sa.Float}

    def wants(self, user_ids: Sequence[str], connection: Optional[Connection] = None
              ) -> Dict[str, bool]:  # fmt: skip
        """Whether each of ``user_ids`` gets digests."""
        found = {u: True for u in user_ids}
        if not found:
            return found
        query = sa.select(self.table.c.user_id, self.table.c.digests).where(
            self.table.c.user_id.in_(list(found))
        )
        if connection is not None:
            rows = connection.execute(query).all()
        else:
            with self.engine.connect() as own:
                rows = own.execute(query).all()
        found.update({r.user_id: bool(r.digests) for r in rows})
        return found

    def choose(self, user_id: str, digests: bool) -> None:
        """Set ``user_id``'s choice (theirs alone: the desk passes the signed-in person's id)."""
        t = self.table
        with write_transaction(self.engine) as connection:
            changed = connection.execute(
                sa.update(t)
                .where(t.c.user_id == user_id)
                .values(digests=digests, changed=time.time())
            ).rowcount
            if not changed:
                connection.execute(sa.insert(t).values(user_id=user_id, digests=digests,
                                                       changed=time.time()))  # fmt: skip


def letter_values(items: Sequence[Item], name: str) -> Tuple[Dict[str, Any], str]:
    """The digest letter's values for ``items`` (to ``name``) and its subject's count."""
    listed = [i.words for i in items[:MOST_LISTED]]
    versions = sorted({str(w.get("version") or "") for w in listed if w.get("version")})
    return {
        "name": name,
        "items": listed,
        "more": max(0, len(items) - MOST_LISTED),
        "count": len(items),
        "versions": versions,
    }, str(len(items))


def words_of(topic: str, by: str, version: str, text: str, frame: Optional[int],
             verdict: str, link: str, mentioned: bool) -> Mapping[str, Any]:  # fmt: skip
    """One item as the letter says it."""
    return {"topic": topic, "by": by, "version": version, "text": text, "frame": frame,
            "verdict": verdict, "link": link, "mentioned": mentioned}  # fmt: skip
