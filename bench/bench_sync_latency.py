"""Presenter sync under latency: a delaying proxy (``delay_proxy.py``) between the embedded
server and three real Chromium pages (the owner presents, two invitees follow) plus 20 light
protocol followers (the presenter state and the ``/live`` stream over plain HTTP), at a loopback
baseline and at 100 and 250 ms round trips with jitter.

    .venv/bin/python bench/bench_sync_latency.py            # 0, 100 and 250 ms
    .venv/bin/python bench/bench_sync_latency.py --rtt 250 --trials 4 --play 10

Measured per round trip:

- **pause**: the presenter plays 1-2 s and pauses (``--trials`` times); whether every follower
  then shows exactly the presenter's paused picture (read back from the <video> by its coded
  frame number; a light follower: the state it holds names that frame), and how long after the
  presenter's click it did;
- **playing at 1x**: each page logs every picture it presents with its own timestamp
  (``requestVideoFrameCallback``: media time and expected display time, on the machine's one
  clock), so a follower's picture is compared with the picture the presenter's page presented
  at that very instant; nothing is sampled from outside while playing. Offsets in frames (max
  and 95th percentile, from 3 s after the play). A light follower's frame is the protocol's:
  the last state it received, moved on by the time since its ``clock`` (the server's time as
  the follower estimated it from the answers' ``now``, keeping the quickest round trip);
- **late join**: while the presenter plays, a follower's page is closed and opened afresh (and a
  new light follower connects): the time from the navigation (the connect) until it is within
  2 frames of the presenter and stays there.

Targets: pause, every follower on the presenter's frame; playing, within 2 frames; late joiner
in sync within 2 s. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import logging
import math
import os
import random
import sys
import tempfile
import time
import types
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from delay_proxy import DelayProxy, LoopThread  # noqa: E402
from embedded_server import KEY, USER, Server  # noqa: E402
from support import genuine_sessions, make_task, open_session  # noqa: E402
from support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from web.dailies_fixtures import isolated_pyblish  # noqa: E402
from web.feedback_fixtures import personal_url  # noqa: E402
from web.frame_code import BAND, FIRST, RATE, SIZE, grey_frames  # noqa: E402

log = logging.getLogger("bench_sync_latency")

FRAMES = 240  # 10 s at 24 fps (frame_code FIRST, RATE, SIZE, BAND)
LAST = FIRST + FRAMES - 1
BITS = 10  # the frame's index in the shot, one block a bit
IN_SYNC = 2  # frames
LATE_TARGET_MS = 2000
SETTLE_S = 3.0  # the start of a playing stretch left out of its figures
LIGHT = 20
CLOCK_EVERY_S = 15  # presenter.js CLOCK_EVERY_MS
CLOCK_SAMPLES = 8  # presenter.js CLOCK_SAMPLES
MAX_GAP_MS = 400  # the presenter's pictures further apart than this tell nothing in between

# -- the coded movie ------------------------------------------------------------------------------


def coded_frames(folder: Path) -> Path:
    """FRAMES PNGs whose middle band codes their index in BITS black/white blocks."""
    top, bottom = round(BAND[0] * SIZE[1]), round(BAND[1] * SIZE[1])
    bit = f"mod(floor(N/pow(2,floor(X/{SIZE[0] // BITS}))),2)"
    return grey_frames(folder, f"if(between(Y,{top},{bottom - 1}),255*{bit},96)", FRAMES)


#: Run first in every document: each page logs every picture its main <video> presents
#: ([epoch ms it is displayed, media time, paused]) and every seek's end.
LOGGER = """(() => {
  const S = window.__sync = {log: [], seeked: []};
  const epoch = (t) => performance.timeOrigin + t;
  function hook(video) {
    if (video.__sync) return;
    video.__sync = true;
    const cb = (now, meta) => {
      S.log.push([epoch(meta.expectedDisplayTime || now), meta.mediaTime, video.paused ? 1 : 0]);
      video.requestVideoFrameCallback(cb);
    };
    video.requestVideoFrameCallback(cb);
    video.addEventListener("seeked", () => {
      S.seeked.push([epoch(performance.now()), video.currentTime]);
    });
  }
  const scan = () => document.querySelectorAll(".picture.main video").forEach(hook);
  document.addEventListener("DOMContentLoaded", () => {
    scan();
    new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
  });
})()"""

#: The frame the main <video> holds now (its picture drawn on a canvas, decoded), or null.
HELD = (
    """() => {
  const video = document.querySelector(".picture.main video");
  if (!video || video.readyState < 2 || video.seeking) return null;
  const canvas = document.createElement("canvas");
  canvas.width = 320; canvas.height = 180;
  const context = canvas.getContext("2d");
  context.drawImage(video, 0, 0, 320, 180);
  let value = 0;
  for (let i = 0; i < BITS; i++) {
    const d = context.getImageData(Math.floor((i + 0.5) * 320 / BITS), 90, 1, 1).data;
    const level = (d[0] + d[1] + d[2]) / 3;
    if (level >= 70 && level <= 185) return null;
    if (level > 185) value |= 1 << i;
  }
  return value < FRAMES ? {frame: FIRST + value, paused: video.paused} : null;
}""".replace("BITS", str(BITS))
    .replace("FRAMES", str(FRAMES))
    .replace("FIRST", str(FIRST))
)

TAKE = "() => { const l = window.__sync.log; window.__sync.log = []; return l; }"
#: Click the play button when the player is not yet as wanted (playing or paused): the time.
PLAY_PAUSE = """(want) => {
  const item = document.querySelector(".item");
  if (item.player.playing() === want) return null;
  item.querySelector("button.play").click();
  return performance.timeOrigin + performance.now();
}"""
#: Set the presenter's loop (not a toggle: a page opened while an earlier lead still holds the
#: room, as the next round trip's pages do within the grace period, follows its loop first).
LOOP = """(want) => {
  const item = document.querySelector(".item");
  if (item.player.loop !== want) item.querySelector("button.loop").click();
  return item.player.loop;
}"""
LOOPING = "() => document.querySelector('.item').player.loop"
#: The page's requests as it made them: [path, start, end] (epoch ms), the page's own first.
REQUESTS = """() => [performance.getEntriesByType("navigation")[0],
  ...performance.getEntriesByType("resource")].map((e) => [
  new URL(e.name).pathname, performance.timeOrigin + e.startTime,
  performance.timeOrigin + (e.responseEnd || e.startTime)])"""
MODE = "(m) => document.querySelector('main.items').dataset.presenter === m"
READY = (
    "() => { const m = document.querySelector('main.items');"
    " return m && m.dataset.live === 'open' && m.dataset.presenter !== undefined; }"
)


def frame_of(media_time: float) -> int:
    return FIRST + max(0, min(FRAMES - 1, math.floor(media_time * RATE + 0.01)))


def cyclic(offset: float) -> float:
    """An offset on the looping clip, the short way round."""
    return (offset + FRAMES / 2) % FRAMES - FRAMES / 2


# -- timelines ------------------------------------------------------------------------------------
@dataclass
class Timeline:
    """The pictures one page presented: epoch ms, frame, paused."""

    times: List[float] = field(default_factory=list)
    frames: List[int] = field(default_factory=list)
    paused: List[bool] = field(default_factory=list)
    media: List[float] = field(default_factory=list)

    def add(self, entries: Sequence[Sequence[float]]) -> None:
        for at, media, paused in sorted(entries):
            self.times.append(at)
            self.frames.append(frame_of(media))
            self.paused.append(bool(paused))
            self.media.append(media)

    def playing_frame(self, ms: float) -> Optional[float]:
        """The frame this page's playing picture was on at ``ms``, from the two pictures it
        presented around it (a busy page reports only some), when they show it played on
        steadily at 1x in between (within a frame); None: it cannot tell."""
        index = bisect.bisect_right(self.times, ms) - 1
        if (
            index < 0
            or index + 1 >= len(self.times)
            or self.paused[index]
            or self.paused[index + 1]
        ):
            return None
        t1, t2 = self.times[index], self.times[index + 1]
        played = (self.media[index + 1] - self.media[index]) % (FRAMES / RATE)
        if t2 - t1 > MAX_GAP_MS or abs(played - (t2 - t1) / 1000) * RATE > 1:
            return None
        media = (self.media[index] + (ms - t1) / 1000) % (FRAMES / RATE)
        return float(frame_of(media))

    def playing_between(self, start: float, end: float) -> List[Tuple[float, int]]:
        low, high = bisect.bisect_left(self.times, start), bisect.bisect_right(self.times, end)
        return [(self.times[i], self.frames[i]) for i in range(low, high) if not self.paused[i]]


def offsets(follower: List[Tuple[float, int]], lead: Timeline) -> List[Tuple[float, float]]:
    """(ms, frames off the presenter's picture at that instant) for each of ``follower``'s
    pictures the presenter's timeline can tell."""
    out = []
    for at, frame in follower:
        shown = lead.playing_frame(at)
        if shown is not None:
            out.append((at, cyclic(frame - shown)))
    return out


def in_sync_after(samples: List[Tuple[float, float]], since: float) -> Optional[float]:
    """ms from ``since`` until the samples are within IN_SYNC and stay so (None: never)."""
    if not samples:
        return None
    last_out = None
    for at, off in samples:
        if abs(off) > IN_SYNC:
            last_out = at
    later = [at for at, _ in samples if last_out is None or at > last_out]
    return later[0] - since if later else None


# -- the light protocol followers -----------------------------------------------------------------
class LightFollower:
    """A plain HTTP client of the presenter state and the live stream (no browser)."""

    def __init__(self, base: str, page_url: str) -> None:
        path, _, query = page_url.partition("?")
        self.presenter = f"{base}{path.rstrip('/')}/presenter?{query}"
        self.live = f"{base}{path.rstrip('/')}/live?{query}"
        self.offset = 0.0  # server s - local s
        self.rtt = math.inf
        self.states: List[Tuple[float, Dict[str, Any]]] = []  # (local s, public state)
        self.started = 0.0
        self.failure = ""

    async def ask(self, client: Any) -> None:
        """The server's clock as the page estimates it (presenter.js, Clock.learn): NTP's, from
        the answer's ``received`` and ``now`` when it has them; the least delay's is kept."""
        sent = time.time()
        response = await client.get(self.presenter)
        back = time.time()  # before the body is parsed
        answer = response.json()
        now = answer["now"]
        received = answer.get("received", now)
        delay = back - sent - max(0.0, min(now - received, back - sent))
        if delay <= self.rtt:
            self.rtt = delay
            self.offset = (received + now - sent - back) / 2
        self.states.append((back, answer["presenter"]))

    async def resample(self, client: Any) -> None:
        """As a following page does: CLOCK_SAMPLES answers in all at the start, one after the
        other, then one every CLOCK_EVERY_S."""
        for _ in range(CLOCK_SAMPLES - 1):
            await self.ask(client)
        while True:
            await asyncio.sleep(CLOCK_EVERY_S)
            await self.ask(client)

    async def run(self) -> None:
        import httpx2 as httpx

        self.started = time.time()
        try:
            async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=None)) as client:
                await self.ask(client)  # the page's first answer, then its stream
                resampling = asyncio.ensure_future(self.resample(client))
                try:
                    await self.listen(client)
                finally:
                    resampling.cancel()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # reported in the table
            self.failure = repr(error)

    async def listen(self, client: Any) -> None:
        async with client.stream("GET", self.live) as response:
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "presenter":
                    self.states.append((time.time(), json.loads(line[5:])))

    def state_at(self, local: float) -> Optional[Dict[str, Any]]:
        best = None
        for received, shared in self.states:
            if received > local:
                break
            if best is None or shared["seq"] >= best["seq"]:
                best = shared
        return best["state"] if best else None

    def frame_at(self, ms: float) -> Optional[float]:
        """The frame the protocol says the presenter shows at epoch ``ms`` (None: no state)."""
        state = self.state_at(ms / 1000)
        if not state or state.get("frame") is None:
            return None
        if not state["playing"]:
            return float(state["frame"])
        position = state["frame"] + 0.5
        if state.get("clock") is not None and self.rtt < math.inf:
            position += max(0.0, ms / 1000 + self.offset - state["clock"]) * RATE * state["speed"]
        if state["loop"]:
            position = FIRST + (position - FIRST) % FRAMES
        return float(math.floor(min(position, LAST)))

    def paused_on(self, frame: int, since_ms: float) -> Optional[float]:
        """ms after ``since_ms`` at which this follower held the paused ``frame`` for good."""
        arrived = None
        for received, shared in self.states:
            state = shared.get("state") or {}
            ok = not state.get("playing") and state.get("frame") == frame
            if received * 1000 >= since_ms:
                if ok and arrived is None:
                    arrived = received * 1000 - since_ms
                elif not ok:
                    arrived = None
        return arrived


