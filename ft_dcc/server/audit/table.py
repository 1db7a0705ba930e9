"""The audit table ``ft_dcc_audit`` and the one way to add to it.

Appends are serialised in every server process: the entry's ``seq`` and its ``prev_hash`` (the
hash of the session's entry before it) are read and the entry written inside one write
transaction (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the shared write lock), so workers
appending at once still make one valid chain per session. Nothing updates or deletes a row.
"""

from __future__ import annotations

import datetime as dt
from typing import Dict, Iterator, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.audit.entry import GENESIS, Entry, detail_of, detail_text, entry_hash
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.model.side_tables import side_table
from ft_dcc.server.model.storage import write_transaction

TABLE = "ft_dcc_audit"


def audit_table(store: StoreParts) -> sa.Table:
    """The audit table of ``store`` (created in its database the first time)."""
    defined = store.metadata.tables.get(TABLE)
    if defined is not None:
        return defined
    return side_table(
        store.engine,
        store.metadata,
        TABLE,
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("time", sa.String(40), nullable=False),
        sa.Column("act", sa.String(40), nullable=False),
        sa.Column("who", sa.String(300), nullable=False),
        sa.Column("review_session_id", sa.String(64), nullable=True, index=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


def now_text() -> str:
    """Now, UTC, ISO-8601 to the microsecond."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def since_text(value: str) -> str:
    """``value`` (an ISO-8601 date or time; no zone: UTC) as the trail's time text, or
    ``ValueError``."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def _session_of(fields: Dict[str, object]) -> Optional[str]:
    session = fields.get("review_session_id")
    return None if session is None else str(session)


def _session_is(table: sa.Table, review_session_id: Optional[str]) -> sa.ColumnElement[bool]:
    column = table.c.review_session_id
    return column.is_(None) if review_session_id is None else column == review_session_id


def _head(connection: Connection, table: sa.Table, review_session_id: Optional[str]) -> str:
    found = connection.execute(
        sa.select(table.c.hash)
        .where(_session_is(table, review_session_id))
        .order_by(table.c.seq.desc())
        .limit(1)
    ).first()
    return str(found[0]) if found is not None else GENESIS


#: sessions whose heads are read in one statement
HEADS_PER_STATEMENT = 500


def _heads(connection: Connection, table: sa.Table, sessions: Sequence[Optional[str]]
           ) -> Dict[Optional[str], str]:  # fmt: skip
    """The head of each of ``sessions``' chains (:func:`_head`), a statement per
    :data:`HEADS_PER_STATEMENT` sessions: an import of 400 sessions reads 400 heads at once."""
    heads: Dict[Optional[str], str] = {session: GENESIS for session in sessions}
    if None in heads:
        heads[None] = _head(connection, table, None)
    named = sorted(session for session in heads if session is not None)
    for start in range(0, len(named), HEADS_PER_STATEMENT):
        some = named[start : start + HEADS_PER_STATEMENT]
        last = (
            sa.select(sa.func.max(table.c.seq).label("seq"))
            .where(table.c.review_session_id.in_(some))
            .group_by(table.c.review_session_id)
        ).subquery("last")
        found = sa.select(table.c.review_session_id, table.c.hash).join(
            last, table.c.seq == last.c.seq)
        heads.update((str(session), str(hashed)) for session, hashed in connection.execute(found))
    return heads


def append(store: StoreParts, fields: Dict[str, object]) -> Entry:
    """Add one entry (``fields`` without ``seq``, ``prev_hash``, ``hash``, ``detail`` as a
    dict already scrubbed); the entry as stored."""
    table = audit_table(store)
    session = fields.get("review_session_id")
    session_id = None if session is None else str(session)
    with write_transaction(store.engine) as connection:
        last = connection.execute(sa.select(sa.func.max(table.c.seq))).scalar()
        entry = dict(fields, seq=int(last or 0) + 1, prev_hash=_head(connection, table, session_id))
        entry["hash"] = entry_hash(entry)
        row = dict(entry, detail=detail_text(entry["detail"]))  # type: ignore[arg-type]
        connection.execute(sa.insert(table).values(**row))
    return entry  # type: ignore[return-value]


def append_all(store: StoreParts, many: Sequence[Dict[str, object]]) -> None:
    """:func:`append` for several entries, in order, in one transaction (each chained to the
    one before it in its session)."""
    if not many:
        return
    table = audit_table(store)
    with write_transaction(store.engine) as connection:
        last = int(connection.execute(sa.select(sa.func.max(table.c.seq))).scalar() or 0)
        sessions = [_session_of(fields) for fields in many]
        heads = _heads(connection, table, list(dict.fromkeys(sessions)))
        rows = []
        for fields, session_id in zip(many, sessions):
            last += 1
            entry = dict(fields, seq=last, prev_hash=heads[session_id])
            entry["hash"] = heads[session_id] = entry_hash(entry)
            rows.append(dict(entry, detail=detail_text(entry["detail"])))  # type: ignore[arg-type]
        connection.execute(sa.insert(table), rows)


def entries(
    store: StoreParts,
    review_session_id: Optional[str],
    since: Optional[str] = None,
    after: int = 0,
    limit: Optional[int] = None,
) -> Iterator[Entry]:
    """The session's entries in order: ``since`` (:func:`since_text`) at or after that time,
    ``after`` a ``seq``, at most ``limit``."""
    table = audit_table(store)
    select = sa.select(table).where(_session_is(table, review_session_id)).order_by(table.c.seq)
    if since:
        select = select.where(table.c.time >= since)
    if after:
        select = select.where(table.c.seq > after)
    if limit is not None:
        select = select.limit(limit)
    with store.engine.connect() as connection:
        for row in connection.execute(select).mappings():
            yield _entry(row)


def _entry(row: sa.RowMapping) -> Entry:
    return Entry(
        seq=int(row["seq"]),
        time=str(row["time"]),
        act=str(row["act"]),
        who=str(row["who"]),
        review_session_id=row["review_session_id"],
        source=str(row["source"]),
        detail=detail_of(row["detail"]),
        prev_hash=str(row["prev_hash"]),
        hash=str(row["hash"]),
    )
