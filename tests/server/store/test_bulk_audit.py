"""A batch's review-trail entries are written together: an import of 200 review sessions adds
its 200 ``session.created`` entries in the statements of an import of 20 (one transaction, not a
transaction and three statements per entry), each chained to the one before it. SQLite and
PostgreSQL; statements counted, never timed."""

from __future__ import annotations

from typing import List

from ft_dcc.server.audit import audit_table, entries, record_changes, verify
from ft_dcc.server.store.store import Store

from ..store_helpers import create, new_id
from .test_bulk_creates import _project, counted


def _import_sessions(store: Store, user_id: str, count: int) -> List[str]:
    """The statements of the audit entries of a batch creating ``count`` review sessions."""
    project = _project(store, user_id)
    result = store.run([create("ReviewSession", new_id(), name=f"dailies {n}", project_id=project)
                        for n in range(count)], user_id)  # fmt: skip
    with counted(store) as seen:
        record_changes(store, result.changes, user_id)
    return seen


def test_a_batchs_trail_entries_cost_the_same_statements_at_ten_times_the_sessions(
    store: Store, user_id: str
) -> None:
    audit_table(store)
    _import_sessions(store, user_id, 2)  # the table's first use (PostgreSQL reflects it)
    small = _import_sessions(store, user_id, 20)
    big = _import_sessions(store, user_id, 200)
    assert len(big) == len(small) <= 6, (small, big)
    table = audit_table(store)
    with store.engine.connect() as connection:
        rows = connection.execute(table.select()).fetchall()
    assert len(rows) == 222
    for session in {row.review_session_id for row in rows}:  # each chained in its session
        assert verify(entries(store, session))["ok"], session
