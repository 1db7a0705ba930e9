"""The session's download policy (EntitySetting group "review", name "download_policy": none |
proxy | original; no row: none) against every URL that can deliver a version's file to a link
holder, over HTTP on one module-scoped server.

- ``none`` (watch only): the media route answers the review movie in bounded 206 range replies
  only (a request without Range, or for the whole file, gets a capped part), never as an
  attachment; no download link on the page; the source is refused.
- ``proxy``: the review movie downloads whole (``?download=1``, an attachment); the source not.
- ``original``: the source downloads too.
The owner's personal link is the studio's own access: never bound. A link's review token is no
download token for ``/component/get``. A refusal changes no stored file; a policy change binds
the next request.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
from support import genuine_sessions
from support.trust import call, start_server
from web.feedback_fixtures import another_user, personal_link

from .media_world import FRAMES, MediaWorld, media_get, whole_by_ranges

POLICIES = ("none", "proxy", "original")
#: the most one watch-only reply carries on this module's server (FT_DCC_MEDIA_CHUNK)
PART = 8192


@contextlib.contextmanager
def chunk_env(part: int) -> Iterator[None]:
    saved = os.environ.get("FT_DCC_MEDIA_CHUNK")
    os.environ["FT_DCC_MEDIA_CHUNK"] = str(part)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("FT_DCC_MEDIA_CHUNK", None)
        else:
            os.environ["FT_DCC_MEDIA_CHUNK"] = saved


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaWorld]:
    base = tmp_path_factory.mktemp("media-policy")
    with chunk_env(PART):  # parts smaller than half the movie: a player asks for many
        server = start_server(base)
    try:
        with genuine_sessions(server, base / "cache") as make:
            yield MediaWorld(server, make(), base)
    finally:
        server.stop()


@pytest.fixture
def policy(world: MediaWorld, request: Any) -> Iterator[str]:
    value = getattr(request, "param", "none")
    world.set_setting("download_policy", None if value == "unset" else value)
    yield value
    world.set_setting("download_policy", None)


def _size(world: MediaWorld) -> int:
    return world.movie_path.stat().st_size


def _capped(world: MediaWorld, reply: requests.Response) -> None:
    """A bounded part of the movie: 206, a Content-Range inside the file, less than half of it,
    inline, not stored by the browser's cache."""
    size = _size(world)
    assert reply.status_code == 206, (reply.status_code, reply.text[:200])
    first, last = reply.headers["Content-Range"].split(" ")[1].split("/")[0].split("-")
    assert reply.headers["Content-Range"].endswith(f"/{size}")
    assert len(reply.content) == int(last) - int(first) + 1
    assert 0 < len(reply.content) <= min(PART, (size + 1) // 2), (len(reply.content), size)
    assert "attachment" not in reply.headers.get("Content-Disposition", "")
    assert "no-store" in reply.headers.get("Cache-Control", "")
    assert world.movie_path.read_bytes()[int(first) : int(last) + 1] == reply.content


@pytest.mark.parametrize("policy", ["unset", "none"], indirect=True)
def test_watch_only_serves_bounded_ranges(world: MediaWorld, policy: str) -> None:
    size = _size(world)
    for page in (world.invitee(), world.room()):
        for range_header in (None, "bytes=0-", f"bytes=0-{size - 1}", "bytes=0-0,1-"):
            _capped(world, media_get(page, world.movie_id, range_header))
        tail = media_get(page, world.movie_id, f"bytes={size - 10}-")
        _capped(world, tail)
        assert len(tail.content) == 10
        # a player still gets every byte, part by part (watching delivers them: the docs say so)
        assert whole_by_ranges(page, world.movie_id) == world.movie_path.read_bytes()
        before = world.stored_files()
        for component in (world.movie_id, world.source_id):
            refused = media_get(page, component, download="1")
            assert refused.status_code == 403, (component, refused.status_code)
            assert "download" in refused.json()["error"].lower()
        refused = media_get(page, world.source_id)
        assert refused.status_code == 403, refused.text
        assert world.stored_files() == before
        html = page.get().text
        assert "download=1" not in html and 'class="download' not in html


@pytest.mark.parametrize("policy", ["proxy", "original"], indirect=True)
def test_proxy_and_original_downloads(world: MediaWorld, policy: str) -> None:
    movie, source = world.movie_path.read_bytes(), world.source_path.read_bytes()
    page = world.invitee()
    whole = media_get(page, world.movie_id)
    assert whole.status_code == 200 and whole.content == movie
    download = media_get(page, world.movie_id, download="1")
    assert download.status_code == 200 and download.content == movie
    assert download.headers["Content-Disposition"].startswith("attachment")
    original = media_get(page, world.source_id, download="1")
    html = page.get().text
    assert html.count('class="download"') == (2 if policy == "original" else 1), html
    if policy == "proxy":
        assert original.status_code == 403, original.text
        assert world.source_id not in html
        return
    assert original.status_code == 200 and original.content == source
    assert original.headers["Content-Disposition"].startswith("attachment")
    assert world.source_id in html


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
def test_owner_personal_link_is_never_bound(world: MediaWorld, policy: str) -> None:
    page = world.personal()
    movie = media_get(page, world.movie_id)
    assert movie.status_code == 200 and movie.content == world.movie_path.read_bytes()
    source = media_get(page, world.source_id, download="1")
    assert source.status_code == 200 and source.content == world.source_path.read_bytes()
    assert page.get().text.count('class="download"') == 2


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
def test_thumbnail_is_a_whole_picture(world: MediaWorld, policy: str) -> None:
    """A thumbnail (the poster) is a still, not the version's file: whole, as an <img> needs."""
    reply = media_get(world.invitee(), world.thumbnail_id)
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "image/png"


def test_review_token_is_no_download_token(world: MediaWorld) -> None:
    page = world.invitee()
    for route in ("/component/get", "/component/thumbnail"):
        for component in (world.movie_id, world.source_id):
            reply = requests.get(
                world.server.url + route, params={"id": component, "token": page.token},
                timeout=30, allow_redirects=False,
            )  # fmt: skip
            assert reply.status_code in (401, 403), (route, reply.status_code)
            assert not reply.content.startswith(world.movie_path.read_bytes()[:64])
    api = requests.post(world.server.url + "/api", params={"token": page.token}, json=[],
                        timeout=30)  # fmt: skip
    assert api.json()["exception"] == "InvalidCredentialsError", api.text


def test_policy_change_ends_downloads_at_the_next_request(world: MediaWorld) -> None:
    page = world.invitee("bob")
    world.set_setting("download_policy", "original")
    try:
        assert media_get(page, world.movie_id, download="1").status_code == 200
        assert media_get(page, world.source_id, download="1").status_code == 200
        world.set_setting("download_policy", "proxy")
        assert media_get(page, world.source_id, download="1").status_code == 403
        assert media_get(page, world.movie_id, download="1").status_code == 200
        world.set_setting("download_policy", "none")
        assert media_get(page, world.movie_id, download="1").status_code == 403
        _capped(world, media_get(page, world.movie_id))
    finally:
        world.set_setting("download_policy", None)


def test_unknown_policy_value_watches_only(world: MediaWorld, tmp_path: Path) -> None:
    """A value the server does not know binds like ``none`` (never more than asked for)."""
    world.set_setting("download_policy", "everything")
    try:
        _capped(world, media_get(world.invitee(), world.movie_id))
        assert media_get(world.invitee(), world.movie_id, download="1").status_code == 403
    finally:
        world.set_setting("download_policy", None)


PLAYED = """(video) => new Promise((done) => {
  video.muted = true;
  video.addEventListener("ended", () => done({
    ended: true, time: video.currentTime, duration: video.duration,
    frames: video.getVideoPlaybackQuality().totalVideoFrames,
  }));
  video.addEventListener("error", () => done({error: String(video.error && video.error.code)}));
  video.play().catch((e) => done({error: String(e)}));
})"""


@pytest.mark.browser
@pytest.mark.parametrize("policy", ["none"], indirect=True)
def test_chromium_plays_a_watch_only_movie_to_the_end(
    world: MediaWorld, policy: str, page: Any
) -> None:
    """Watch-only does not stop watching: Chromium plays the whole movie from bounded parts."""
    mark = world.server.log_mark()
    invitee = world.invitee()
    page.goto(f"{invitee.base}?token={invitee.token}")
    played = page.locator("video").first.evaluate(PLAYED)
    # the "ended" event came, every frame was decoded (the page's player then holds the last one)
    assert played.get("ended") is True, played
    assert played["frames"] >= FRAMES and played["time"] >= played["duration"] - 0.05, played
    media = [r for r in world.server.requests_since(mark) if "/media/" in r["path"]]
    assert media and {r["status"] for r in media} == {206}, media
    assert len(media) >= world.movie_path.stat().st_size // PART, "the player asked part by part"


def _media_acts(world: MediaWorld) -> List[Dict[str, Any]]:
    operation = {"action": "ft_dcc.audit", "review_session_id": world.id}
    reply = call(world.server, [operation])
    assert reply.status_code == 200, reply.text
    return [e for e in reply.json()[0]["entries"] if e["act"].startswith("media.")]


def test_plays_and_downloads_are_audited_once_per_view(world: MediaWorld) -> None:
    """One media.played per view start (a reply from byte 0), not per part; a download is
    media.downloaded; each names the component and its size, and who."""
    page, size = world.invitee("bob"), _size(world)
    before = len(_media_acts(world))
    whole_by_ranges(page, world.movie_id)  # one view, several parts
    world.set_setting("download_policy", "proxy")
    try:
        assert media_get(page, world.movie_id, download="1").status_code == 200
    finally:
        world.set_setting("download_policy", None)
    assert media_get(page, world.movie_id, download="1").status_code == 403  # refused: no entry
    acts = _media_acts(world)[before:]
    who = f"invitee:{world.dailies.bob['id']}"
    assert [(e["act"], e["who"]) for e in acts] == [("media.played", who),
                                                   ("media.downloaded", who)], acts
    for entry in acts:
        assert entry["detail"] == {"component": world.movie_id, "bytes": size}
        assert page.token not in str(entry)


def test_personal_link_of_a_user_who_may_not_manage_is_bound(
    world: MediaWorld, tmp_path: Path
) -> None:
    """Another User's own link to the session is a client's: watch-only, no source."""
    with genuine_sessions(world.server, tmp_path / "cache") as make:
        colleague = another_user(world.server, make, "colleague")
        page = personal_link(colleague, colleague.get("ReviewSession", world.id))
        _capped(world, media_get(page, world.movie_id))
        assert media_get(page, world.movie_id, download="1").status_code == 403
        assert media_get(page, world.source_id, download="1").status_code == 403


@pytest.mark.parametrize("policy", ["none", "proxy"], indirect=True)
def test_hostile_ranges_get_no_5xx(world: MediaWorld, policy: str) -> None:
    size = _size(world)
    for header in ("bytes=" + "9" * 5000 + "-", "bytes=-" + "9" * 5000, "bytes=0-" + "9" * 5000,
                   "bytes=x-y", "bytes=", "items=0-10", f"bytes={size}-", "bytes=-0",
                   "bytes=5-1", "bytes=" + ",".join(["0-1"] * 500)):  # fmt: skip
        reply = media_get(world.invitee(), world.movie_id, header)
        assert reply.status_code in (200, 206, 400, 416), (header[:40], reply.status_code)
        assert len(reply.content) <= (size if policy == "proxy" else min(PART, size // 2 + 1))
