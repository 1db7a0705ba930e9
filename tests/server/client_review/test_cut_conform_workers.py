"""The cut's one movie on PostgreSQL with 4 server workers: concurrent first asks for the cut
(each on a connection of its own: any worker may answer it) build the movie once, in one of
them, and every worker then answers it ``ready`` and serves the same bytes."""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
from support import genuine_sessions
from support.trust import call
from support.waiting import wait_until

from ft_dcc.protocol.cut_timing import GROUP, SESSION_ROW

from .gate_world import gate_server
from .media_world import MediaWorld

ASKS = 12
NEW_CONNECTION = {"Connection": "close"}


@pytest.fixture(scope="module")
def world(pg_cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaWorld]:
    base = tmp_path_factory.mktemp("conform-workers")
    url = pg_cluster.create_database("conform", template=pg_cluster.template)
    with gate_server(base, "--database", url, "--workers", "4") as server, \
            genuine_sessions(server, base / "cache") as make:  # fmt: skip
        yield MediaWorld(server, make(), base)


def _cut(world: MediaWorld) -> None:
    """The session made a cut of its one item: frames 2..9 of its movie at 01:00:00:00."""
    object_id = str(world.dailies.objects[0]["id"])
    timing = {"event": 1, "source_in": "00:00:00:02", "source_out": "00:00:00:10",
              "record_in": "01:00:00:00", "record_out": "01:00:00:08"}  # fmt: skip
    own = {"name": "reel 1", "file": "reel.edl", "revision": 1, "rate": 24}
    operations: List[Dict[str, Any]] = [
        {
            "action": "create",
            "entity_type": "EntitySetting",
            "entity_data": {
                "parent_id": world.id,
                "parent_type": "ReviewSession",
                "group": GROUP,
                "name": name,
                "value": json.dumps(value),
            },
        }
        for name, value in ((SESSION_ROW, own), (object_id, timing))
    ]
    reply = call(world.server, operations)
    assert reply.status_code == 200, reply.text


def test_four_workers_build_the_cut_once_and_each_serves_it(world: MediaWorld) -> None:
    _cut(world)
    page = world.personal()

    def ask(_: int) -> requests.Response:
        return requests.get(f"{page.base}/cut", params={"token": page.token},
                            headers=NEW_CONNECTION, timeout=120)  # fmt: skip

    with concurrent.futures.ThreadPoolExecutor(ASKS) as pool:
        first = list(pool.map(ask, range(ASKS)))
    assert {r.status_code for r in first} == {200}, [r.text[:200] for r in first]
    assert {r.json()["conform"]["state"] for r in first} <= {"building", "ready"}

    def all_ready() -> bool:
        with concurrent.futures.ThreadPoolExecutor(ASKS) as pool:
            states = [r.json()["conform"]["state"] for r in pool.map(ask, range(ASKS))]
        return set(states) == {"ready"}

    wait_until(all_ready, "every worker says the cut's movie is ready", timeout=600)
    movie = first[0].json()["conform"].get("movie") or ask(0).json()["conform"]["movie"]
    ident = movie.split("/media/")[1].split("?")[0]

    def part(_: int) -> bytes:
        reply = requests.get(f"{page.base}/media/{ident}", params={"token": page.token},
                             headers={"Range": "bytes=0-4095", **NEW_CONNECTION},
                             timeout=120)  # fmt: skip
        assert reply.status_code == 206, reply.text[:200]
        return reply.content

    with concurrent.futures.ThreadPoolExecutor(ASKS) as pool:
        parts = {hashlib.sha256(p).digest() for p in pool.map(part, range(ASKS))}
    assert len(parts) == 1
    folders = list((Path(world.server.data_dir) / "files" / ".cuts").iterdir())
    assert len(folders) == 1
    assert sorted(p.name for p in folders[0].glob("*.mp4")) == [f"{ident}.mp4"]
    assert (folders[0] / "built.log").read_text().splitlines() == [ident]  # built once