# -- the session and the pages --------------------------------------------------------------------
def publish_session(server: Server, base: Path) -> Dict[str, Any]:
    """One coded shot in a session with two invitees for pages and one for each light follower;
    the owner's path, then the invitees' (Ann, Bob, the light followers)."""
    credentials = types.SimpleNamespace(url=server.url, api_key=KEY, api_user=USER)
    tag = uuid.uuid4().hex[:8]
    names = ["Ann", "Bob"] + [f"Light{i:02d}" for i in range(LIGHT)]  # each their own viewer
    people = [{"name": f"{n} Lee", "email": f"{n.lower()}-{tag}@studio.example"} for n in names]
    from ft_dcc.host.files import FilesHost
    from ft_dcc.publish import publish

    with isolated_pyblish(base), open_session(credentials, base) as session:
        task = make_task(session, f"sl{tag}", FIRST, LAST, RATE, task_name="anim")
        report = publish(
            FilesHost(coded_frames(base / "frames"), fps=RATE), task=task,
            review_session=f"Sync {tag}", comment="sync", invitees=people, session=session,
        )  # fmt: skip
        assert report.ok, str(report)
    with genuine_sessions(credentials, base / "schema-cache") as make:
        client = make()
        entity = client.get("ReviewSession", report.review_session_id)
        invitees = client.query(
            "select id, email from ReviewSessionInvitee where "
            f'review_session_id is "{report.review_session_id}"'
        ).all()
        urls = [personal_url(client, entity)] + [
            client.get_widget_url("review_session", entity=i)
            for i in sorted(invitees, key=lambda i: i["email"])
        ]
    return {"paths": [u[len(server.url) :] for u in urls]}


