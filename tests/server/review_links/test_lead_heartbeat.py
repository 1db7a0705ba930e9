"""A lead ends when its presenter's page has gone: the leading page beats (``op: beat``), and a
lead whose page has not been heard for the grace period ends -- on the next request of any page,
and without any request (the server's sweep), heard by every open page's live stream as "no one
is presenting".

The grace is the server's ``FT_DCC_PRESENTER_GRACE`` (seconds): a server started with 0 lets
every lead lapse at once (its page never beats in time), so no test waits for time to pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from support import genuine_sessions
from support.trust import start_server
from web.feedback_fixtures import link, make_dailies, personal_link
from web.test_presenter_api import Stream, new_page


@pytest.fixture(scope="module")
def lapsing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server whose leads lapse at once (grace 0)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FT_DCC_PRESENTER_GRACE", "0")
        server = start_server(tmp_path_factory.mktemp("lapsing"))
    yield server
    server.stop()


def _room(server: Any, cache: Path) -> Iterator[Dict[str, Any]]:
    with genuine_sessions(server, cache) as make:
        session = make()
        dailies = make_dailies(session)
        yield {
            "owner": personal_link(session, dailies.review_session),
            "ann": link(session, dailies.ann),
            "room": link(session, dailies.review_session),
        }


@pytest.fixture
def gone(lapsing: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    yield from _room(lapsing, tmp_path / "cache")


@pytest.fixture
def kept(embedded_server: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    yield from _room(embedded_server, tmp_path / "cache")


def test_a_page_opened_after_the_presenters_page_has_gone_follows_no_one(
    gone: Dict[str, Any],
) -> None:
    taken = gone["owner"].post("/presenter", dict(op="take", **new_page()))
    assert taken.status_code == 200, taken.text
    assert taken.json()["presenter"]["lead"] is not None
    later = gone["room"].get("/presenter")
    assert later.status_code == 200, later.text
    assert later.json()["presenter"]["lead"] is None, later.json()


def test_open_pages_hear_that_no_one_is_presenting_without_asking(gone: Dict[str, Any]) -> None:
    ann = Stream(gone["ann"])
    try:
        taken = gone["owner"].post("/presenter", dict(op="take", **new_page()))
        assert taken.status_code == 200, taken.text
        seq = int(taken.json()["presenter"]["seq"])
        ann.first(lambda e: e["seq"] > seq and e["lead"] is None, "no lead after the take")
    finally:
        ann.close()


def test_a_lapsed_page_cannot_beat_its_lead_back(gone: Dict[str, Any]) -> None:
    page = new_page()
    assert gone["owner"].post("/presenter", dict(op="take", **page)).status_code == 200
    beat = gone["owner"].post("/presenter", dict(op="beat", **page))
    assert beat.status_code == 409, beat.text
    assert gone["ann"].get("/presenter").json()["presenter"]["lead"] is None


def test_the_beating_page_keeps_its_lead_and_only_it_may_beat(kept: Dict[str, Any]) -> None:
    page = new_page()
    taken = kept["owner"].post("/presenter", dict(op="take", **page))
    assert taken.status_code == 200, taken.text
    seq = taken.json()["presenter"]["seq"]
    beat = kept["owner"].post("/presenter", dict(op="beat", **page))
    assert beat.status_code == 200, beat.text
    assert beat.json()["presenter"]["seq"] == seq  # a beat is no change: nobody is told
    other = kept["owner"].post("/presenter", dict(op="beat", **new_page()))
    assert other.status_code == 409, other.text
    stranger = kept["ann"].post("/presenter", dict(op="beat", **page))
    assert stranger.status_code == 403, stranger.text
    room = kept["room"].post("/presenter", dict(op="beat", **page))
    assert room.status_code == 403, room.text
    lead = kept["ann"].get("/presenter").json()["presenter"]["lead"]
    assert lead["key"].startswith("w:") and lead["name"] == "Studio"  # a client's sight
