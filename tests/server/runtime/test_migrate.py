"""``ft-dcc server migrate``: SQLite data moved to PostgreSQL, read by the genuine client.

A real publish (movie, thumbnail, review session) on the SQLite server, a second user's API key,
then the migration, then the same data dir served from PostgreSQL: the genuine ``ftrack_api``
client logs in with the copied key and finds the version, its components, the review session and
the very same file bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from support import download_component, genuine_sessions, make_movie, make_task, open_session

from ft_dcc.cli import main
from ft_dcc.publish.common.manifest import ComponentSpec, IntegrateManifest
from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.publish.integrate.commit import integrate_manifest

pytest.importorskip("ftrack_api")
OTHER_USER, OTHER_KEY = "second.artist", "second-key-0c4f2a"


def _publish(server, tmp_path: Path):
    session = open_session(server, tmp_path / "publisher")
    task = resolve_task(session, None, make_task(session))
    movie = make_movie(tmp_path / "review.mp4", frames=3)
    manifest = IntegrateManifest(
        task_id=task["id"],
        asset_name="migrated",
        comment="before the move",
        components=[ComponentSpec(name="ftrackreview-mp4", file=str(movie), file_type=".mp4")],
        review_session_name="Dailies before the move",
    )
    return integrate_manifest(session, manifest, announce=False)


def test_data_published_on_sqlite_is_readable_after_migrate(
    fresh_server, pg_cluster, tmp_path, capsys
) -> None:
    published = _publish(fresh_server, tmp_path)
    movie_id = published.component_ids["ftrackreview-mp4"]
    before = download_component(fresh_server, movie_id, tmp_path / "before.mp4")
    sqlite_url = f"sqlite:///{fresh_server.data_dir / 'ft_dcc.sqlite'}"
    add = ["user", "add", OTHER_USER, "--api-key", OTHER_KEY, "--database", sqlite_url]
    assert main([*add, "--data", str(fresh_server.data_dir)]) == 0
    fresh_server.stop()

    target = pg_cluster.create_database("migrated")
    assert main(["server", "migrate", "--from", sqlite_url, "--to", target]) == 0
    printed = capsys.readouterr().out
    assert "row counts verified" in printed and "ft_asset_version: 1" in printed

    fresh_server.extra_args = ["--database", target]
    fresh_server.start()
    fresh_server.api_user, fresh_server.api_key = OTHER_USER, OTHER_KEY  # the copied key
    with genuine_sessions(fresh_server, tmp_path / "genuine") as make:
        genuine = make()
        version = genuine.get("AssetVersion", published.asset_version_id)
        assert version["comment"] == "before the move" and version["version"] == 1
        assert version["asset"]["name"] == "migrated"
        assert {c["name"] for c in version["components"]} >= {"ftrackreview-mp4"}
        objects = genuine.query(
            "select review_session.name from ReviewSessionObject "
            f'where version_id is "{published.asset_version_id}"'
        ).all()
        assert [o["review_session"]["name"] for o in objects] == ["Dailies before the move"]
    after = download_component(fresh_server, movie_id, tmp_path / "after.mp4")
    assert hashlib.md5(after.read_bytes()).digest() == hashlib.md5(before.read_bytes()).digest()


def test_migrate_refuses_a_destination_with_data(pg_cluster, tmp_path, capsys) -> None:
    source = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    target = pg_cluster.create_database("busy")
    assert main(["server", "migrate", "--from", source, "--to", target]) == 0
    capsys.readouterr()
    from ft_dcc.server.store.store import Store

    store = Store(target)
    user_id = store.ensure_seed("someone")
    schema = store.query("select id from ProjectSchema", user_id)[0]["id"]
    store.execute([{"action": "create", "entity_type": "Project", "entity_key": ["p1"],
                    "entity_data": {"__entity_type__": "Project", "id": "p1", "name": "p1",
                                    "full_name": "P1", "project_schema_id": schema}}],
                  user_id)  # fmt: skip
    store.close()

    assert main(["server", "migrate", "--from", source, "--to", target]) == 1
    err = capsys.readouterr().err
    assert "already holds data" in err and "nothing was copied" in err


def test_migrate_copies_many_to_many_links(pg_cluster, tmp_path, capsys) -> None:
    """Task ↔ Scope pairs live in a link table the API never shows: they move too; the
    destination has the planner's statistics (a store gathers them itself only for a database
    of a thousand contexts or more) and its tables vacuumed (their pages marked all-visible: an
    index that answers a page's keys is then read without the table's rows, where right after a
    bulk load every key read its row too, until autovacuum came by)."""
    from ft_dcc.server.model import statistics
    from ft_dcc.server.store.store import Store

    from ..store_helpers import create, new_id, ref

    source = f"sqlite:///{tmp_path / 'links.sqlite'}"
    store = Store(source)
    user_id = store.ensure_seed("someone")
    project, task, scope = new_id(), new_id(), new_id()
    store.execute(
        [
            create("Project", project, name="links", full_name="Links"),
            create("Scope", scope, name="hero"),
            create(
                "Task", task, name="comp", parent=ref("Project", project),
                scopes=[ref("Scope", scope)],
            ),
        ],
        user_id,
    )  # fmt: skip
    store.close()

    target = pg_cluster.create_database("links")
    assert main(["server", "migrate", "--from", source, "--to", target]) == 0
    assert "ft_link_context_scope: 1" in capsys.readouterr().out
    moved = Store(target)
    try:
        with moved.engine.connect() as connection:  # the planner's, gathered by the migration
            assert statistics.has_statistics(connection)
            vacuumed = connection.exec_driver_sql(
                "SELECT relname, last_vacuum IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname IN ('ft_context', 'ft_link_context_scope', 'ft_user')"
            ).fetchall()
        assert sorted(vacuumed) == [("ft_context", True), ("ft_link_context_scope", True),
                                    ("ft_user", True)], vacuumed  # fmt: skip
        found = moved.query('select scopes.name from Task where scopes.name is "hero"', user_id)
        assert [t["id"] for t in found] == [task]
        assert [s["name"] for s in found[0]["scopes"]] == ["hero"]
    finally:
        moved.close()