class Pages:
    """The Chromium pages of one run (each its own context, as each reviewer's browser)."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser = browser
        self.base = base
        self.contexts: Dict[str, Any] = {}
        self.pages: Dict[str, Any] = {}

    def open(self, name: str, path: str) -> Tuple[Any, float]:
        context = self.browser.new_context(viewport={"width": 1280, "height": 860})
        context.add_init_script(LOGGER)
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        started = time.time() * 1000
        response = page.goto(self.base + path)
        assert response is not None and response.status == 200, response
        page.wait_for_function(READY)
        self.contexts[name], self.pages[name] = context, page
        return page, started

    def close(self, name: str) -> None:
        self.contexts.pop(name).close()
        self.pages.pop(name)

    def close_all(self) -> None:
        for name in list(self.contexts):
            self.close(name)


# -- one run at one latency -----------------------------------------------------------------------
@dataclass
class Figures:
    rtt: int
    pause_pages: List[Optional[float]] = field(default_factory=list)  # ms, None: never
    pause_light: List[Optional[float]] = field(default_factory=list)
    play_pages: List[float] = field(default_factory=list)  # |frames off|
    play_light: List[float] = field(default_factory=list)
    late_page: Optional[float] = None
    late_picture: Optional[float] = None  # ms from the navigation to the page's first picture
    load: float = 0.0  # the machine's load average (1 min) at the end
    #: why a stretch was not (wholly) measured: a presenter that stopped, no pictures logged
    nothing: List[str] = field(default_factory=list)
    late_light: Optional[float] = None
    #: the light followers' estimates of the server's clock, ms off: the server and they run on
    #: one machine's clock, so it is their error (the bench's own, a starved Python process)
    light_clock: List[float] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    #: what the figures were computed from (written with --dump)
    raw: Dict[str, Any] = field(default_factory=dict)


def wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.05)
    raise TimeoutError(what)


def set_playing(page: Any, want: bool) -> float:
    """Play or pause the presenter with its button (again when a click came at a loop's end,
    where the movie is paused for a moment); the time of the click that did it."""
    clicked = None
    for _ in range(20):
        at = page.evaluate(PLAY_PAUSE, want)
        clicked = clicked if at is None else float(at)
        time.sleep(0.5)
        if page.evaluate("() => document.querySelector('.item').player.playing()") == want:
            return clicked if clicked is not None else time.time() * 1000
    raise TimeoutError(f"the presenter's player would not {'play' if want else 'pause'}")


def settled_frame(page: Any) -> int:
    """The presenter's paused picture once it stops changing."""

    def stable() -> Optional[int]:
        first = page.evaluate(HELD)
        time.sleep(0.3)
        second = page.evaluate(HELD)
        if first and second and first == second and second["paused"]:
            return int(second["frame"])
        return None

    return int(wait(stable, 30, "the presenter's paused picture never settled"))


