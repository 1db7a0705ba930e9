"""A big review session opens as fast as a small one: the review page of 300 versions (3 notes
each) against one of 10, in real headless Chromium, counting requests (never timing them).

- what the page asks for before its first frame does not grow with the session: no more than
  the whole 10-version page asks for, and no media but the first screen's, through the owner's
  link and the room link (before: 615 requests, 600 of them media, against 30 for 10);
- the media requests in flight stay bounded while a guest (the room link) scrolls the whole
  session, and once at its end only the versions near the screen there are fetched (before: the
  movie on the screen came 191st, after every poster and movie scrolled past);
- a version added to the open session is fetched alone (one small request, never the page);
- the room link asks for no more files than the owner's own link.

The sessions are built in one API batch with one small shared movie (test_big_session_build).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterator, List, Set
from urllib.parse import urlsplit

import pytest
from support.browser import WEB_VIEWPORT

from .test_big_session_build import Api, Built, Media, add_versions, build_session, widget_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: generous bounds on conditions (a loaded 2-core machine); nothing asserts how long it took
WAIT_S = 300.0
#: the page marks its first decoded frame (a video's first picture) for the counts below
FIRST_FRAME = """document.addEventListener("loadeddata", function () {
  if (!window.__firstFrame) { window.__firstFrame = true; console.log("ft-first-frame"); }
}, true);"""
#: the reviewer scrolls through the whole page, 800 px every 20 ms, in the page: one call (two
#: Playwright round trips a step, about 110 steps, cost 1-1.9 of the test's 12.5 tree CPU-s)
SCROLL_THROUGH = """async () => {
  const height = document.documentElement.scrollHeight;
  for (let top = 0; top < height; top += 800) {
    window.scrollTo(0, top);
    await new Promise((done) => setTimeout(done, 20));
  }
}"""
#: the movie and poster URLs of the items near the screen now (within the loading queue's
#: 600 px, and 100 px more: a version on the edge is near or not, never a far one)
NEAR_MEDIA_JS = """async () => {
  // after the page's next two frames: its intersection observer has seen where the scroll ended
  for (let i = 0; i < 2; i++) await new Promise((done) => requestAnimationFrame(done));
  await new Promise((done) => setTimeout(done, 0));
  return Array.from(document.querySelectorAll('article.item')).filter((i) => {
    const r = i.getBoundingClientRect();
    return r.height > 0 && r.bottom > -700 && r.top < innerHeight + 700; })
  .flatMap((i) => { const v = i.querySelector('video.video');
    return [i.dataset.movieUrl, v && (v.dataset.poster || v.getAttribute('poster'))]; })
  .filter(Boolean);
}"""
#: whether each version on the screen now has its movie (its video given its source)
ON_SCREEN_MOVIES_JS = """() => Array.from(document.querySelectorAll('article.item')).filter((i) => {
    const r = i.getBoundingClientRect();
    return r.height > 0 && r.bottom > 0 && r.top < innerHeight; })
  .map((i) => i.querySelector('video.video')).filter(Boolean).map((v) => !!v.src)"""
#: what the page's loading queue may have in flight besides its own places: the first movie
#: reading on once its first frame is there, and a player's seek to its poster's frame
BESIDES_QUEUE = 2


class Watch:
    """The requests one page makes, in order, and its media requests in flight."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.urls: List[str] = []
        self.before_first: List[str] = []
        self.first = False
        self.in_flight: Set[Any] = set()
        self.most_in_flight = 0
        page.add_init_script(FIRST_FRAME)
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)
        page.on("console", self._console)

    def _started(self, request: Any) -> None:
        self.urls.append(request.url)
        if "/media/" in request.url:
            self.in_flight.add(request)
            self.most_in_flight = max(self.most_in_flight, len(self.in_flight))

    def _ended(self, request: Any) -> None:
        self.in_flight.discard(request)

    def _console(self, message: Any) -> None:
        if message.text == "ft-first-frame" and not self.first:
            self.first = True
            self.before_first = list(self.urls)

    def until(self, condition: Callable[[], bool], what: str) -> None:
        """Let the page run (its events counted) until ``condition()``; fail after WAIT_S."""
        deadline = time.monotonic() + WAIT_S
        while not condition():
            assert time.monotonic() < deadline, f"not within {WAIT_S:.0f} s: {what}"
            self.page.wait_for_timeout(100)

    def open(self, url: str) -> Watch:
        assert self.page.goto(url).status == 200
        self.until(lambda: self.first, "the first frame")
        return self

    def settled(self) -> bool:
        """Every item of the session is on the page, no media is waiting or in flight."""
        state = self.page.evaluate(
            "() => [document.querySelector('main.items').dataset.allItems || '',"
            " document.documentElement.dataset.mediaLoading || '0']"
        )
        return state == ["true", "0"] and not self.in_flight

    def settle(self) -> Watch:
        self.until(self.settled, "the page settled (all items, no media loading)")
        return self


