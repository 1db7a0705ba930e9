"""Frame truth: the review page's counter, its "Note at frame" and the
picture agree after load, seek, step, pause, version switch and compare, whatever the order of
media events: the movie served fast, slow (throttled), from the browser's cache, or loaded
before the page's scripts run. In real Chromium.

Every frame of the published movies carries its own number and version in black and white
blocks (``frame_code``). What the viewer sees is decoded from screenshots of the page's video
(poster or picture, as Chromium composited it); the picture the video element holds (what a
play or a step goes on from) is decoded from the element itself.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from support import make_task, open_session
from support.browser import WAIT_MS

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from .dailies_fixtures import isolated_pyblish
from .feedback_fixtures import Page, personal_url
from .frame_code import (
    BITS,
    FIRST,
    FRAMES,
    RATE,
    READ_VIDEO_LEVELS,
    coded_frames,
    decode_levels,
    shown,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POSTER = FIRST + FRAMES // 2  # the publish's default thumbnail: the middle frame
#: a picture not looked at: the page's other readings did not agree yet
NOT_SETTLED = "not read: the page's other readings disagree"


@pytest.fixture(scope="module")
def coded_dailies(embedded_server: Any, tmp_path_factory: Any) -> Tuple[List[Any], str]:
    """v001 and v002 of one shot (frames coded with their number and version), in one review
    session; the reports and the session page's link."""
    tmp_path = tmp_path_factory.mktemp("frame_truth")
    reports = []
    with isolated_pyblish(tmp_path), open_session(embedded_server, tmp_path) as session:
        task = make_task(
            session, f"ft{uuid.uuid4().hex[:8]}", FIRST, FIRST + FRAMES - 1, RATE, task_name="anim"
        )
        for number in (1, 2):
            report = publish(
                FilesHost(coded_frames(tmp_path / f"v{number}", number), fps=RATE),
                task=task,
                review_session_name="Frame truth dailies",
                comment=f"pass {number}",
                session=session,
            )
            assert report.ok, str(report)
            reports.append(report)
    return reports, reports[-1].review_url


def visible_item(page: Any) -> Any:
    return page.locator(".asset-group article.item:not([hidden])")


#: The page's cheap readings of an item, in one round trip: counter, note frame, version,
#: whether the main video has settled and the frame code of the picture it holds (as
#: ``frame_code.held``); the same of the compared version's video when there is one. None
#: while the item's counter, note frame or video is not on the page yet.
CHEAP_READINGS = """(item, bits) => {
  const read = READ_VIDEO_LEVELS;
  const video = item.querySelector(".picture.main video");
  const counter = item.querySelector(".frame-number");
  const noteAt = item.querySelector(".note-at");
  if (!video || !counter || !noteAt) return null;  // not on the page yet
  const state = {
    counter: counter.innerText,
    note_at: noteAt.innerText,
    version: item.dataset.version,
    settled: video.readyState >= 2 && !video.seeking,
    held: read(video, bits),
  };
  const other = item.querySelector(".picture.compare-b video");
  if (other) {
    state.b_version = document.getElementById("item-" + item.dataset.compareWith).dataset.version;
    state.b_settled = other.readyState >= 2 && !other.seeking;
    state.b_held = read(other, bits);
  }
  return state;
}""".replace("READ_VIDEO_LEVELS", READ_VIDEO_LEVELS)