def follower_on(page: Any, frame: int, since: float, timeout: float) -> Optional[float]:
    """ms after ``since`` at which ``page`` presented ``frame`` for good (None: not within
    ``timeout``), checked against the picture its <video> holds."""
    try:
        wait(lambda: (page.evaluate(HELD) or {}).get("frame") == frame
             and page.evaluate(HELD)["paused"], timeout, "")  # fmt: skip
    except TimeoutError:
        return None
    timeline = Timeline()
    timeline.add(page.evaluate("() => window.__sync.log"))
    times = [(t, f) for t, f in zip(timeline.times, timeline.frames) if t >= since]
    seeks = [t for t, _ in page.evaluate("() => window.__sync.seeked") if t >= since]
    last_other = max((t for t, f in times if f != frame), default=since)
    arrivals = [t for t, f in times if f == frame and t >= last_other]
    arrivals += [t for t in seeks if t >= last_other]
    return (min(arrivals) if arrivals else time.time() * 1000) - since


def pause_trials(pages: Pages, lights: List[LightFollower], trials: int, figures: Figures,
                 chance: random.Random) -> None:  # fmt: skip
    lead = pages.pages["lead"]
    followers = [pages.pages[n] for n in ("ann", "bob")]
    for _ in range(trials):
        set_playing(lead, True)
        time.sleep(chance.uniform(0.5, 1.5))
        clicked = set_playing(lead, False)
        frame = settled_frame(lead)
        for page in followers:
            figures.pause_pages.append(follower_on(page, frame, clicked, 15))
        deadline = time.time() + 15
        while time.time() < deadline and not all(
            light.paused_on(frame, clicked) is not None for light in lights
        ):
            time.sleep(0.05)
        figures.pause_light.extend(light.paused_on(frame, clicked) for light in lights)
        for page in [lead, *followers]:
            page.evaluate(TAKE)


