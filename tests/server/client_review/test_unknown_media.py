"""Unknown media is never served whole (the fourth hostile round), over HTTP on SQLite and on
PostgreSQL with 4 workers.

A review movie whose type the server's table does not know (uploaded as ``.mkv``, ``.avi``, or
without an extension) cannot be played in parts, nor marked: under a restrictive session
(download policy ``none``, or the watermark on) a client link is refused it with a message
saying what to do (415), whatever Range it asks for, download or not. The studio's own access
(the owner's personal link) still gets the file; a session whose policy lets the movie download
(``proxy``, no watermark) serves it as a download.

Seen failing first on ``cd2b4ab``: ``Range: bytes=0-`` answered 200 with the whole file as an
attachment, unmarked, under policy ``none`` + watermark.
"""

from __future__ import annotations

import shutil
from typing import Any, Iterator, List

import pytest
from support.insiders import route_refused

from .gate_world import make_owner
from .media_world import MediaWorld, media_get

UNKNOWN = ("review.mkv", "review.avi", "review")


class UnknownWorld(MediaWorld):
    """The media world with the same review movie stored again under unknown names."""

    def __init__(self, server: Any, owner: Any, tmp: Any) -> None:
        super().__init__(server, owner, tmp)
        version = self.dailies.objects[1]["asset_version"]
        self.unknown: List[str] = []
        for index, name in enumerate(UNKNOWN):
            folder = tmp / f"unknown{index}"
            folder.mkdir(exist_ok=True)
            shutil.copyfile(self.movie_path, folder / name)
            self.unknown.append(self.component(version, folder / name, "ftrackreview-mp4"))


@pytest.fixture(scope="module")
def world(gate_backend_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    base = tmp_path_factory.mktemp("unknown-media")
    for owner in make_owner(gate_backend_server, base):
        yield UnknownWorld(gate_backend_server, owner, base)


@pytest.mark.parametrize(
    ("policy", "watermark"), [("none", "true"), ("none", None), ("proxy", "true")]
)
def test_unknown_media_is_refused_under_a_restrictive_policy(
    world: UnknownWorld, policy: str, watermark: Any
) -> None:
    world.set_setting("download_policy", policy)
    world.set_setting("watermark", watermark)
    whole = world.movie_path.read_bytes()
    for component in world.unknown:
        for asked in ({"range_header": "bytes=0-"}, {}, {"download": "1"}):
            reply = media_get(world.invitee("ann"), component, **asked)
            assert reply.content != whole, f"{component} served whole ({asked})"
            message = route_refused(reply, (415, 403))
            assert "MP4" in message or "Downloads" in message, message
        owner = media_get(world.personal(), component)
        assert owner.status_code == 200 and owner.content == whole


def test_unknown_media_downloads_when_the_policy_lets_it(world: UnknownWorld) -> None:
    world.set_setting("download_policy", "proxy")
    world.set_setting("watermark", None)
    for component in world.unknown:
        reply = media_get(world.invitee("ann"), component, download="1")
        assert reply.status_code == 200, reply.text[:300]
        assert reply.content == world.movie_path.read_bytes()
        assert reply.headers["Content-Disposition"].startswith("attachment")
