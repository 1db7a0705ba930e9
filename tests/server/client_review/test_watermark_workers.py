"""A viewer's watermarked copy on PostgreSQL with 4 server workers: concurrent first views, each
on a connection of its own (any worker may answer it), encode once, and every worker serves the
parts of the copy one of them is making (its announced size and the bytes written so far).

The server holds each copy unfinished until the test releases it (``FT_DCC_TEST_WATERMARK_HOLD``:
the views all come while it is being made, no race with the encode)."""

from __future__ import annotations

import concurrent.futures
import hashlib
from pathlib import Path
from typing import Any, Iterator, List

import pytest
import requests
from support import genuine_sessions

from .gate_world import gate_server
from .media_world import MediaWorld, copy_made, whole_by_ranges

CHUNK = 4096
VIEWS = 12
NEW_CONNECTION = {"Connection": "close"}


@pytest.fixture(scope="module")
def world(pg_cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaWorld]:
    base = tmp_path_factory.mktemp("watermark-workers")
    url = pg_cluster.create_database("watermark", template=pg_cluster.template)
    hooks = {"FT_DCC_TEST_WATERMARK_HOLD": str(base / "release"), "FT_DCC_MEDIA_CHUNK": str(CHUNK)}
    with gate_server(base, "--database", url, "--workers", "4", **hooks) as server, \
            genuine_sessions(server, base / "cache") as make:  # fmt: skip
        made = MediaWorld(server, make(), base)
        made.set_setting("watermark", "true")
        yield made


def _folder(world: MediaWorld) -> Path:
    return Path(world.server.data_dir) / "files" / ".watermarks" / world.movie_id


def _names(world: MediaWorld, pattern: str) -> List[str]:
    folder = _folder(world)
    return sorted(p.name for p in folder.glob(pattern)) if folder.is_dir() else []


def test_first_views_on_four_workers_encode_once(world: MediaWorld) -> None:
    page = world.invitee("ann")

    def view(start: int) -> requests.Response:
        return requests.get(
            f"{page.base}/media/{world.movie_id}", params={"token": page.token},
            headers={"Range": f"bytes={start}-", **NEW_CONNECTION}, timeout=300,
        )  # fmt: skip

    starts = [CHUNK * (i % 3) for i in range(VIEWS)]  # first parts, and parts further on
    with concurrent.futures.ThreadPoolExecutor(VIEWS) as pool:
        replies = list(pool.map(view, starts))
    assert {r.status_code for r in replies} == {206}, [r.text[:100] for r in replies]
    totals = {r.headers["Content-Range"].rsplit("/", 1)[1] for r in replies}
    assert len(totals) == 1, totals
    for start in set(starts):  # each part the same bytes, whichever worker answered
        parts = {hashlib.sha256(r.content).digest() for r, s in zip(replies, starts) if s == start}
        assert len(parts) == 1, start
    assert _names(world, "[!.]*.mp4") == [], "the copy was whole before its parts were served"
    assert len(_names(world, "*.mp4.part")) == 1, "one copy being made"

    (Path(world.tmp) / "release").write_text("")
    received = whole_by_ranges(page, world.movie_id)
    copy = copy_made(_folder(world))  # its last part can come before its rename
    assert (_folder(world) / copy).read_bytes() == received and len(received) == int(totals.pop())
    for reply, start in zip(replies, starts):
        assert received[start : start + len(reply.content)] == reply.content
    made = (_folder(world) / "made.log").read_text().splitlines()
    assert made == [copy], made