def light_offsets(
    light: LightFollower, lead: Timeline, start: float, end: float
) -> List[Tuple[float, float]]:
    out = []
    at = start
    while at <= end:
        shown, model = lead.playing_frame(at), light.frame_at(at)
        if shown is not None and model is not None:
            out.append((at, cyclic(model - shown)))
        at += 50
    return out


def playing(pages: Pages, lights: List[LightFollower], seconds: float, figures: Figures) -> float:
    """Play at 1x for ``seconds``: the followers' offsets; the play click's time."""
    lead = pages.pages["lead"]
    clicked = set_playing(lead, True)
    time.sleep(seconds)
    timeline = Timeline()
    timeline.add(lead.evaluate(TAKE))
    start, end = clicked + SETTLE_S * 1000, time.time() * 1000
    figures.raw["play"] = {
        "clicked": clicked,
        "lead": timeline.__dict__,
        "lights": [[light.offset, light.rtt, light.states] for light in lights],
    }
    for name in ("ann", "bob"):
        mine = Timeline()
        mine.add(pages.pages[name].evaluate(TAKE))
        figures.raw["play"][name] = mine.__dict__
        figures.play_pages.extend(
            abs(o) for _, o in offsets(mine.playing_between(start, end), timeline)
        )
    for light in lights:
        figures.play_light.extend(abs(o) for _, o in light_offsets(light, timeline, start, end))
        figures.light_clock.append(abs(light.offset) * 1000)
    if stopped(timeline, clicked):  # the figures cover only part of the stretch, if any
        figures.nothing.append("1x: " + why_untold(timeline, clicked, end))
    elif not figures.play_pages or not figures.play_light:
        figures.nothing.append("1x: " + why_untold(timeline, start, end))
    return clicked


