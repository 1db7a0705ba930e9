"""``GET /review/<id>/cut`` (the Play cut route) runs the statements it needs for the session's
own cut, not for the studio around it: a 10-shot cut session runs the same statements, returning
the same rows, after the studio grew by many unrelated sessions, versions and notes, and a 60-shot
cut session runs no more statements than the 10-shot one (its rows grow with its own items only).
Counts only: no clock.

The sessions are built through the server's own ``/api`` of its app in this process
(``in_process.py``), their cut rows as ``ft-dcc review create --from-cut`` writes them
(:mod:`ft_dcc.protocol.cut_timing`)."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qs, urlparse

import pytest

pytest.importorskip("sqlalchemy")

from web.test_big_session_build import Built, Media, build_session, widget_url

from ft_dcc.protocol.cut_timing import GROUP, SESSION_ROW, timecode
from server.desk.heard import rows_and_scans, statements
from server.review.in_process import InProcessApi

RATE = 24.0
#: the tables the studio's unrelated rows are in (a whole scan of one grows with the studio)
TABLES = ("ft_review_session_object", "ft_asset_version", "ft_asset", "ft_note", "ft_component",
          "ft_metadata", "ft_entity_setting", "ft_review_session")  # fmt: skip


def _setting(session_id: str, name: str, value: Dict[str, Any]) -> Dict[str, Any]:
    return {"action": "create", "entity_type": "EntitySetting",
            "entity_key": [session_id, GROUP, name],
            "entity_data": {"__entity_type__": "EntitySetting", "parent_id": session_id,
                            "parent_type": "ReviewSession", "group": GROUP, "name": name,
                            "value": json.dumps(value)}}  # fmt: skip


def cut_session(api: InProcessApi, media: Media, shots: int) -> Tuple[Built, str]:
    """A session of ``shots`` versions made as from a cut (each item 12 frames of its shot, end
    to end from 01:00:00:00), and the path of its cut route (its owner's own link: the cut is
    the studio's)."""
    built = build_session(api, media, shots, notes=1)
    start = 3600 * int(RATE)
    rows = [_setting(built.review_session_id, SESSION_ROW,
                     {"name": f"reel {shots}", "file": "reel.edl", "revision": 1,
                      "rate": RATE})]  # fmt: skip
    for place, object_id in enumerate(built.object_ids):
        record = start + 12 * place
        rows.append(_setting(built.review_session_id, object_id, {
            "event": place + 1, "source_in": timecode(1003, RATE),
            "source_out": timecode(1015, RATE), "record_in": timecode(record, RATE),
            "record_out": timecode(record + 12, RATE)}))  # fmt: skip
    api(rows)
    link = urlparse(widget_url(api, built.review_session_id, True))  # a studio member's own
    token = parse_qs(link.query)["token"][0]
    return built, f"/review/{built.review_session_id}/cut?token={token}"


def _heard(client: Any, server: Any, path: str, shots: int) -> List[Tuple[str, Any]]:
    assert client.get(path).status_code == 200  # what a link keeps a moment is kept
    with statements(server.store.engine) as seen:
        reply = client.get(path)
    assert reply.status_code == 200, reply.text[:1000]
    assert len(reply.json()["segments"]) == shots, reply.text[:1000]
    return list(seen)


@pytest.mark.slow
def test_the_cut_route_costs_its_own_cut_not_the_studio(room: Tuple[Any, Any, Media]) -> None:
    client, server, media = room
    engine = server.store.engine
    api = InProcessApi(client)
    _, ten = cut_session(api, media, 10)
    before = _heard(client, server, ten, 10)

    for _ in range(4):  # the studio grows: unrelated sessions, versions, notes and cut rows
        build_session(api, media, 60, notes=3)
    cut_session(api, media, 30)
    after = _heard(client, server, ten, 10)
    assert [s for s, _ in after] == [s for s, _ in before], (len(before), len(after))
    assert rows_and_scans(engine, after, TABLES) == rows_and_scans(engine, before, TABLES)
    assert rows_and_scans(engine, after, TABLES)[1] == []  # no table read whole

    _, sixty = cut_session(api, media, 60)
    big = _heard(client, server, sixty, 60)
    assert len(big) == len(before), ([s[:90] for s, _ in before], [s[:90] for s, _ in big])
    assert rows_and_scans(engine, big, TABLES)[1] == []
