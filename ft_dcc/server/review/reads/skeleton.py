"""A review session's skeleton in one statement: its objects with their versions and assets (what
the review page groups and counts its items by, read again for each page of them).

Three ``/api`` queries answered it, the second and third with the session's hundreds of ids in
their text; here it is one join on the session's id, bound, its rows shaped as those queries
answer them (``ReviewData.Skeleton``). Every studio reader may read every session's objects (as
their ``/api`` batch would); what a reader is shown of them is ``ReviewData``'s to decide.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import sqlalchemy as sa

from ft_dcc.server.store.store import Store

#: ``ReviewData.Skeleton``: the objects, their versions and assets by id
Skeleton = Tuple[List[Dict[str, Any]], Dict[str, Dict[str, Any]], Dict[str, Dict[str, Any]]]

OBJECT_COLUMNS = ("id", "name", "description", "version", "version_id", "sort_order")
VERSION_COLUMNS = ("id", "version", "comment", "date", "user_id", "asset_id", "thumbnail_id")
ASSET_COLUMNS = ("id", "name", "context_id")


class SessionSkeleton:
    """``SessionSkeleton(store)(review_session_id)``: the session's :data:`Skeleton`."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        objects = store.tables["ReviewSessionObject"]
        versions = store.tables["AssetVersion"]
        assets = store.tables["Asset"]
        columns = [objects.c[n].label(f"o_{n}") for n in OBJECT_COLUMNS]
        columns += [versions.c[n].label(f"v_{n}") for n in VERSION_COLUMNS]
        columns += [assets.c[n].label(f"a_{n}") for n in ASSET_COLUMNS]
        self.statement = (
            sa.select(*columns)
            .select_from(
                objects.outerjoin(versions, versions.c.id == objects.c.version_id).outerjoin(
                    assets, assets.c.id == versions.c.asset_id
                )
            )
            .where(objects.c.review_session_id == sa.bindparam("review_session_id"))
        )

    def __call__(self, review_session_id: str) -> Skeleton:
        with self.engine.connect() as connection:
            rows = connection.execute(self.statement, {"review_session_id": review_session_id})
            found = [dict(row) for row in rows.mappings()]
        objects = [{n: row[f"o_{n}"] for n in OBJECT_COLUMNS} for row in found]
        versions: Dict[str, Dict[str, Any]] = {}
        assets: Dict[str, Dict[str, Any]] = {}
        for row in found:
            if row["v_id"] is not None:
                versions[row["v_id"]] = {n: row[f"v_{n}"] for n in VERSION_COLUMNS}
            if row["a_id"] is not None:
                assets[row["a_id"]] = {n: row[f"a_{n}"] for n in ASSET_COLUMNS}
        return objects, versions, assets
