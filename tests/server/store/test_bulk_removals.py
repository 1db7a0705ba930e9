"""A plain User's batch of deletes of review items costs a handful of statements, however many
items it holds: the run's rows, their creators and the owners of their session are read once,
then each delete is judged as alone (``store.removing``, ``rules.ownership``). On SQLite and
PostgreSQL, through the Store; statements counted, never timed."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

pytest.importorskip("sqlalchemy")

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.store.store import Store

from ..store_helpers import create, new_id, ref
from .test_bulk_creates import _asset, _project, counted

#: statements 50 deletes may cost beyond 5
SLACK = 4


def _deletes(items: List[str]) -> List[Dict[str, Any]]:
    return [{"action": "delete", "entity_type": "ReviewSessionObject", "entity_key": [item]}
            for item in items]  # fmt: skip


def _session(store: Store, admin: str, plain: str, asset: str, project: str, count: int
             ) -> List[str]:  # fmt: skip
    """``plain``'s new session of ``count`` items (hers); their ids."""
    session = new_id()
    store.execute([create("ReviewSession", session, name="s" + session[:6],
                          project=ref("Project", project))], plain)  # fmt: skip
    versions = [new_id() for _ in range(count)]
    store.execute([create("AssetVersion", v, asset=ref("Asset", asset)) for v in versions], admin)
    items = [create("ReviewSessionObject", new_id(), asset_version=ref("AssetVersion", v),
                    review_session=ref("ReviewSession", session), name="plate")
             for v in versions]  # fmt: skip
    store.execute(items, plain)
    return [item["entity_key"][0] for item in items]


def test_a_plain_users_fifty_deletes_cost_what_five_do(store: Store, user_id: str) -> None:
    plain, other = new_id(), new_id()
    store.execute([create("User", plain, username="plain" + plain[:6]),
                   create("User", other, username="other" + other[:6])], user_id)  # fmt: skip
    project = _project(store, user_id)
    asset = _asset(store, user_id, project)
    few = _session(store, user_id, plain, asset, project, 5)
    many = _session(store, user_id, plain, asset, project, 50)
    theirs = _session(store, user_id, other, asset, project, 5)

    with pytest.raises(ApiOperationError) as refused:  # one of someone else's: nothing written
        store.execute(_deletes(many[:20] + theirs[:1] + many[20:]), plain)
    assert refused.value.index == 20 and "only its owner" in refused.value.message
    assert len(store.query("select id from ReviewSessionObject")) == 60
    with counted(store) as small:
        store.execute(_deletes(few), plain)
    with counted(store) as big:
        replies = store.execute(_deletes(many), plain)

    assert replies == [{"action": "delete", "data": True}] * 50
    assert len(big) <= len(small) + SLACK, (len(small), len(big))
    assert sorted(r["id"] for r in store.query("select id from ReviewSessionObject")) == sorted(
        theirs)
