"""The review sessions the desk lists, read in SQL a bounded page at a time.

A studio's year holds thousands of review sessions; the desk's home shows each project's open
sessions (the newest :data:`HOME_OPEN` without an end date, and the :data:`HOME_OPEN` with an end
to come that end last) and its most recent ones (:data:`HOME_RECENT`) with the project's total
(counted up to :data:`HOME_COUNTED`: "more than" beyond), and a project's list comes
:data:`PAGE` sessions at a time, newest first, with its whole total. Each read is a fixed number
of statements whatever the studio holds, and each reads its rows through the ``ORDERED_INDEXES``
of ``ft_review_session`` (``model.storage``) in the order it lists them: the rows it answers,
not every session of the project.

Every signed-in person reads every project's sessions (as their ``/api`` batch would).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterable, List, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.desk.reads import Row, ordered_sessions
from ft_dcc.server.store.store import Store

#: open sessions (no end date, or one to come) each project shows on the desk's home
HOME_OPEN = 10
#: most recent sessions (open or not) each project shows on the desk's home besides
HOME_RECENT = 5
#: the most sessions of each project the home counts (more: "more than" that many; the project's
#: own page counts them all)
HOME_COUNTED = 500
#: sessions a page of a project's list holds, and the most one page may ask for
PAGE = 50
MOST_PAGE = 200
#: projects read in one statement (each is three bounded reads of a compound SELECT)
PROJECTS_AT_ONCE = 50
_COLUMNS = (
    "id", "name", "description", "start_date", "end_date", "project_id", "created_at",
    "created_by_id", "shareable_url_enabled", "passphrase_enabled",
)  # fmt: skip


def _naive_utc(now: dt.datetime) -> dt.datetime:
    """``now`` as the store keeps dates (UTC, no zone)."""
    return now.astimezone(dt.timezone.utc).replace(tzinfo=None) if now.tzinfo else now


def _chunks(ids: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class SessionLists:
    """Bounded reads of the review sessions of ``store``'s projects."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        self.table = store.tables["ReviewSession"]
        self._statements: Dict[int, sa.Select[Any]] = {}

    def _newest(self, where: sa.ColumnElement[bool], limit: int,
                ending: bool = False) -> sa.Select[Any]:  # fmt: skip
        """The sessions ``where`` picks, newest first (``ending``: those ending last first, the
        order of the index of project and end date that finds them), the first ``limit``."""
        table = self.table
        columns = [table.c[name] for name in _COLUMNS]
        order = [table.c.end_date.desc()] if ending else []
        return (
            sa.select(*columns)
            .where(where)
            .order_by(*order, table.c.created_at.desc(), table.c.id.desc())
            .limit(limit)
        )

    def _home_statement(self, count: int) -> sa.Select[Any]:
        """One compound SELECT of ``count`` projects (bound ``p0``, ``p1``…, and ``now``): per
        project, its newest open sessions without an end date, those with an end to come that
        end last, and its newest sessions, each an ordered index range cut at its bound (the
        sessions with an end to come are read in the order of the index that finds them:
        ordered by their date made, a planner with statistics walked every session of the
        project, newest first, for the few still open). Built once per ``count`` and kept (its
        Python, not the database, was most of the home's cost)."""
        kept = self._statements.get(count)
        if kept is not None:
            return kept
        table = self.table
        now = sa.bindparam("now", type_=table.c.end_date.type)
        parts = []
        for n in range(count):
            mine = table.c.project_id == sa.bindparam(f"p{n}", type_=table.c.project_id.type)
            parts += [
                self._newest(mine & table.c.end_date.is_(None), HOME_OPEN),
                self._newest(mine & (table.c.end_date > now), HOME_OPEN, ending=True),
                self._newest(mine, HOME_RECENT),
            ]
        bounded = [sa.select(part.subquery()) for part in parts]
        built = sa.union_all(*bounded) if len(bounded) > 1 else bounded[0]
        self._statements[count] = built  # type: ignore[assignment]
        return built  # type: ignore[return-value]

    def _counted_statement(self, count: int) -> sa.Select[Any]:
        """How many sessions each of ``count`` projects (bound ``p0``, ``p1``…) holds, counted
        up to one more than :data:`HOME_COUNTED` in the project id's index; rows ``(n,
        counted)``. Built once per ``count`` and kept."""
        key = -count
        kept = self._statements.get(key)
        if kept is not None:
            return kept
        table = self.table
        parts = []
        for n in range(count):
            mine = table.c.project_id == sa.bindparam(f"p{n}", type_=table.c.project_id.type)
            some = sa.select(table.c.id).where(mine).limit(HOME_COUNTED + 1).subquery()
            parts.append(sa.select(sa.literal(n).label("n"), sa.func.count().label("counted"))
                         .select_from(some))  # fmt: skip
        built = sa.union_all(*parts) if len(parts) > 1 else parts[0]
        self._statements[key] = built  # type: ignore[assignment]
        return built  # type: ignore[return-value]

    def totals(self, connection: Connection, project_ids: Sequence[str]) -> Dict[str, int]:
        """How many sessions each project holds (counted in the project id's index)."""
        table = self.table
        found: Dict[str, int] = {}
        for some in _chunks(project_ids, 500):
            rows = connection.execute(
                sa.select(table.c.project_id, sa.func.count())
                .where(table.c.project_id.in_(list(some)))
                .group_by(table.c.project_id)
            )
            found.update({str(project): int(count) for project, count in rows})
        return found

    def home(self, project_ids: Iterable[str], now: Optional[dt.datetime] = None
             ) -> Dict[str, Row]:  # fmt: skip
        """Per project id: ``{"sessions": its open and recent sessions as the desk orders
        them, "total": how many it holds (at most :data:`HOME_COUNTED`), "more": whether it
        holds more than that}``."""
        now = now or dt.datetime.now(dt.timezone.utc)
        ids = sorted({str(i) for i in project_ids if i})
        found: Dict[str, Row] = {i: {"sessions": [], "total": 0, "more": False} for i in ids}
        if not ids:
            return found
        rows: Dict[str, List[Row]] = {i: [] for i in ids}
        totals: Dict[str, int] = {}
        with self.engine.connect() as connection:
            for some in _chunks(ids, PROJECTS_AT_ONCE):
                values: Dict[str, Any] = {f"p{n}": ident for n, ident in enumerate(some)}
                statement = self._home_statement(len(some))
                read = connection.execute(statement, dict(values, now=_naive_utc(now)))
                for row in read.mappings():
                    rows[str(row["project_id"])].append(dict(row))
                counted = connection.execute(self._counted_statement(len(some)), values)
                totals.update({some[int(n)]: int(c) for n, c in counted})
        for project_id in ids:
            unique = {str(r["id"]): r for r in rows[project_id]}
            total = totals.get(project_id, 0)
            found[project_id] = {
                "sessions": ordered_sessions(list(unique.values()), now),
                "total": min(total, HOME_COUNTED),
                "more": total > HOME_COUNTED,
            }
        return found

    def page(self, project_id: str, offset: int = 0, limit: int = PAGE,
             now: Optional[dt.datetime] = None) -> Row:  # fmt: skip
        """One page of a project's sessions, newest first (the page's own sessions ordered as
        the desk lists them: open first, today's on top): ``{"sessions", "total", "offset",
        "next"}`` (``next``: the next page's offset, ``None`` after the last)."""
        now = now or dt.datetime.now(dt.timezone.utc)
        offset = max(0, int(offset))
        limit = max(1, min(int(limit), MOST_PAGE))
        table = self.table
        with self.engine.connect() as connection:
            read = connection.execute(
                self._newest(table.c.project_id == project_id, limit).offset(offset)
            )
            rows = [dict(row) for row in read.mappings()]
            total = self.totals(connection, [project_id]).get(project_id, 0)
        following = offset + len(rows)
        return {
            "sessions": ordered_sessions(rows, now),
            "total": total,
            "offset": offset,
            "next": following if following < total and len(rows) == limit else None,
        }
