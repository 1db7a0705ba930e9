""" "Play cut" in the cut's one movie (the server conformed it: :mod:`web.test_cut_conform`), in
Chromium and Firefox, read back from the pictures (each version's frames code their number:
:mod:`web.frame_code`): the page waits for the movie to be built, plays the whole cut in one
``<video>``, and every picture it presents is the cut's frame at its time (none a handle frame,
none another part of a shot); then the page's own playhead is moved onto each cut's first frame
and onto the frame before it, and the picture there is the next shot's cut-in frame and the
shot before's last cut frame, with the page's record timecode, shot and version frame agreeing.
A note written there lands on that version and frame. The room (a follower, in Firefox) follows
a presenter's cut in the movie too, its picture the presenter's frame at each cut.

The shared cut (:mod:`web.cut_fixtures`: 12 shots, two gaps, a version shorter than its cut),
which these tests only read, on the shared server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from support.browser import WAIT_MS, WEB_VIEWPORT

from .cut_checks import Expected, expected_frames, note_in_cut
from .cut_fixtures import SHARED_CUT_GROUP, SHARED_SHOTS, open_cut, open_room
from .feedback_fixtures import Page
from .firefox.firefox import Firefox
from .frame_code import BITS, READ_VIDEO_LEVELS, decode_levels

pytestmark = [pytest.mark.browser, pytest.mark.slow, SHARED_CUT_GROUP]

SHOTS = SHARED_SHOTS
FRAMES, STARTS = expected_frames(SHOTS)
START = SHOTS[0].record_in
DONE = "document.querySelector('main.items').dataset.cut === 'done'"

#: while the cut plays in its movie: window.__filmSeen gets [mediaTime, levels, currentTime] of
#: every picture the movie presents (requestVideoFrameCallback; the video's time when the
#: picture was drawn: a callback run late draws a later one)
RECORDER = """(() => {
  const view = document.querySelector(".cut-view");
  const seen = window.__filmSeen = [];
  const levels = (video) => (READ_VIDEO_LEVELS)(video, BITS);
  const follow = () => {
    const video = view.querySelector('.cut-video[data-slot="film"]');
    if (!video) { window.setTimeout(follow, 5); return; }
    const onFrame = (now, meta) => {
      seen.push([meta.mediaTime, levels(video), video.currentTime]);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  follow();
  return true;
})()""".replace("READ_VIDEO_LEVELS", READ_VIDEO_LEVELS).replace("BITS", str(BITS))

#: moves the page's playhead (its own Cut) onto each record frame given, paused, and reads
#: [record, the page's record, version frame, shown, levels of the movie's picture there] once
#: the page is there (or, after WAIT_MS, as it is: never an evaluate that does not return)
SEEKER = (
    """(async (records) => {
  const cut = window.ftReview.cut;
  const view = document.querySelector(".cut-view");
  const video = view.querySelector('.cut-video[data-slot="film"]');
  const levels = (v) => (READ_VIDEO_LEVELS)(v, BITS);
  const out = [];
  const deadline = performance.now() + WAIT_MS;  // then each read as it is: the check says so
  for (const record of records) {
    cut.seekRecord(record);
    await new Promise((done) => {
      const check = () => {
        const there = view.dataset.record === String(record);
        if ((!video.seeking && video.readyState >= 2 && there) || performance.now() > deadline) {
          done();
        } else {
          window.setTimeout(check, 5);
        }
      };
      check();
    });
    out.push([record, +view.dataset.record, view.dataset.frame, view.dataset.shown,
              levels(video)]);
  }
  return out;
})""".replace("READ_VIDEO_LEVELS", READ_VIDEO_LEVELS)
    .replace("BITS", str(BITS))
    .replace("WAIT_MS", str(WAIT_MS))
)


def played_wrong(seen: List[Any], frames: Expected, lag: int = 1) -> Tuple[int, List[str]]:
    """(pictures that are the film's frame at their time, a line for each that is no frame of
    the film near its time: up to ``lag`` record frames before it, or after it up to one past
    where the video was when the picture was drawn). A picture off its callback's time is the
    reader's timing, not the film: Chromium's callback can draw the next frame, or on a busy
    machine a callback run late a later one; Firefox's draws an older one, under load up to a
    second older (its canvas copy of a playing video lags). Which picture each record frame is
    exactly is read paused (:data:`SEEKER`) and from the movie itself (``test_cut_conform``)."""
    exact, wrong = 0, []
    for place, (media_time, levels, drawn_at) in enumerate(seen):
        record = int(float(media_time) * 24 + 0.01)
        drawn = max(record, int(float(drawn_at) * 24 + 0.01))
        if record >= len(frames):
            continue
        picture = decode_levels(levels)
        if place == 0 and record == 0 and picture is None and not any(levels):
            continue  # Firefox's first callback draws the picture before it: none yet (black)
        if picture == frames[record]:
            exact += 1
        elif picture not in frames[max(0, record - lag) : drawn + 2]:
            wrong.append(f"record frame {record}: picture {picture}, not {frames[record]}")
    return exact, wrong


def seek_targets() -> List[int]:
    """Each cut's first record frame and the frame before it."""
    return [START + at for start in STARTS[1:] for at in (start - 1, start)]


def seek_wrong(read: List[Any]) -> List[str]:
    """What the paused playhead showed wrong at each cut: the picture, or the page's words."""
    wrong = []
    for record, said, frame, shown, levels in read:
        want: Optional[Tuple[int, int]] = FRAMES[record - START]
        picture = decode_levels(levels)
        if said != record or picture != want:
            wrong.append(f"record {record}: page at {said}, picture {picture}, not {want}")
        if (want is None) != (shown == "card") or (want and frame != str(want[1])):
            wrong.append(f"record {record}: the page says {shown} frame {frame!r}, not {want}")
    return wrong


def test_in_chromium_the_cut_plays_in_its_movie_every_cut_on_its_cut_in_frame(
    shared_cut: Dict[str, Any], page: Any, artifacts_dir: Path
) -> None:
    open_cut(page, shared_cut["url"])
    page.evaluate(RECORDER)
    page.locator(".play-cut").click()
    page.wait_for_function(f"() => {DONE}", timeout=120_000)
    assert page.locator(".cut-view").get_attribute("data-mode") == "film"
    exact, wrong = played_wrong(page.evaluate("() => window.__filmSeen"), FRAMES)
    assert wrong == []
    assert exact > len(FRAMES) // 2  # the pictures were read, most at their own time

    read = page.evaluate(f"{SEEKER}({seek_targets()})")
    assert seek_wrong(read) == [] and len(read) == 2 * (len(STARTS) - 1)

    # the strip moves the playhead; the missing frames' card, the gap's black, a shot
    strip = page.locator(".cut-strip")
    box = strip.bounding_box()

    def share(record: int) -> float:
        return float(box["width"] * (record - START + 0.5) / len(FRAMES))

    missing = SHOTS[3].record_in + 10
    strip.click(position={"x": share(missing), "y": box["height"] / 2})
    page.wait_for_function(
        "(r) => document.querySelector('.cut-view').dataset.record === String(r)", arg=missing
    )
    assert "missing" in page.locator(".cut-card-text").inner_text()
    page.locator(".cut-view").screenshot(path=str(artifacts_dir / "cut_film_missing.png"))
    second = SHOTS[1]
    at = (share(second.record_in + 4), box["height"] / 2)
    note_in_cut(page, at, second.source_in + 4, "Film: the arm is late here")
    page.locator(".cut-view").screenshot(path=str(artifacts_dir / "cut_film_shot.png"))
    notes = [
        (item_id, n["frame"])
        for item_id, item in Page(shared_cut["url"]).feedback()["objects"].items()
        for n in item["notes"]
        if n["content"] == "Film: the arm is late here"
    ]
    plan = Page(shared_cut["url"]).get("/cut").json()
    assert notes == [(plan["segments"][1]["object_id"], second.source_in + 4)]


def test_in_firefox_the_cut_plays_in_its_movie_every_cut_on_its_cut_in_frame(
    shared_cut: Dict[str, Any], firefox: Firefox, artifacts_dir: Path
) -> None:
    open_cut(firefox, shared_cut["url"])
    firefox.evaluate(RECORDER)
    firefox.evaluate("document.querySelector('.play-cut').scrollIntoView()")
    firefox.click(".play-cut")
    firefox.wait(DONE, 120_000)
    exact, wrong = played_wrong(firefox.evaluate("window.__filmSeen"), FRAMES, lag=24)
    assert wrong == []
    assert exact > 0
    read = firefox.evaluate(f"{SEEKER}({seek_targets()})")
    assert seek_wrong(read) == [] and len(read) == 2 * (len(STARTS) - 1)
    firefox.screenshot(artifacts_dir / "firefox_cut_film.png", ".cut-view")


#: the follower's movie picture and words where its page is now: [record, frame, shown, mode,
#: levels], once its movie is not seeking
FOLLOWER_AT = """(() => {
  const view = document.querySelector(".cut-view");
  const video = view && view.querySelector('.cut-video[data-slot="film"]');
  if (!video || video.seeking || video.readyState < 2) return null;
  return [+view.dataset.record, view.dataset.frame, view.dataset.shown, view.dataset.mode,
          (READ_VIDEO_LEVELS)(video, BITS)];
})()""".replace("READ_VIDEO_LEVELS", READ_VIDEO_LEVELS).replace("BITS", str(BITS))


#: the follower plays the cut in its movie, past the cut's first cut
PLAYS_ALONG = f"""(() => {{
  const view = document.querySelector(".cut-view");
  const video = view && view.querySelector('.cut-video[data-slot="film"]');
  return !!video && view.dataset.mode === "film" && !video.paused
    && +view.dataset.record >= {STARTS[1] + START};
}})()"""
PAUSED = "document.querySelector('main.items').dataset.cut === 'paused'"
#: the presenter's Play/Pause button pressed, unless the cut is no longer playing (it may
#: have played to its end meanwhile on a busy machine): checked and pressed in one step
PAUSE_IF_PLAYING = """() => {
  if (document.querySelector('main.items').dataset.cut !== 'playing') return false;
  document.querySelector('.cut-view .cut-play').click();
  return true;
}"""


def test_the_room_follows_the_presenters_cut_in_its_movie(
    shared_cut: Dict[str, Any],
    chromium: Any,
    firefox: Firefox,
    embedded_server: Any,
    tmp_path: Path,
    artifacts_dir: Path,
) -> None:
    """The Supervisor presents in Chromium and plays the cut in its movie; the room link (a
    room guest, shown the cut only while it is presented) follows in Firefox, in the movie too:
    it plays along (its movie playing past the first cut: then the presenter pauses; playing
    on to the end cost both browsers the rest of the cut for no further check), and where the
    presenter stops on a cut's first frame (or the frame before it), the room's picture is that
    frame."""
    open_room(firefox, embedded_server, shared_cut["session_id"], tmp_path)
    context = chromium.new_context(viewport=WEB_VIEWPORT)
    try:
        lead = context.new_page()
        lead.set_default_timeout(WAIT_MS)
        open_cut(lead, shared_cut["url"])
        lead.locator(".presenter-bar .present").click()
        firefox.wait("document.querySelector('main.items').dataset.presenter === 'follow'")
        lead.locator(".play-cut").click()
        # the room plays along in its movie (past the first cut): then the presenter pauses
        firefox.wait(PLAYS_ALONG, 120_000, describe=FOLLOWER_AT)
        lead.evaluate(PAUSE_IF_PLAYING)
        lead.wait_for_function(f"() => {DONE} || {PAUSED}")
        strip = lead.locator(".cut-strip")
        box = strip.bounding_box()
        for record in seek_targets()[:6]:
            x = box["width"] * (record - START + 0.5) / len(FRAMES)
            strip.click(position={"x": x, "y": box["height"] / 2})
            seen = firefox.wait(
                f"(() => {{ const at = {FOLLOWER_AT}; return at && at[0] === {record} && at; }})()"
            )
            assert seek_wrong([[record, seen[0], seen[1], seen[2], seen[4]]]) == []
            assert seen[3] == "film"
        firefox.screenshot(artifacts_dir / "firefox_cut_film_follower.png", ".cut-view")
        # a step of the follower's own is watching on their own: the presenter no longer moves it
        firefox.click(".cut-view .cut-step-forward")
        firefox.wait("document.querySelector('main.items').dataset.presenter === 'own'")
        firefox.wait(f"{FOLLOWER_AT} && {FOLLOWER_AT}[0] === {seek_targets()[5] + 1}")
        lead.locator(".presenter-bar .stop-presenting").click()
        firefox.wait("document.querySelector('main.items').dataset.presenter === 'none'")
    finally:
        context.close()