def stopped(lead: Timeline, since: float) -> bool:
    """Whether the presenter stopped after ``since`` (epoch ms): a picture shown paused and no
    playing one within a second after it (a busy page pauses for a moment at a loop's end)."""
    for i, at in enumerate(lead.times):
        if at >= since and lead.paused[i]:
            later = [t for t, p in zip(lead.times[i:], lead.paused[i:]) if not p]
            if not later or later[0] - at > 1000:
                return True
    return False


def why_untold(lead: Timeline, start: float, end: float) -> str:
    """Why the presenter's timeline told nothing between ``start`` and ``end`` (epoch ms)."""
    shown = [i for i, at in enumerate(lead.times) if start <= at <= end]
    if not shown:
        before = [i for i, at in enumerate(lead.times) if at < start]
        if before and lead.paused[before[-1]]:
            last = before[-1]
            ago = (start - lead.times[last]) / 1000
            return (
                f"the presenter had stopped (paused on frame {lead.frames[last]}) "
                f"{ago:.1f} s before the measured stretch"
            )
        seconds = (end - start) / 1000
        return f"the presenter's page logged no picture in the {seconds:.1f} s measured"
    stops = [i for i in shown if lead.paused[i] and stopped(lead, lead.times[i])]
    if stops:
        into = (lead.times[stops[0]] - start) / 1000
        return (
            f"the presenter stopped playing (paused on frame {lead.frames[stops[0]]}) "
            f"{into:.1f} s into the measured stretch"
        )
    return f"the presenter's {len(shown)} pictures were too far apart or off 1x to tell"


def late_join(pages: Pages, loop: LoopThread, base: str, paths: Tuple[str, str],
              figures: Figures, watch_s: float = 6.0) -> None:  # fmt: skip
    """While the presenter plays: Bob's page opened afresh, and a new light follower."""
    set_playing(pages.pages["lead"], True)  # a busy page can stop at a loop's end
    pages.close("bob")
    path, light_path = paths
    light = LightFollower(base, light_path)
    task = loop.submit(light.run())
    page, started = pages.open("bob", path)
    time.sleep(watch_s)
    end = time.time() * 1000
    lead_line = Timeline()
    lead_line.add(pages.pages["lead"].evaluate("() => window.__sync.log"))
    mine = Timeline()
    mine.add(page.evaluate(TAKE))
    samples = offsets(mine.playing_between(started, end), lead_line)
    if not samples:
        figures.nothing.append("late join: " + why_untold(lead_line, started, end))
    figures.raw["late"] = {
        "started": started,
        "end": end,
        "bob": mine.__dict__,
        "samples": samples,
        "light": [light.started, light.offset, light.states],
        "lead": lead_line.__dict__,
        "requests": page.evaluate(REQUESTS),
    }
    figures.late_page = in_sync_after(samples, started)
    figures.late_picture = (mine.times[0] - started) if mine.times else None
    light_samples = light_offsets(light, lead_line, light.started * 1000, end)
    figures.late_light = in_sync_after(light_samples, light.started * 1000)
    task.cancel()


def one_run(browser: Any, server: Server, loops: Tuple[LoopThread, LoopThread], paths: List[str],
            rtt: int, args: argparse.Namespace) -> Figures:  # fmt: skip
    """One round trip; ``loops``: the proxy's, and the light followers' (apart: the proxy's
    work would hold up their clock readings)."""
    loop, light_loop = loops
    figures = Figures(rtt)
    proxy = None
    base = server.url
    if rtt:
        proxy = DelayProxy(loop, server.port, rtt / 2, rtt / 10, seed=rtt)
        base = f"http://127.0.0.1:{proxy.port}"
    lights = [LightFollower(base, paths[3 + i]) for i in range(LIGHT)]
    tasks = [light_loop.submit(light.run()) for light in lights]
    pages = Pages(browser, base)
    try:
        lead, _ = pages.open("lead", paths[0])
        pages.open("ann", paths[1])
        pages.open("bob", paths[2])
        lead.locator(".presenter-bar .present").click()
        lead.wait_for_function(MODE, arg="lead")
        for name in ("ann", "bob"):
            pages.pages[name].wait_for_function(MODE, arg="follow")
        lead.evaluate(LOOP, True)
        for name in ("ann", "bob"):
            pages.pages[name].wait_for_function(LOOPING)
        pause_trials(pages, lights, args.trials, figures, random.Random(rtt))
        playing(pages, lights, args.play, figures)
        late_join(pages, light_loop, base, (paths[2], paths[3]), figures)
        set_playing(lead, False)
        for name, page in pages.pages.items():
            figures.errors.extend(f"{name}: {e}" for e in page.errors)
        figures.errors.extend(light.failure for light in lights if light.failure)
        figures.load = os.getloadavg()[0]
    finally:
        for task in tasks:
            task.cancel()
        pages.close_all()
        if proxy is not None:
            proxy.close()
    return figures


