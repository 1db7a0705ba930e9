"""The review page (its first HTML), its items and its feedback of a 150-version session run the
statements a 15-version session's do, none reading a table whole, and the query grammar reads no
id of them: the session's objects, versions and assets are one join on its bound id
(``review.skeleton``), and a query ending in hundreds of ids is parsed once per shape
(``query.shapes``). Counts and plans only: no clock.

The sessions are built through the server's own ``/api`` (tests/web/test_big_session_build.py)
of its app in this process (``in_process.py``), so the test hears every statement and every
parse."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qs, urlparse

import pytest

pytest.importorskip("sqlalchemy")

from web.test_big_session_build import Media, build_session, widget_url

from ft_dcc.server.query import parser, shapes
from server.desk.heard import rows_and_scans, statements
from server.review.in_process import InProcessApi

#: versions of the small and the big session (3 to an asset: 5 and 50 groups, every one of them
#: on the first page of items)
SMALL, BIG = 15, 150
#: the tables a big session's rows are in (a whole scan of one is a read that grows)
TABLES = ("ft_review_session_object", "ft_asset_version", "ft_asset", "ft_note", "ft_component",
          "ft_metadata", "ft_context", "ft_review_session_object_status")  # fmt: skip


def _paths(api: InProcessApi, media: Media, versions: int) -> List[str]:
    built = build_session(api, media, versions)
    link = urlparse(widget_url(api, built.review_session_id, False))
    path, token = link.path.rstrip("/"), parse_qs(link.query)["token"][0]
    return [f"{path}?token={token}", f"{path}/items?token={token}&from=0",
            f"{path}/feedback?token={token}"]


@pytest.mark.slow
def test_a_big_sessions_items_cost_the_statements_of_a_small_one(
    room: Tuple[Any, Any, Media], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, server, media = room
    api = InProcessApi(client)
    parsed: List[str] = []  # what the grammar (lark) reads
    lark = parser._parser()

    class Counted:
        def parse(self, expression: str) -> Any:
            parsed.append(expression)
            return lark.parse(expression)

    monkeypatch.setattr(parser, "_parser", Counted)
    shapes._shape.cache_clear()
    sizes = {"small": _paths(api, media, SMALL), "big": _paths(api, media, BIG)}
    for path in sizes["small"]:  # the first time: each shape is parsed once
        assert client.get(path).status_code == 200
    heard: Dict[str, List[Tuple[int, int, int]]] = {}
    for size, paths in sizes.items():
        heard[size] = []
        for path in paths:
            assert client.get(path).status_code == 200  # what a link keeps a moment is kept
            parsed.clear()
            with statements(server.store.engine) as seen:
                reply = client.get(path)
            assert reply.status_code == 200, reply.text[:1000]
            ids = sum(e.count('", "') for e in parsed)  # ids the grammar read
            heard[size].append((len(seen), len(parsed), ids))
            if size == "big":  # and no statement reads a table whole
                assert rows_and_scans(server.store.engine, seen, TABLES)[1] == [], path
    assert heard["big"] == heard["small"], heard
    assert all(ids == 0 for _, _, ids in heard["big"]), heard
