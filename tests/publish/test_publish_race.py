"""The first publish of the day, raced: 16 publishers, one new asset, one new review session.

Each publisher has its own ``ft_dcc.Session`` and runs the whole integrate step (planned read,
uploads, one commit) against the real embedded server at the same moment. What they create in
common (the Asset, the ReviewSession) carries ids derived from its names, so the server keeps
one and refuses the other batches, whose publishers re-read and commit again; version numbers
and ``sort_order`` come from the server.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, List

from support import make_movie, make_task, open_session

from ft_dcc.publish.common.manifest import ComponentSpec, IntegrateManifest
from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.publish.integrate.commit import integrate_manifest

PUBLISHERS = 16


def _manifest(task_id: str, movie: Path, session_name: str, index: int) -> IntegrateManifest:
    return IntegrateManifest(
        task_id=task_id,
        asset_name="raced",
        comment=f"publisher {index}",
        components=[
            ComponentSpec(name="ftrackreview-mp4", file=str(movie), file_type=".mp4"),
            ComponentSpec(name="thumbnail", file=str(movie), file_type=".mp4"),
        ],
        thumbnail_component="thumbnail",
        review_session_name=session_name,
    )


def test_sixteen_racing_first_publishes_make_one_asset_and_one_session(
    server_on_each_backend, tmp_path: Path
) -> None:
    """On SQLite, then on PostgreSQL with 4 server processes."""
    embedded_server = server_on_each_backend
    setup = open_session(embedded_server, tmp_path / "setup")
    task = resolve_task(setup, None, make_task(setup))
    movie = make_movie(tmp_path / "review.mp4", frames=2)
    session_name = f"Race {tmp_path.name}"
    sessions = [open_session(embedded_server, tmp_path / f"s{i}") for i in range(PUBLISHERS)]
    mark = embedded_server.log_mark()
    start = threading.Barrier(PUBLISHERS)
    outcomes: List[Any] = [None] * PUBLISHERS

    def run(index: int) -> None:
        manifest = _manifest(task["id"], movie, session_name, index)
        start.wait()
        try:
            outcomes[index] = integrate_manifest(sessions[index], manifest, announce=False)
        except Exception as exc:  # reported below, with every other publisher's result
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PUBLISHERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    failures = [o for o in outcomes if not hasattr(o, "asset_version_id")]
    assert not failures, failures
    server_errors = [r for r in embedded_server.requests_since(mark) if r["status"] >= 500]
    assert not server_errors, server_errors

    where = f'context_id is "{task["parent_id"]}" and name is "raced"'
    assets = setup.query(f"select id from Asset where {where}").all()
    assert len(assets) == 1
    review_sessions = setup.query(
        f'select id from ReviewSession where name is "{session_name}"'
    ).all()
    assert len(review_sessions) == 1
    versions = setup.query(
        f'select version from AssetVersion where asset_id is "{assets[0]["id"]}"'
    ).all()
    assert sorted(v["version"] for v in versions) == list(range(1, PUBLISHERS + 1))
    objects = setup.query(
        "select sort_order, version, version_id from ReviewSessionObject "
        f'where review_session_id is "{review_sessions[0]["id"]}"'
    ).all()
    assert len({o["sort_order"] for o in objects}) == PUBLISHERS
    numbers = {v["id"]: v["version"] for v in versions}
    assert all(o["version"] == f"v{numbers[o['version_id']]:03d}" for o in objects), objects
