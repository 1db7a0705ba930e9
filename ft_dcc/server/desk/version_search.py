"""The desk's version search in SQL: a project's versions whose sequence, shot, task, status and
asset names hold what each filter says (case-insensitive, as a part), only the highest version of
each asset when asked ("the latest of each shot"), ordered by shot, asset and newest version
first, at most ``reads.SEARCH_LIMIT`` of them: one statement whatever the project holds, which
hands back only the rows it answers (it read the whole project and filtered in Python).

The rows are those ``reads.version_row`` makes of a query's nested projections, so the page
cannot tell the two apart. Every signed-in person reads every project (as their ``/api`` batch
would).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping

import sqlalchemy as sa

from ft_dcc.server.desk.reads import FILTERS, SEARCH_LIMIT, Row, iso
from ft_dcc.server.model.holders import holds
from ft_dcc.server.model.name_order import in_byte_order, in_name_order
from ft_dcc.server.store.store import Store

#: the filters on a version's own names (the others are its asset's, shot's and sequence's)
VERSION_FILTERS = ("task", "status")
#: the character that escapes ``%`` and ``_`` (and itself) in a filter's LIKE pattern
ESCAPE = "\\"


def _pattern(text: str) -> str:
    """``%text%`` for LIKE, lower-cased, with LIKE's own characters taken literally."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped.lower()}%"


