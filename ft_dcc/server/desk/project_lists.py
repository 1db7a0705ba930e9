"""The projects the desk's home lists, a bounded page at a time, with their total.

A studio's year holds dozens of projects; the home shows :data:`HOME_PROJECTS` of them (open
projects before closed ones, those the person manages the reviews of first, then the most
recently active: the newest review session made in each), the next ones on demand, and finds a
project by a part of its name or full name. One page is two statements whatever the studio holds
(the page's rows, the total): the projects are read through the index of the context type, and
each one's newest session is one step into ``ft_review_session``'s index of project and date
(``model.storage.ORDERED_INDEXES``), never a read of its sessions.

Every signed-in person reads every project (as their ``/api`` batch would: the store's rules
refuse no read of a Project), so the total counts what the person may see.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Set

import sqlalchemy as sa

from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.rules.review_rights import OPEN_STATUS
from ft_dcc.server.store.store import Store

LOG = logging.getLogger(__name__)
#: projects one page of the home shows (each with its open and recent sessions)
HOME_PROJECTS = 5
#: the most projects one page may ask for
MOST_PROJECTS = 50
#: the longest part of a name the finder looks for
MOST_FIND = 100
Row = Dict[str, Any]


def _pattern(text: str) -> str:
    """``text`` as a LIKE pattern of any name holding it (``%``, ``_`` and ``\\`` taken as
    themselves), lower case."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ProjectLists:
    """Bounded reads of ``store``'s projects."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        self.contexts = store.tables["Context"]
        self.sessions = store.tables["ReviewSession"]

    def _where(self, find: str) -> sa.ColumnElement[bool]:
        table = self.contexts
        where = table.c[DISCRIMINATOR] == "Project"
        if find:
            pattern = _pattern(find)
            named = [sa.func.lower(sa.func.coalesce(table.c[c], "")).like(pattern, escape="\\")
                     for c in ("name", "full_name")]  # fmt: skip
            where = where & sa.or_(*named)
        return where

    def _page(self, find: str, managed: Optional[Set[str]]) -> sa.Select[Any]:
        """The projects in the home's order (``managed``: the ids of those whose reviews the
        person manages, None for all of them)."""
        table, sessions = self.contexts, self.sessions
        newest = (
            sa.select(sessions.c.created_at)
            .where(sessions.c.project_id == table.c.id)
            .order_by(sessions.c.created_at.desc())
            .limit(1)
            .scalar_subquery()
            .label("active_at")
        )
        closed = sa.case((table.c.status.is_(None), 0), (table.c.status == OPEN_STATUS, 0),
                         else_=1)  # fmt: skip
        order: List[Any] = [closed]
        if managed:
            order.append(sa.case((table.c.id.in_(sorted(managed)), 0), else_=1))
        named = sa.func.lower(sa.func.coalesce(table.c.full_name, table.c.name, ""))
        order += [newest.desc().nulls_last(), named, table.c.id]
        columns = [table.c[c] for c in ("id", "name", "full_name", "status")]
        return sa.select(*columns, newest).where(self._where(find)).order_by(*order)

    def page(self, managed: Optional[Set[str]], offset: int = 0, limit: int = HOME_PROJECTS,
             find: str = "") -> Row:  # fmt: skip
        """One page of the projects: ``{"projects": rows (id, name, full_name, status,
        active_at), "total", "offset", "limit", "next", "previous", "find"}`` (``next`` /
        ``previous``: those pages' offsets, ``None`` at either end)."""
        offset = max(0, int(offset))
        limit = max(1, min(int(limit), MOST_PROJECTS))
        find = find.strip()[:MOST_FIND]
        with self.engine.connect() as connection:
            read = connection.execute(self._page(find, managed).limit(limit).offset(offset))
            rows = [dict(row) for row in read.mappings()]
            total = int(connection.execute(
                sa.select(sa.func.count()).select_from(self.contexts).where(self._where(find))
            ).scalar_one())  # fmt: skip
        following = offset + len(rows)
        LOG.debug("desk home: projects %d-%d of %d (find %r)", offset, following, total, find)
        return {
            "projects": rows,
            "total": total,
            "offset": offset,
            "limit": limit,
            "next": following if following < total and len(rows) == limit else None,
            "previous": max(0, offset - limit) if offset else None,
            "find": find,
        }
