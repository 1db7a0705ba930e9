"""The presenter table's read-then-write under other writers of the same SQLite file.

Seen in a loaded test run: ``op=take`` answered 500 ("database is locked"). The change read the
row in a deferred transaction, another connection wrote meanwhile, and SQLite refuses to turn
such a stale reader into a writer at once, without waiting (its busy timeout does not apply).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, List, Optional

from ft_dcc.server.review.presenter.presenter_table import TABLE, table_for
from ft_dcc.server.store.store import Store


def test_a_change_holds_when_another_connection_writes_between_its_read_and_its_write(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ft_dcc.sqlite"
    store = Store(f"sqlite:///{path}")
    presenters = table_for(store)
    other = sqlite3.connect(str(path), timeout=0.5)  # another server process, say
    others: List[str] = []

    def change(old: Optional[Any]) -> Any:
        """Between the change's read and its write, the other connection tries to write."""
        try:
            other.execute(
                f"INSERT INTO {TABLE} (review_session_id, seq, updated) VALUES (?, 1, 0)", ("b",)
            )
            other.commit()
            others.append("written")
        except sqlite3.OperationalError as error:  # it waits for the change's transaction
            other.rollback()
            others.append(str(error))
        return {"lead_key": "u:1", "lead_name": "Ann", "page": "p1", "secret_hash": None}

    try:
        row = presenters.change("a", change)
        assert (row["seq"], row["lead_name"]) == (1, "Ann")
        assert presenters.read("a") is not None
        assert others == ["database is locked"]  # it was the one to wait, not the change
    finally:
        other.close()
        store.close()