class Truth:
    """What one page shows, read back: counter, note frame and pictures."""

    def __init__(self, page: Any, artifacts: Path, name: str) -> None:
        self.page = page
        self.artifacts = artifacts
        self.name = name
        self.last: Dict[str, Any] = {}

    def read(self, step: str) -> Dict[str, Any]:
        """Every reading of the page. The cheap ones in one round trip; the screenshots (what
        Chromium composited, the costly part even as strips: ``frame_code.screenshot_levels``)
        only once the cheap readings agree: until then the page has not settled and they could
        not."""
        item = visible_item(self.page)
        video = item.locator(".picture.main video")
        other = item.locator(".picture.compare-b video")
        state: Dict[str, Any] = wait_until(
            lambda: item.evaluate(CHEAP_READINGS, BITS),
            "the item's counter, note frame and video",
            timeout=WAIT_MS / 1000,
        )
        for key in ("version", "b_version"):
            if key in state:
                state[key] = int(state[key].lstrip("v"))
        for key in ("held", "b_held"):
            if key in state:
                state[key] = decode_levels(state[key])
        pictures = [("seen", video, ""), ("b_seen", other, "_b")][: 2 if "b_held" in state else 1]
        for key, picture, suffix in pictures:
            state[key] = NOT_SETTLED
            if self.settling(state):
                path = self.artifacts / f"frame_truth_{self.name}_{step}{suffix}.png"
                state[key] = shown(picture, path)
        self.last = state
        return state

    @staticmethod
    def settling(state: Dict[str, Any]) -> bool:
        """Whether the cheap readings agree (counter, note frame, what each video holds)."""
        frame = int(state["counter"])
        ok = state["settled"] and state["note_at"] == state["counter"]
        ok = ok and state["held"] == (state["version"], frame)
        if "b_version" in state:
            ok = ok and state["b_settled"] and state["b_held"] == (state["b_version"], frame)
        return bool(ok)

    @staticmethod
    def agrees(state: Dict[str, Any]) -> Optional[int]:
        """The frame every reading names, or None while they differ."""
        frame = int(state["counter"])
        ok = Truth.settling(state) and state["seen"] == (state["version"], frame)
        if "b_version" in state:
            ok = ok and state["b_seen"] == (state["b_version"], frame)
        return frame if ok else None

    def frame(self, step: str, expect: Optional[int] = None) -> int:
        """Wait until counter, note frame and pictures agree; the frame they agree on (and, for
        a stable page, agree on again at the next reading)."""

        def check() -> Optional[int]:
            frame = self.agrees(self.read(step))
            if frame is None or (expect is not None and frame != expect):
                return None
            again = self.agrees(self.read(step))  # not a passing moment
            return frame if again == frame else None

        return wait_until(check, lambda: f"{self.name}/{step}: the page disagrees: {self.last}")


#: Remember the counter at the moment the video pauses (a capturing listener on the item runs
#: before the page's own listeners on the video).
AT_PAUSE = """(item) => item.addEventListener("pause",
    () => { window.__atPause = +item.dataset.frame; }, true)"""


#: Record that the item's main video started playing (a capturing listener on the item sees the
#: video's ``playing``, which does not bubble).
AT_PLAYING = """(item) => {
  window.__playing = false;
  item.addEventListener("playing", (event) => {
    if (event.target === item.querySelector("video")) window.__playing = true;
  }, true);
}"""


def test_scripts_that_run_after_the_movie_loaded_still_open_at_the_poster_frame(
    coded_dailies: Any, page: Any, artifacts_dir: Path
) -> None:
    """The race of the issue, made certain: the page's scripts are held back until the movie's
    metadata and first picture are loaded (a fast local server, a cached movie)."""
    _, url = coded_dailies
    held_scripts: List[Any] = []
    page.route("**/review/static/*.js", lambda route: held_scripts.append(route))
    page.goto(url, wait_until="commit")
    page.wait_for_function(
        "() => { const v = document.querySelector('video.video'); return v && v.readyState >= 2"
        " && document.scripts.length > 0; }"
    )
    wait_until(
        lambda: len(held_scripts) == page.evaluate("() => document.scripts.length") or None,
        lambda: f"only {len(held_scripts)} scripts were asked for",
    )
    assert page.evaluate("() => window.ftReview") is None  # no script ran yet
    for route in held_scripts:
        route.continue_()
    page.wait_for_function("() => window.ftReview && window.ftReview.Player")
    truth = Truth(page, artifacts_dir, "late_scripts")
    assert truth.frame("load") == POSTER
    visible_item(page).locator("button.step-forward").click()
    assert truth.frame("step", POSTER + 1) == POSTER + 1


def throttle(page: Any, kbytes_per_second: int, latency_ms: int) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": latency_ms,
            "downloadThroughput": kbytes_per_second * 1024,
            "uploadThroughput": -1,
        },
    )


def test_a_slow_movie_opens_at_the_poster_frame_and_steps_from_it(
    coded_dailies: Any, page: Any, artifacts_dir: Path
) -> None:
    _, url = coded_dailies
    throttle(page, kbytes_per_second=24, latency_ms=150)
    assert page.goto(url, wait_until="commit").status == 200
    truth = Truth(page, artifacts_dir, "slow")
    assert truth.frame("load") == POSTER
    visible_item(page).locator("button.step-back").click()
    assert truth.frame("step", POSTER - 1) == POSTER - 1


