"""The per-viewer watermark (EntitySetting group "review", name "watermark" = "true"), over
HTTP on one module-scoped server: the frames an invitee receives carry their name, e-mail and
the date burned in (decoded with ffmpeg: the lower-left text box differs from the owner's
frames, the rest of the picture does not), the room link's say "room link · <session>", the
owner's personal link receives the stored movie unmarked; concurrent first views of one viewer
encode once, each receiving that copy's first bytes; retiring the component removes the viewers'
copies."""

from __future__ import annotations

import concurrent.futures
import hashlib
from pathlib import Path
from typing import Any, Iterator, List

import numpy as np
import pytest
from support.trust import call
from support.waiting import wait_until
from web.feedback_fixtures import link

from .media_world import (
    HEIGHT,
    MediaWorld,
    copy_made,
    decode_rgb,
    media_get,
    watermarked_world,
    whole_by_ranges,
)

#: the watermark's box sits in the picture's lower left; the upper half is never touched
UPPER = slice(0, HEIGHT // 2)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaWorld]:
    with watermarked_world(tmp_path_factory.mktemp("media-watermark")) as made:
        yield made


def _marks(world: MediaWorld, received: bytes, scratch: Path) -> np.ndarray[Any, Any]:
    """Where ``received``'s frames differ from the stored movie's: a mask per frame."""
    theirs = decode_rgb(received, scratch).astype(int)
    ours = decode_rgb(world.movie_path.read_bytes(), scratch).astype(int)
    assert theirs.shape == ours.shape, "every frame kept"
    difference = np.abs(theirs - ours).max(axis=3)
    # the rest of the picture is the same picture (a re-encode moves levels by a few steps)
    assert np.percentile(difference[:, UPPER], 99) <= 12, "the picture is changed outside the mark"
    return difference > 60


def _copies(world: MediaWorld, component_id: str = "") -> List[str]:
    folder = _folder(world, component_id or world.movie_id)
    return sorted(p.name for p in folder.glob("[!.]*.mp4")) if folder.is_dir() else []


def _folder(world: MediaWorld, component_id: str) -> Path:
    return Path(world.server.data_dir) / "files" / ".watermarks" / component_id


def _made_log(world: MediaWorld) -> List[str]:
    return (_folder(world, world.movie_id) / "made.log").read_text().splitlines()


def test_invitee_receives_their_own_marked_frames(world: MediaWorld, tmp_path: Path) -> None:
    received = whole_by_ranges(world.invitee("ann"), world.movie_id)
    assert received != world.movie_path.read_bytes()
    marks = _marks(world, received, tmp_path)
    for frame in marks:  # the mark is on every frame, in the lower left box
        rows, columns = np.nonzero(frame)
        assert len(rows) > 300, "no visible mark"
        assert rows.min() >= HEIGHT // 2 and columns.min() < 40
    room = whole_by_ranges(world.room(), world.movie_id)
    assert room not in (received, world.movie_path.read_bytes())
    assert _marks(world, room, tmp_path).any(axis=(1, 2)).all()


def test_owner_receives_the_movie_unmarked(world: MediaWorld) -> None:
    reply = media_get(world.personal(), world.movie_id)
    assert reply.status_code == 200
    assert reply.content == world.movie_path.read_bytes()


def test_concurrent_first_views_encode_once(world: MediaWorld) -> None:
    page = world.invitee("bob")
    before = set(_copies(world))
    mark = world.server.log_mark()
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: media_get(page, world.movie_id, "bytes=0-"), range(6)))
    assert {r.status_code for r in replies} == {206}
    copy = copy_made(_folder(world, world.movie_id), before)
    # each reply is the copy's first bytes; not always as many: a part read while the copy is
    # written carries what was there then (test_watermark_copy.py forces that interleaving)
    whole = (_folder(world, world.movie_id) / copy).read_bytes()
    for reply in replies:
        said = reply.headers["Content-Range"]
        assert said == f"bytes 0-{len(reply.content) - 1}/{len(whole)}", said
        assert reply.content and whole.startswith(reply.content), "bytes of another copy"
    assert len(world.server.requests_since(mark)) >= 6


def test_retired_component_takes_its_copies(world: MediaWorld) -> None:
    version = world.dailies.objects[1]["asset_version"]
    movie = world.component(version, world.movie_path, "ftrackreview-mp4")
    assert media_get(world.invitee("ann"), movie).status_code == 206
    assert media_get(world.invitee("ann"), world.movie_id).status_code == 206
    assert len(_copies(world, movie)) == 1, "a viewer's copy was made"
    reply = call(world.server, [{"action": "delete", "entity_type": "FileComponent",
                                 "entity_key": [movie]}])  # fmt: skip
    assert reply.status_code == 200, reply.text
    assert not _folder(world, movie).exists()
    assert _copies(world), "another component's copies stay"


def test_opening_the_page_starts_the_viewers_copy(world: MediaWorld) -> None:
    """The page a new viewer opens starts their copy of the movie it shows, before the player
    asks for it; the player's request then gets that copy, made once; it replaces the viewer's
    copy of an earlier day."""
    invitee = world.owner.create("ReviewSessionInvitee", {
        "review_session": world.session, "name": "Cleo Ng", "email": "cleo@client.example"})
    world.owner.commit()
    page = link(world.owner, invitee)
    key = hashlib.sha256(b"Cleo Ng cleo@client.example").hexdigest()[:32]
    yesterday = _folder(world, world.movie_id) / f"{key}-2020-01-01.mp4"
    yesterday.parent.mkdir(parents=True, exist_ok=True)
    yesterday.write_bytes(b"an older day's copy")
    before = set(_copies(world))
    assert page.get().status_code == 200
    made = copy_made(_folder(world, world.movie_id), before)
    reply = media_get(page, world.movie_id, "bytes=0-")
    assert reply.status_code == 206
    assert (_folder(world, world.movie_id) / made).read_bytes().startswith(reply.content)
    assert _made_log(world).count(made) == 1, "made again on the player's request"
    assert made.startswith(key), "one copy a viewer: today's"
    wait_until(lambda: not yesterday.exists(), "the earlier day's copy removed", timeout=300)


def test_a_movie_ffmpeg_cannot_read_is_refused_without_a_5xx(world: MediaWorld) -> None:
    """A stored "movie" that is not one cannot be marked: a 4xx saying what to do, nothing
    unmarked served, no copy or scratch file left behind."""
    broken = world.tmp / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"not a movie" * 500)
    version = world.dailies.objects[1]["asset_version"]
    movie = world.component(version, broken, "ftrackreview-mp4")
    reply = media_get(world.invitee("ann"), movie, "bytes=0-")
    assert 400 <= reply.status_code < 500, (reply.status_code, reply.text)
    assert "republish" in reply.json()["error"]
    folder = _folder(world, movie)
    left = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    assert [name for name in left if not name.endswith(".lock")] == [], left
