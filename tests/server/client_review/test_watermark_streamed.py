"""A new viewer's watermarked copy is served while it is being made, and a playback crossing
midnight UTC keeps the copy it began with; over HTTP on a server of the module's own.

The server is started with two test hooks: ``FT_DCC_TEST_WATERMARK_HOLD`` (a copy being made
stays unfinished, its bytes so far written, until a file exists: no race with the encode) and
``FT_DCC_TEST_TODAY_FILE`` (the server's date, moved by the test: no clock, no sleep). Parts
are small (``FT_DCC_MEDIA_CHUNK``) so the tiny test movie has several."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set

import numpy as np
import pytest
from support import genuine_sessions
from support.waiting import wait_until
from web.feedback_fixtures import Page, link
from web.firefox.firefox import Firefox, firefox_or_skip

from .gate_world import gate_server
from .media_world import (
    FRAMES,
    HEIGHT,
    MediaWorld,
    copy_made,
    decode_rgb,
    media_get,
    whole_by_ranges,
)
from .test_media_policy import PLAYED

CHUNK = 4096


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaWorld]:
    base = tmp_path_factory.mktemp("watermark-streamed")
    (base / "today").write_text("2026-11-24")
    hooks = {"FT_DCC_TEST_WATERMARK_HOLD": str(base / "release"),
             "FT_DCC_TEST_TODAY_FILE": str(base / "today"), "FT_DCC_MEDIA_CHUNK": str(CHUNK)}
    with gate_server(base, **hooks) as server, genuine_sessions(server, base / "cache") as make:
        made = MediaWorld(server, make(), base)
        made.set_setting("watermark", "true")
        yield made


def _folder(world: MediaWorld) -> Path:
    return Path(world.server.data_dir) / "files" / ".watermarks" / world.movie_id


def _made(world: MediaWorld, pattern: str = "[!.]*.mp4") -> List[str]:
    folder = _folder(world)
    return sorted(p.name for p in folder.glob(pattern)) if folder.is_dir() else []


def _marked_everywhere(world: MediaWorld, received: bytes, scratch: Path) -> None:
    """Every frame kept, each with the mark in its lower half, the upper half the movie's."""
    theirs = decode_rgb(received, scratch).astype(int)
    ours = decode_rgb(world.movie_path.read_bytes(), scratch).astype(int)
    assert theirs.shape == ours.shape, "every frame kept"
    difference = np.abs(theirs - ours).max(axis=3)
    assert np.percentile(difference[:, : HEIGHT // 2], 99) <= 12
    assert ((difference[:, HEIGHT // 2 :] > 60).sum(axis=(1, 2)) > 300).all(), "a frame unmarked"


def test_a_new_viewers_copy_is_served_while_it_is_made(world: MediaWorld, tmp_path: Path) -> None:
    (Path(world.tmp) / "release").unlink(missing_ok=True)  # copies made from now on are held
    page, before = world.invitee("ann"), set(_made(world))
    first = media_get(page, world.movie_id, "bytes=0-")
    assert first.status_code == 206, first.text[:200]
    assert first.headers["Cache-Control"] == "private, no-store"
    announced = int(first.headers["Content-Range"].rsplit("/", 1)[1])
    assert first.headers["Content-Range"] == f"bytes 0-{CHUNK - 1}/{announced}"
    assert set(_made(world)) == before, "the copy was whole before its first part was served"
    (part,) = _made(world, "*.mp4.part")
    assert (_folder(world) / part).stat().st_size < announced
    assert first.content[4:8] == b"ftyp"
    whole = media_get(page, world.movie_id)  # no Range: still one bounded part, never the file
    assert whole.status_code == 206 and len(whole.content) == CHUNK

    (Path(world.tmp) / "release").write_text("")
    received = whole_by_ranges(page, world.movie_id)
    assert len(received) == announced and received.startswith(first.content)
    copy = copy_made(_folder(world), before)  # its last part can come before its rename
    assert (_folder(world) / copy).read_bytes() == received, "the copy is what was served"
    _marked_everywhere(world, received, tmp_path)


def test_a_playback_crossing_midnight_keeps_its_copy(world: MediaWorld, tmp_path: Path) -> None:
    (Path(world.tmp) / "release").write_text("")
    (Path(world.tmp) / "today").write_text("2026-11-24")
    page: Page = world.invitee("bob")
    before = set(_made(world))
    started = media_get(page, world.movie_id, "bytes=0-")
    assert started.status_code == 206
    total = int(started.headers["Content-Range"].rsplit("/", 1)[1])
    wait_until(lambda: set(_made(world)) - before, "bob's copy made", timeout=300)
    evening = sorted(set(_made(world)) - before)
    assert len(evening) == 1 and evening[0].endswith("-2026-11-24.mp4"), evening

    (Path(world.tmp) / "today").write_text("2026-11-25")  # midnight UTC passes mid-playback
    going_on = media_get(page, world.movie_id, f"bytes={CHUNK}-")
    assert going_on.status_code == 206
    assert going_on.headers["Content-Range"] == f"bytes {CHUNK}-{2 * CHUNK - 1}/{total}"
    before_midnight = (_folder(world) / evening[0]).read_bytes()
    assert before_midnight[CHUNK : 2 * CHUNK] == going_on.content, "another copy's bytes"

    replay = whole_by_ranges(page, world.movie_id)  # a new playback: the new day's copy
    morning = copy_made(_folder(world), before | set(evening))
    assert morning.endswith("-2026-11-25.mp4") and (_folder(world) / morning).read_bytes() == replay
    assert replay != before_midnight, "the new day's copy carries the new date"
    assert (_folder(world) / evening[0]).is_file(), "yesterday's copy is kept"
    _marked_everywhere(world, replay, tmp_path)


def _new_viewer(world: MediaWorld, name: str) -> Page:
    """A new invitee (no copy of theirs yet) and their link."""
    (Path(world.tmp) / "release").write_text("")
    email = f"{name.lower()}@client.example"
    invitee = world.owner.create("ReviewSessionInvitee", {
        "review_session": world.session, "name": name, "email": email})  # fmt: skip
    world.owner.commit()
    return link(world.owner, invitee)


def _played_as_made(world: MediaWorld, before: Set[str], played: Dict[str, Any]) -> None:
    """The browser played the viewer's copy -- made as it is served while it encodes: a ``sidx``
    after its head, a ``free`` box to its announced size -- to its end, its length known."""
    assert played.get("ended") is True, played
    assert played["frames"] >= FRAMES and played["time"] >= played["duration"] - 0.05, played
    assert abs(played["duration"] - FRAMES / 24) < 0.05, played
    made = copy_made(_folder(world), before)
    boxes = top_boxes((_folder(world) / made).read_bytes())
    assert boxes[:4] == ["ftyp", "moov", "sidx", "moof"] and boxes[-1] == "free", boxes


def top_boxes(data: bytes) -> List[str]:
    """The kinds of an MP4 file's top-level boxes, in order."""
    kinds, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, offset)
        kinds.append(kind.decode("latin-1"))
        offset += max(size, 8)
    return kinds


@pytest.mark.browser
def test_chromium_plays_a_streamed_copy(world: MediaWorld, page: Any) -> None:
    viewer, before = _new_viewer(world, "Dana"), set(_made(world))
    page.goto(f"{viewer.base}?token={viewer.token}")
    _played_as_made(world, before, page.locator("video").first.evaluate(PLAYED))


@pytest.fixture
def firefox(tmp_path: Path) -> Iterator[Firefox]:
    yield from firefox_or_skip(tmp_path / "driver.log")


@pytest.mark.browser
def test_firefox_plays_a_streamed_copy(world: MediaWorld, firefox: Firefox) -> None:
    viewer, before = _new_viewer(world, "Eve"), set(_made(world))
    firefox.goto(f"{viewer.base}?token={viewer.token}")
    played = firefox.evaluate(f"({PLAYED})(document.querySelector('video'))")
    _played_as_made(world, before, played)