def test_a_cached_movie_opens_at_the_poster_frame_on_reload(
    coded_dailies: Any, page: Any, artifacts_dir: Path, embedded_server: Any, tmp_path: Path
) -> None:
    """Through the owner's own link, whose movies the browser may cache (a client link's
    watch-only parts are never stored: ``no-store``)."""
    reports, _ = coded_dailies
    with open_session(embedded_server, tmp_path) as session:
        entity = session.get("ReviewSession", reports[-1].review_session_id)
        url = personal_url(session, entity)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cached: List[str] = []
    cdp.on(
        "Network.responseReceived",
        lambda event: (
            cached.append(event["response"]["url"])
            if event["response"].get("fromDiskCache") or event["response"].get("fromMemoryCache")
            else None
        ),
    )
    assert page.goto(url).status == 200
    truth = Truth(page, artifacts_dir, "cache")
    assert truth.frame("first") == POSTER
    visible_item(page).locator("button.step-forward").click()
    assert truth.frame("moved", POSTER + 1) == POSTER + 1
    movie = visible_item(page).get_attribute("data-movie-url")
    page.reload()
    assert truth.frame("reload") == POSTER  # a reload opens at the poster again
    assert any(movie in url for url in cached), f"the movie was not served from cache: {cached}"


def test_counter_note_and_picture_agree_through_step_seek_pause_switch_and_compare(
    coded_dailies: Any, page: Any, artifacts_dir: Path
) -> None:
    reports, url = coded_dailies
    assert page.goto(url).status == 200
    truth = Truth(page, artifacts_dir, "fast")
    assert truth.frame("load") == POSTER
    item = visible_item(page)

    item.locator("button.step-forward").click()
    assert truth.frame("step_forward", POSTER + 1) == POSTER + 1
    item.locator(".counter").click()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert truth.frame("arrow_back", POSTER - 1) == POSTER - 1

    item.locator(".scrub").evaluate(
        "(s) => { s.value = '1040'; s.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    assert truth.frame("scrub", 1040) == 1040

    page.keyboard.press("Home")
    assert truth.frame("home", FIRST) == FIRST
    item.evaluate(AT_PAUSE)
    page.keyboard.press("l")
    page.wait_for_function(
        "(i) => +i.dataset.frame >= 1006", arg=item.element_handle(), timeout=WAIT_MS
    )
    page.keyboard.press("k")
    paused = truth.frame("paused")  # wherever the pause landed, all agree there
    # ... and it is the frame the viewer saw when pausing, not one before it
    assert paused == page.evaluate("() => window.__atPause"), paused

    # Another version: its own counter, note frame and picture agree too.
    page.locator(f'.version-tab[data-object-id="{reports[0].review_session_object_id}"]').click()
    assert visible_item(page).get_attribute("data-version") == "v001"
    first_v1 = truth.frame("switched")
    assert first_v1 == POSTER  # a version not shown before opens at its poster
    visible_item(page).locator("button.step-forward").click()
    assert truth.frame("switched_step", POSTER + 1) == POSTER + 1

    # Compare with v002: both pictures at the counter's frame, through steps and a pause.
    page.locator(".compare-with").select_option(reports[1].review_session_object_id)
    assert truth.frame("compare", POSTER + 1) == POSTER + 1
    visible_item(page).locator(".counter").click()
    page.keyboard.press("ArrowRight")
    assert truth.frame("compare_step", POSTER + 2) == POSTER + 2
    item = visible_item(page)
    # played: the movie may run to its end (under a second) before a check of ``paused`` on a
    # busy machine comes round, so its start is recorded as it happens
    item.evaluate(AT_PLAYING)
    page.keyboard.press("l")
    page.wait_for_function("() => window.__playing === true")
    page.keyboard.press("k")
    truth.frame("compare_paused")
    page.screenshot(path=str(artifacts_dir / "frame_truth_compare_page.png"))


#: Remember the counter at the moment the note box takes focus (a capturing listener on the
#: item runs before the page's own).
AT_FOCUS = """(item) => item.addEventListener("focusin", (event) => {
    if (event.target.matches(".note-form textarea")) window.__atFocus = +item.dataset.frame;
  }, true)"""


def test_a_note_typed_while_the_movie_plays_keeps_the_frame_where_typing_began(
    coded_dailies: Any, page: Any, artifacts_dir: Path, embedded_server: Any, tmp_path: Path
) -> None:
    """A client (an invitee's own link) plays v002 looping and starts typing: the player pauses
    on the frame shown when the note box took focus, the box names it, the note is saved there
    (read back by the studio), and playing on while the note is unsent does not move it."""
    reports, _ = coded_dailies
    with open_session(embedded_server, tmp_path) as session:
        entity = session.get("ReviewSession", reports[-1].review_session_id)
        name = f"Cleo {uuid.uuid4().hex[:6]}"
        invitee = session.create(
            "ReviewSessionInvitee",
            {"review_session": entity, "name": name, "email": f"{name[-6:]}@client.example"},
        )
        session.commit()
        client_url = session.get_widget_url("review_session", entity=invitee)
        studio_url = personal_url(session, entity)
    assert page.goto(client_url).status == 200
    truth = Truth(page, artifacts_dir, "note_while_playing")
    assert truth.frame("load") == POSTER
    item = visible_item(page)
    video = item.locator(".picture.main video")
    item.locator("button.loop").click()
    item.evaluate(AT_FOCUS)
    item.locator("button.play").click()
    page.wait_for_function(
        f"(i) => !i.querySelector('video').paused && +i.dataset.frame !== {POSTER}",
        arg=item.element_handle(), timeout=WAIT_MS,
    )  # fmt: skip
    text = item.locator(".note-form textarea")
    text.click()
    page.keyboard.type("The fin flickers here")
    began = page.evaluate("() => window.__atFocus")
    assert video.evaluate("(v) => v.paused"), "typing a note left the movie playing"
    assert truth.frame("typing", began) == began  # picture, counter and note box: that frame
    assert item.locator(".note-form .note-at").inner_text() == str(began)
    item.locator(".note-form").screenshot(path=str(artifacts_dir / "note_frame_held_box.png"))

    # Playing on before sending: the note keeps its frame (shown on the box); back in the box,
    # the player returns to it.
    item.locator("button.play").click()
    page.wait_for_function(
        f"(i) => !i.querySelector('video').paused && +i.dataset.frame !== {began}",
        arg=item.element_handle(), timeout=WAIT_MS,
    )  # fmt: skip
    assert item.locator(".note-form .note-at").inner_text() == str(began)
    text.click()
    page.keyboard.type(" and here.")
    assert truth.frame("typing_again", began) == began

    item.locator(".add-note").click()
    page.wait_for_function("(i) => i.dataset.notesAdded === '1'", arg=item.element_handle())
    notes = Page(studio_url).feedback()["objects"][reports[-1].review_session_object_id]["notes"]
    saved = [n for n in notes if n["content"] == "The fin flickers here and here."]
    assert [n["frame"] for n in saved] == [began], notes
    # the note is sent: the box follows the counter again
    after = began - 1 if began > FIRST else began + 1
    item.locator("button.step-back" if after < began else "button.step-forward").click()
    assert truth.frame("after_note", after) == after

    # A note is a to-do unless its writer ticks "Comment"; the list says which is which.
    text.click()
    page.keyboard.type("Nice light.")
    item.locator(".note-form .note-comment").check()
    item.locator(".add-note").click()
    page.wait_for_function("(i) => i.dataset.notesAdded === '2'", arg=item.element_handle())
    assert not item.locator(".note-form .note-comment").is_checked()
    notes = Page(studio_url).feedback()["objects"][reports[-1].review_session_object_id]["notes"]
    kinds = {n["content"]: (n["is_todo"], n["frame"]) for n in notes}
    assert kinds["The fin flickers here and here."] == (True, began)
    assert kinds["Nice light."] == (False, after)
    tags = item.locator(".note-list .note-kind-tag").all_inner_texts()
    assert sorted(tags) == ["Comment", "To-do"], tags
    item.locator(".notes").screenshot(path=str(artifacts_dir / "note_todo_and_comment.png"))