class HeldMedia:
    """A slow link: the page's media requests are held unanswered until :meth:`release`."""

    def __init__(self, page: Any) -> None:
        self.routes: List[Any] = []
        self.holding = True
        page.route("**/media/**", self._route)

    def _route(self, route: Any) -> None:
        if self.holding:
            self.routes.append(route)
        else:
            route.continue_()

    def release(self) -> None:
        """Answer the held requests, and every later one at once."""
        self.holding = False
        for route in self.routes:
            route.continue_()


def paths(urls: List[str]) -> List[str]:
    """The paths of ``urls`` (their tokens left out)."""
    return [urlsplit(url).path for url in urls]


#: the movie and poster URLs of the page's first ``groups`` asset groups
FIRST_SCREEN_JS = """(groups) => Array.from(document.querySelectorAll('.asset-group'))
  .slice(0, groups).flatMap(g => Array.from(g.querySelectorAll('article.item')))
  .flatMap(item => { const v = item.querySelector('video.video');
    return [item.dataset.movieUrl, v && (v.dataset.poster || v.poster)]; })
  .filter(Boolean)"""


def first_screen_media(page: Any, groups: int) -> Set[str]:
    """The movie and poster paths of the page's first ``groups`` asset groups."""
    return set(paths([str(u) for u in page.evaluate(FIRST_SCREEN_JS, groups)]))