class VersionSearch:
    """Searches of ``store``'s versions (one statement each)."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        self.dialect = store.engine.dialect.name
        self.versions = store.tables["AssetVersion"].alias("v")
        self.newest = store.tables["AssetVersion"].alias("newest")
        self.assets = store.tables["Asset"].alias("a")
        self.contexts = contexts = store.tables["Context"]
        self.shots = contexts.alias("shot")
        self.sequences = contexts.alias("seq")
        self.tasks = contexts.alias("task")
        self.statuses = store.tables["Status"].alias("st")

    def statement(self, project_id: str, filters: Mapping[str, str], latest: bool
                  ) -> sa.Select[Any]:  # fmt: skip
        """The search as one SELECT (see the module's doc)."""
        v, a, shot, seq, task, st = (self.versions, self.assets, self.shots, self.sequences,
                                     self.tasks, self.statuses)  # fmt: skip
        shot_name = sa.case((shot.c.context_type == "show", ""), else_=shot.c.name)
        names = {
            "sequence": sa.func.coalesce(seq.c.name, ""),
            "shot": sa.func.coalesce(shot_name, ""),
            "task": sa.func.coalesce(task.c.name, ""),
            "status": sa.func.coalesce(st.c.name, ""),
            "asset": sa.func.coalesce(a.c.name, ""),
        }
        texts = {name: (filters.get(name) or "").strip() for name in FILTERS}
        # what a filter's part is looked for in: a name column itself (no part matches a
        # missing name), so that a context's name is tested in an index, before its row is read
        matched = {"sequence": seq.c.name, "shot": shot.c.name, "task": task.c.name,
                   "status": st.c.name, "asset": a.c.name}  # fmt: skip
        # a row a filter names must be there for it to match (no name matches a part), so its
        # join is an inner one: the planner may then read the project's matching sequences
        # first, and a version's status or task before the rest
        seq_on, task_on, st_on = (seq.c.id == shot.c.parent_id, task.c.id == v.c.task_id,
                                  st.c.id == v.c.status_id)  # fmt: skip
        joined = v.join(a, a.c.id == v.c.asset_id).join(shot, shot.c.id == a.c.context_id)
        joined = joined.join(seq, seq_on) if texts["sequence"] else joined.outerjoin(seq, seq_on)
        joined = joined.join(task, task_on) if texts["task"] else joined.outerjoin(task, task_on)
        joined = joined.join(st, st_on) if texts["status"] else joined.outerjoin(st, st_on)
        # the project's contexts through their project's index (and the project itself)
        in_project = (shot.c.project_id == project_id) | (shot.c.id == project_id)
        wanted: List[sa.ColumnElement[bool]] = []
        if texts["sequence"]:  # a shot's sequence is of its project: read in its index
            wanted.append((seq.c.project_id == project_id) | (seq.c.id == project_id))
        for name in FILTERS:
            if texts[name]:
                wanted.append(sa.func.lower(matched[name]).like(_pattern(texts[name]),
                                                                escape=ESCAPE))  # fmt: skip
        if texts["shot"]:  # a project's own assets have no shot name
            wanted.append(shot.c.context_type != "show")
        columns = [
            v.c.id.label("version_id"), v.c.version.label("number"), v.c.date.label("date"),
            names["asset"].label("asset"), a.c.id.label("asset_id"),
            names["shot"].label("shot"), shot.c.id.label("shot_id"),
            names["sequence"].label("sequence"), names["task"].label("task"),
            names["status"].label("status"),
        ]  # fmt: skip
        if latest and not any(texts[name] for name in VERSION_FILTERS):
            return self._latest_of_assets(project_id, names, wanted)
        wanted.append(in_project)
        if latest:  # the highest of each asset's versions that match
            place = sa.func.row_number().over(partition_by=v.c.asset_id,
                                              order_by=v.c.version.desc())  # fmt: skip
            found = sa.select(*columns, place.label("place")).select_from(joined)
            ranked = found.where(*wanted).subquery("ranked")
            picked = [ranked.c[c.name] for c in columns]
            return (
                sa.select(*picked)
                .where(ranked.c.place == 1)
                .order_by(ranked.c.shot, ranked.c.asset, ranked.c.number.desc())
                .limit(SEARCH_LIMIT)
            )
        return (
            sa.select(*columns)
            .select_from(joined)
            .where(*wanted)
            .order_by(names["shot"], names["asset"], v.c.version.desc())
            .limit(SEARCH_LIMIT)
        )

    def _latest_of_assets(self, project_id: str, names: Mapping[str, Any],
                          wanted: List[sa.ColumnElement[bool]]) -> sa.Select[Any]:  # fmt: skip
        """The latest of each asset when no filter is a version's: the project's assets that
        match, in the page's order and cut at its limit, each joined to its highest version
        (read in the asset's index of version numbers), not every version of the project
        ranked. The assets are read in two parts, each in the page's order and cut at the
        limit: the project's own (no shot name: first) and its contexts' (only those that hold
        assets, through the index of their project and names: ``model.holders``, never its
        tasks; each context's through its index of asset names), so the read stops at the
        limit, whatever the project holds."""
        v, a, shot, seq, task, st = (self.versions, self.assets, self.shots, self.sequences,
                                     self.tasks, self.statuses)  # fmt: skip
        newest = self.newest
        top = sa.select(sa.func.max(newest.c.version)).where(newest.c.asset_id == a.c.id)
        highest = top.scalar_subquery()
        assets = a.join(shot, shot.c.id == a.c.context_id).outerjoin(
            seq, seq.c.id == shot.c.parent_id)

        def part(where: sa.ColumnElement[bool], *order: Any) -> sa.Select[Any]:
            return (
                sa.select(a.c.id.label("asset_id"), names["asset"].label("asset"),
                          names["shot"].label("shot"), shot.c.id.label("shot_id"),
                          names["sequence"].label("sequence"), highest.label("top"))
                .select_from(assets)
                .where(where, *wanted, highest.isnot(None))  # an asset with no version: none
                .order_by(*order)
                .limit(SEARCH_LIMIT)
            )  # fmt: skip

        # in byte order on both backends (as the page sorts them), the contexts through the
        # index of their project and name (model.name_order)
        asset_order = in_byte_order(a.c.name, self.dialect)
        own = part(shot.c.id == project_id, asset_order).subquery("own")
        theirs = part((shot.c.project_id == project_id) & holds(shot),
                      *in_name_order(shot.c.name, self.dialect), asset_order).subquery("theirs")
        both = sa.union_all(sa.select(own), sa.select(theirs)).subquery("both")
        picked = (
            sa.select(both).order_by(in_byte_order(both.c.shot, self.dialect),
                                     in_byte_order(both.c.asset, self.dialect))
            .limit(SEARCH_LIMIT)
        ).subquery("picked")  # fmt: skip
        joined = (
            picked.join(v, (v.c.asset_id == picked.c.asset_id) & (v.c.version == picked.c.top))
            .outerjoin(task, task.c.id == v.c.task_id)
            .outerjoin(st, st.c.id == v.c.status_id)
        )
        return sa.select(
            v.c.id.label("version_id"), v.c.version.label("number"), v.c.date.label("date"),
            picked.c.asset, picked.c.asset_id, picked.c.shot, picked.c.shot_id,
            picked.c.sequence, sa.func.coalesce(task.c.name, "").label("task"),
            sa.func.coalesce(st.c.name, "").label("status"),
        ).select_from(joined)  # fmt: skip

    def search(self, project_id: str, filters: Mapping[str, str], latest: bool) -> List[Row]:
        """The versions found, as ``reads.version_row`` makes them."""
        with self.engine.connect() as connection:
            rows = connection.execute(self.statement(project_id, filters, latest)).mappings()
            found: List[Dict[str, Any]] = [dict(row) for row in rows]
        for row in found:
            row["date"] = iso(row["date"])
        found.sort(key=lambda r: (r["shot"], r["asset"], -(r["number"] or 0)))
        return found