# -- the table ------------------------------------------------------------------------------------
def p95(values: List[float]) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def ms(value: Optional[float]) -> str:
    return "never" if value is None else f"{value:.0f} ms"


def spread(values: List[float]) -> str:
    """max and p95 of frame offsets; a stretch that told nothing says so (never "nan")."""
    if not values:
        return "NOTHING MEASURED"
    return f"max {max(values):.0f} p95 {p95(values):.0f}"


def row(f: Figures) -> Tuple[str, bool]:
    on = sum(v is not None for v in f.pause_pages)
    light_on = sum(v is not None for v in f.pause_light)
    worst = max((v for v in f.pause_pages if v is not None), default=math.nan)
    light_worst = max((v for v in f.pause_light if v is not None), default=math.nan)
    text = (
        f"{f.rtt:4d} ms | pause {on}/{len(f.pause_pages)} pages on frame (slowest {worst:5.0f} ms),"
        f" {light_on}/{len(f.pause_light)} light ({light_worst:4.0f} ms)"
        f" | 1x pages {spread(f.play_pages)} ({len(f.play_pages)} pictures told),"
        f" light {spread(f.play_light)} (their clock {max(f.light_clock, default=0):.0f} ms off)"
        f" | late join page {ms(f.late_page)} (first picture {ms(f.late_picture)}),"
        f" light {ms(f.late_light)} | load {f.load:.1f}"
    )
    good = (
        on == len(f.pause_pages) and light_on == len(f.pause_light)
        and bool(f.play_pages) and max(f.play_pages) <= IN_SYNC
        and bool(f.play_light) and max(f.play_light) <= IN_SYNC
        and f.late_page is not None and f.late_page <= LATE_TARGET_MS
        and f.late_light is not None and f.late_light <= LATE_TARGET_MS
        and not f.errors and not f.nothing
    )  # fmt: skip
    return text, good


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rtt", default="0,100,250", help="round trips in ms (0: no proxy)")
    parser.add_argument("--trials", type=int, default=6, help="pauses per round trip")
    parser.add_argument("--play", type=float, default=15.0, help="seconds played at 1x")
    parser.add_argument("--dump", type=Path, help="write each run's raw timelines here (JSON)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    for noisy in ("ft_dcc", "urllib3", "httpx2", "ftrack_api"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from playwright.sync_api import sync_playwright

    failed = False
    with tempfile.TemporaryDirectory(prefix="bench_sync_latency_") as temp, LoopThread() as loop, \
            LoopThread() as light_loop:  # fmt: skip
        server = Server(Path(temp))
        try:
            paths = publish_session(server, Path(temp))["paths"]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                print(f"Chromium {browser.version}; {LIGHT} light followers; jitter ±rtt/10 "
                      "each way", flush=True)  # fmt: skip
                for rtt in (int(r) for r in args.rtt.split(",")):
                    figures = one_run(browser, server, (loop, light_loop), paths, rtt, args)
                    text, good = row(figures)
                    if args.dump:
                        args.dump.mkdir(parents=True, exist_ok=True)
                        (args.dump / f"rtt{rtt}.json").write_text(
                            json.dumps(figures.__dict__, default=str)
                        )
                    print(text, "" if good else " <- misses a target", flush=True)
                    for why in figures.nothing:
                        print("     NOT MEASURED:", why, flush=True)
                    for error in figures.errors[:5]:
                        print("    ", error)
                    failed = failed or not good
                browser.close()
        finally:
            server.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
