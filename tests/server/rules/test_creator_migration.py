"""The creator record of a database written before it existed: derived once, at migration time,
from ``ReviewSession.created_by_id``, ``AssetVersion.user_id`` and ``Note.user_id``; from then on
ownership follows the record, not those columns. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.database import INFO_TABLE
from ft_dcc.server.model.side_tables import CREATOR_TABLE
from ft_dcc.server.rules.permissions import ensure_role
from ft_dcc.server.store.creators import MIGRATED_KEY
from ft_dcc.server.store.store import Store

from ..store_helpers import create, delete, new_id, update


def _user(store: Store, name: str) -> str:
    ident = new_id()
    store.execute([create("User", ident, username=name)], "")
    with store.write_transaction() as connection:
        ensure_role(store, connection, ident, admin=False)
    return ident


def _forget_the_record(store: Store) -> None:
    """The database as an ft_dcc without the creator record left it."""
    with store.write_transaction() as connection:
        connection.execute(sa.delete(store.metadata.tables[CREATOR_TABLE]))
        info = store.metadata.tables[INFO_TABLE]
        connection.execute(sa.delete(info).where(info.c.key == MIGRATED_KEY))


def test_existing_rows_take_their_creator_from_the_legacy_columns(
    store: Store, user_id: str
) -> None:
    alice, bob = _user(store, "alice"), _user(store, "bob")
    session, project = new_id(), new_id()
    store.execute([create("Project", project, name="p" + project[:6], full_name="P"),
                   create("ReviewSession", session, name="old", project_id=project,
                          created_by_id=alice)], user_id)  # fmt: skip
    _forget_the_record(store)
    with pytest.raises(ApiOperationError, match="administrator"):
        store.execute([update("ReviewSession", [session], name="x")], alice)  # no record yet
    migrated = Store(store.database_url)  # the next start migrates, once
    try:
        with pytest.raises(ApiOperationError, match="only its owner"):
            migrated.execute([update("ReviewSession", [session], name="bob's")], bob)
        migrated.execute([update("ReviewSession", [session], name="alice's")], alice)
        with pytest.raises(ApiOperationError, match="cannot be changed after create"):
            migrated.execute([update("ReviewSession", [session], created_by_id=bob)], alice)
        migrated.execute([delete("ReviewSession", [session])], alice)
    finally:
        migrated.close()


def test_the_migration_runs_once(store: Store, user_id: str) -> None:
    alice = _user(store, "alice")
    session, project = new_id(), new_id()
    store.execute([create("Project", project, name="p" + project[:6], full_name="P")], user_id)
    again = Store(store.database_url)  # marked migrated by the first start: nothing derived now
    try:
        again.execute([create("ReviewSession", session, name="s", project_id=project,
                              created_by_id=alice)], user_id)  # fmt: skip
        with pytest.raises(ApiOperationError, match="only its owner"):
            again.execute([delete("ReviewSession", [session])], alice)  # the admin created it
    finally:
        again.close()