@pytest.fixture(scope="module")
def sessions(sqlite_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    """A 10-version and a 300-version session (3 notes per version) on the shared server."""
    api = Api(sqlite_server.url, sqlite_server.api_user, sqlite_server.api_key)
    media = Media(tmp_path_factory.mktemp("big-session"), sqlite_server.data_dir)
    return {"api": api, "media": media, "small": build_session(api, media, 10),
            "big": build_session(api, media, 300)}  # fmt: skip


def _open(chromium: Any, api: Api, built: Built, personal: bool) -> Watch:
    context = chromium.new_context(viewport=WEB_VIEWPORT)
    page = context.new_page()
    return Watch(page).open(widget_url(api, built.review_session_id, personal))


#: the pages :func:`big_pages` holds open (none once :func:`close_big_pages` closed them)
_BIG_PAGES: Dict[str, Watch] = {}


@pytest.fixture(scope="module")
def big_pages(chromium: Any, sessions: Dict[str, Any]) -> Iterator[Dict[str, Watch]]:
    """The 300-version session opened once through the owner's own link and the room link,
    each watched from its first request: the tests that only read what the two pages asked for
    share them (they run before the test that adds versions, which closes them first)."""
    api, built = sessions["api"], sessions["big"]
    _BIG_PAGES["room"] = _open(chromium, api, built, personal=False)
    _BIG_PAGES["owner"] = _open(chromium, api, built, personal=True)
    try:
        yield dict(_BIG_PAGES)
    finally:
        close_big_pages()


def close_big_pages() -> None:
    """Close the pages :func:`big_pages` holds open, if any: left open, each would fetch the
    versions a later test adds to the session (the live stream tells every open page)."""
    while _BIG_PAGES:
        _BIG_PAGES.popitem()[1].page.context.close()


def test_requests_before_the_first_frame_do_not_grow_with_the_session(
    chromium: Any, sessions: Dict[str, Any], big_pages: Dict[str, Watch]
) -> None:
    from ft_dcc.server.review.render.html import FIRST_GROUPS

    small = _open(chromium, sessions["api"], sessions["small"], personal=True).settle()
    big, room = big_pages["owner"], big_pages["room"]
    try:
        for opened in (big, room):  # the owner's own link and the room link
            # each path once: a repeat is the page's presenter poll or the video's range
            # requests, whose number before the first frame is the machine's pace, not the
            # session's size (counted, the room page once asked 16 against the small page's 15)
            asked = set(paths(opened.before_first))
            assert len(asked) <= len(small.urls), (sorted(asked), small.urls)
            media = {p for p in paths(opened.before_first) if "/media/" in p}
            assert media and media <= first_screen_media(opened.page, FIRST_GROUPS), media
        big.settle()  # and the rest came as data in a few requests
        assert big.page.locator("article.item").count() == 300
        pages = [p for p in paths(big.urls) if p.endswith("/items")]
        assert 1 <= len(pages) <= 3, pages
        assert paths(big.urls).count(urlsplit(big.urls[0]).path) == 1  # the page once
    finally:
        small.page.context.close()


def test_the_room_link_asks_for_no_more_files_than_the_owners(
    big_pages: Dict[str, Watch],
) -> None:
    owner, room = big_pages["owner"].settle(), big_pages["room"].settle()
    mine, theirs = paths(owner.urls), paths(room.urls)
    assert len(set(theirs)) <= len(set(mine)), (sorted(set(theirs) - set(mine)), mine)
    # a watch-only movie (the room's) comes in parts: more requests of the same files only
    movies = {p for p in set(theirs) if "/media/" in p}
    assert len(theirs) - len(mine) <= len(movies), (theirs, mine)


def test_media_in_flight_stay_bounded_and_an_added_version_comes_alone(
    chromium: Any, sessions: Dict[str, Any]
) -> None:
    close_big_pages()  # read by the tests before; this one adds versions
    api, media, built = sessions["api"], sessions["media"], sessions["big"]
    # a guest's room link: its watch-only movies come in parts (more requests of one file)
    watch = _open(chromium, api, built, personal=False).settle()
    limit = watch.page.evaluate("() => window.ftReview.MEDIA_IN_FLIGHT")
    try:
        # the reviewer scrolls through it all on a slow link (its media answered only at the
        # end: every version passed asks meanwhile), then the media come
        held = HeldMedia(watch.page)
        watch.page.evaluate(SCROLL_THROUGH)
        near = set(paths([str(u) for u in watch.page.evaluate(NEAR_MEDIA_JS)]))
        released = len(watch.urls)
        asked = set(paths(watch.urls[:released]))
        held.release()
        watch.settle()
        # new files asked for once the media came: not the versions scrolled past (the rest of
        # a movie already in flight, a part of one file, is not a new one)
        later = {p for p in paths(watch.urls[released:]) if "/media/" in p} - asked
        assert later <= near, sorted(later - near)[:5]
        before = len(watch.urls)
        added = add_versions(api, media, built, 2)
        shown = " && ".join(f"document.getElementById('item-{i}')" for i in added)
        watch.until(lambda: bool(watch.page.evaluate(f"() => !!({shown})")), "the added versions")
        asked = paths(watch.urls[before:])
        assert 1 <= sum(1 for p in asked if p.endswith("/items")) <= len(added), asked
        assert urlsplit(watch.urls[0]).path not in asked  # never the whole page again
        watch.settle()
        on_screen = watch.page.evaluate(ON_SCREEN_MOVIES_JS)
        assert on_screen and all(on_screen), on_screen  # the versions on the screen: their movies
        assert watch.most_in_flight <= limit + BESIDES_QUEUE, watch.most_in_flight
    finally:
        watch.page.context.close()


def test_the_items_route_answers_pages_and_added_groups_and_refuses_bad_input(
    sessions: Dict[str, Any],
) -> None:
    import requests

    from ft_dcc.server.review.render.html import FIRST_GROUPS, PAGE_GROUPS

    api, built = sessions["api"], sessions["big"]
    url = widget_url(api, built.review_session_id, personal=False)
    base, token = url.split("?token=")
    items = base + "/items"
    first = requests.get(items, params={"token": token, "from": FIRST_GROUPS}, timeout=60)
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["next"] == FIRST_GROUPS + PAGE_GROUPS
    assert page["html"].count('class="asset-group"') == PAGE_GROUPS
    assert int(page["count"].split(" ")[-2]) >= 300, page["count"]  # (another test adds some)
    last = requests.get(items, params={"token": token, "from": 10_000}, timeout=60).json()
    assert last["html"] == "" and last["next"] is None
    wanted = [built.object_ids[0], built.object_ids[-1], "not-an-item"]
    groups = requests.get(items, params={"token": token, "objects": ",".join(wanted)},
                          timeout=60).json()  # fmt: skip
    assert groups["html"].count('class="asset-group"') == 2
    assert all(f'id="item-{i}"' in groups["html"] for i in wanted[:2])
    bad = requests.get(items, params={"token": token, "from": "x"}, timeout=60)
    assert bad.status_code == 400 and "from=" in bad.json()["error"], bad.text
    refused = requests.get(items, params={"token": token + "x"}, timeout=60)
    assert refused.status_code == 403 and "asset-group" not in refused.text
