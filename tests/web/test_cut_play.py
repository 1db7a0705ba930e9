""" "Play cut" on the review page, in Chromium and Firefox: the session a Supervisor made from an
EDL plays as one film, each shot from its cut in to its cut out, a gap held black, a version
shorter than its cut showing its missing frames as such; at each cut the first picture shown is
the next shot's cut-in frame and no shown picture is a handle frame before a cut in or a frame
of another shot (read from frames whose number is coded in the picture: :mod:`web.cut_checks`).
These play the two videos' hand-off, the page's fallback while the server builds the cut's one
movie: it stops each shot by frame callbacks and the clock, so on a busy machine a frame or two
of the outgoing shot past its cut out may show before its pause holds (``past_out``); the one
movie is frame-exact at every cut (``test_cut_film``). A note written in cut mode lands on the
version and frame under the playhead. The cut is the studio's: a client's link gets no cut.

The shared project's published shots (:mod:`web.cut_fixtures`) and a session of the module's own
made from an EDL of the first six (its notes, presenter and invitee are the module's); Chromium
and Firefox each play the same cut.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, Set

import pytest
import requests
from support import open_session
from support.browser import WAIT_MS, WEB_VIEWPORT

from .cut_checks import (
    HANDOFF,
    RECORDER,
    expected_pieces,
    note_in_cut,
    plan_cut,
    session_from_cut,
    wrong_cuts,
)
from .cut_fixtures import CUT_READY, SHARED_CUT_GROUP, SHARED_SHOTS, open_cut, open_room
from .feedback_fixtures import Page
from .firefox.firefox import Firefox
from .frame_code import BITS, READ_VIDEO_LEVELS

pytestmark = [pytest.mark.browser, pytest.mark.slow, SHARED_CUT_GROUP]

SHOTS = plan_cut(6)
PIECES = expected_pieces(SHOTS)
DONE = "document.querySelector('main.items').dataset.cut === 'done'"
MOVIES = {index for index, (kind, _) in enumerate(PIECES) if kind == "movie"}


#: a page held up as each cut is made (a starved machine: its main thread does not run for two
#: frames' time just after the cut's picture is made visible, before the recorder reads it): made
#: before the recorder's, this observer is told of each cut first
STALLED_AT_CUTS = """(() => {
  const view = document.querySelector(".cut-view");
  new MutationObserver(() => {
    const until = performance.now() + 100;
    while (performance.now() < until) { /* the machine is busy */ }
  }).observe(view, {attributes: true, attributeFilter: ["data-shown", "data-piece"]});
  return true;
})()"""


#: what a follower's page shows of the cut, for a wait that gives up (said in its error)
FOLLOWER_STATE = """(() => {
  const main = document.querySelector('main.items');
  const view = document.querySelector('.cut-view');
  return {presenter: main.dataset.presenter, cut: main.dataset.cut,
          applied: main.dataset.presenterApplied, record: view && view.dataset.record,
          shown: view && view.dataset.shown, piece: view && view.dataset.piece};
})()"""


def played_pieces(seen: Any) -> Set[int]:
    """The pieces of which a shown video presented a picture."""
    return {index for kind, index, *_ in seen if kind == "frame"}


@pytest.fixture(scope="module")
def cut_session(
    embedded_server: Any, cut_project: Dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Dict[str, Any]:
    """The module's own session (it presents and writes notes) of the shared project's shots."""
    scratch = tmp_path_factory.mktemp("cut_play")
    return session_from_cut(embedded_server, cut_project, scratch, SHOTS, "Play cut")


def test_the_pieces_expected_are_the_cuts() -> None:
    """The plan the checks hold the page to: a gap after the 3rd shot, the 4th shot's missing
    tail, six shots (the shared project's first six, as published)."""
    assert SHARED_SHOTS[:6] == SHOTS
    assert [kind for kind, _ in PIECES] == [
        "movie",
        "movie",
        "movie",
        "card",
        "movie",
        "card",
        "movie",
        "movie",
    ]


def test_in_chromium_each_cut_shows_the_next_shots_cut_in_frame(
    cut_session: Dict[str, Any], page: Any, artifacts_dir: Path
) -> None:
    open_cut(page, cut_session["url"], ready=CUT_READY, handoff=True)
    button = page.locator(".play-cut")
    assert button.is_visible()
    page.evaluate(STALLED_AT_CUTS)
    page.evaluate(RECORDER)
    button.click()
    page.wait_for_function(f"() => {DONE}", timeout=120_000)
    seen = page.evaluate("() => window.__cutSeen")
    cuts, pictures, wrong = wrong_cuts(seen, PIECES, past_out=True)
    assert wrong == []
    assert cuts == len(PIECES) and pictures > 0  # every cut read, and the shots played
    assert played_pieces(seen) == MOVIES
    assert page.locator(".cut-record").inner_text().startswith("01:00:")

    # seek onto the 4th shot's missing frames: the card says so, and the strip is there
    strip = page.locator(".cut-strip")
    box = strip.bounding_box()
    missing_at = _record_share(SHOTS[3].record_in + 10)
    strip.click(position={"x": box["width"] * missing_at, "y": box["height"] / 2})
    page.wait_for_function("() => document.querySelector('.cut-view').dataset.shown === 'card'")
    assert "missing" in page.locator(".cut-card-text").inner_text()
    page.locator(".cut-view").screenshot(path=str(artifacts_dir / "cut_play_missing.png"))
    # and onto the gap after the 3rd shot: held black, the card names its record timecodes
    gap_at = _record_share(SHOTS[2].record_out + 2)
    strip.click(position={"x": box["width"] * gap_at, "y": box["height"] / 2})
    page.wait_for_function(
        f"() => document.querySelector('.cut-view').dataset.record === '{SHOTS[2].record_out + 2}'"
    )
    assert page.locator(".cut-card-text").inner_text() == "gap 01:00:01:09\u201301:00:01:15"
    assert page.locator(".cut-view").get_attribute("data-shown") == "card"
    page.locator(".cut-view").screenshot(path=str(artifacts_dir / "cut_play_gap.png"))

    # a note in cut mode: on the version and frame under the playhead
    second = SHOTS[1]
    at = (box["width"] * _record_share(second.record_in + 4), box["height"] / 2)
    note_in_cut(page, at, second.source_in + 4, "The arm is late here")
    view = page.locator(".cut-view")
    view.screenshot(path=str(artifacts_dir / "cut_play_note.png"))
    page.screenshot(path=str(artifacts_dir / "cut_play_page.png"))
    notes = [
        n
        for item in Page(cut_session["url"]).feedback()["objects"].values()
        for n in item["notes"]
        if n["content"] == "The arm is late here"
    ]
    assert [n["frame"] for n in notes] == [second.source_in + 4]


#: a page the browser does not render (a hidden tab, a starved machine): no animation frame and no
#: video frame callback ever comes
UNRENDERED = """
window.requestAnimationFrame = () => 0;
HTMLVideoElement.prototype.requestVideoFrameCallback = function () { return 0; };
"""
#: while the cut plays, window.__cutSeen gets ["frame", piece, slot, levels] of the shown video
#: every 5 ms (a timer, not a rendering callback), and window.__cutEnded each piece whose video
#: played to its movie's end
SAMPLER = """(() => {
  const view = document.querySelector(".cut-view");
  const levels = (video) => (READ_VIDEO_LEVELS)(video, BITS);
  window.__cutEnded = [];
  const followed = new Set();
  window.setInterval(() => {
    view.querySelectorAll(".cut-video").forEach((video) => {
      if (followed.has(video)) return;
      followed.add(video);
      video.addEventListener("ended", () => window.__cutEnded.push(+view.dataset.piece));
    });
    const shown = [...view.querySelectorAll(".cut-video")].find(
      (v) => v.dataset.slot === view.dataset.shown);
    if (shown && !shown.seeking && shown.readyState >= 2) {
      window.__cutSeen.push(["frame", +view.dataset.piece, shown.dataset.slot, levels(shown)]);
    }
  }, 5);
  return true;
})()""".replace("READ_VIDEO_LEVELS", READ_VIDEO_LEVELS).replace("BITS", str(BITS))


def test_a_page_the_browser_does_not_render_plays_the_cut_to_its_end_by_the_clock(
    cut_session: Dict[str, Any], chromium: Any
) -> None:
    """With no animation frame and no video frame callback (a hidden tab, a starved machine),
    each shot still stops at its cut out by the clock (its movie never runs on to its end, no
    handle frame is held) and a gap's card ends when its time is up: the cut plays to its end
    instead of running a shot to its movie's end and stopping on the gap for good."""
    context = chromium.new_context(viewport=WEB_VIEWPORT)
    try:
        page = context.new_page()
        page.add_init_script(UNRENDERED)
        # its waits are polled by a timer (support.browser.POLL_MS): Playwright's own default
        # polling waits for animation frames
        open_cut(page, cut_session["url"], ready=CUT_READY, handoff=True)
        page.evaluate(STALLED_AT_CUTS)
        page.evaluate(RECORDER)
        page.evaluate(SAMPLER)
        page.locator(".play-cut").click()
        page.wait_for_function(f"() => {DONE}", timeout=180_000, polling=50)
        seen = page.evaluate("() => window.__cutSeen")
        ended = page.evaluate("() => window.__cutEnded")
    finally:
        context.close()
    cuts, pictures, wrong = wrong_cuts(seen, PIECES, past_out=True)
    assert wrong == []
    assert cuts == len(PIECES) and pictures > 0
    # only the shot cut past its movie's end (the 4th: piece 4) plays to the movie's end
    assert set(ended) <= {4}, ended


def _record_share(record: int) -> float:
    """Where record frame ``record`` (its middle) sits along the cut's strip (0..1)."""
    start, end = SHOTS[0].record_in, SHOTS[-1].record_out
    return (record - start + 0.5) / (end - start)


def test_in_firefox_each_cut_shows_the_next_shots_cut_in_frame(
    cut_session: Dict[str, Any], firefox: Firefox, artifacts_dir: Path
) -> None:
    open_cut(firefox, cut_session["url"], ready=CUT_READY, handoff=True)
    firefox.evaluate(RECORDER)
    firefox.evaluate("document.querySelector('.play-cut').scrollIntoView()")
    firefox.click(".play-cut")
    firefox.wait(DONE, 120_000)
    seen = firefox.evaluate("window.__cutSeen")
    cuts, pictures, wrong = wrong_cuts(seen, PIECES, past_out=True)
    assert wrong == []
    assert cuts == len(PIECES) and pictures > 0
    assert played_pieces(seen) == MOVIES
    firefox.screenshot(artifacts_dir / "firefox_cut_play.png", ".cut-view")


def test_the_room_follows_the_presenters_cut_frame_exact(
    cut_session: Dict[str, Any],
    chromium: Any,
    firefox: Firefox,
    embedded_server: Any,
    tmp_path: Path,
    artifacts_dir: Path,
) -> None:
    """The Supervisor presents in Chromium and plays the cut; the session's room link (a room
    guest, who is given no cut of their own) follows in Firefox: its page opens the cut the
    presenter shows and makes every cut it plays into frame-exact itself."""
    open_room(firefox, embedded_server, cut_session["session_id"], tmp_path)
    assert firefox.evaluate("document.querySelector('main.items').dataset.cutUrl") == ""
    firefox.evaluate(HANDOFF)
    firefox.evaluate(RECORDER)
    context = chromium.new_context(viewport=WEB_VIEWPORT)
    try:
        lead = context.new_page()
        lead.set_default_timeout(WAIT_MS)
        open_cut(lead, cut_session["url"], ready=CUT_READY, handoff=True)
        lead.locator(".presenter-bar .present").click()
        lead.wait_for_function(
            "() => document.querySelector('main.items').dataset.presenter === 'lead'"
        )
        firefox.wait("document.querySelector('main.items').dataset.presenter === 'follow'")
        # the cut opened and held at its start: the room's page opens it there too
        lead.locator(".play-cut").click()
        lead.locator(".cut-view .cut-play").click()
        lead.locator(".cut-strip").click(position={"x": 1, "y": 5})
        lead.wait_for_function(
            f"() => document.querySelector('.cut-view').dataset.record === '{SHOTS[0].record_in}'"
        )
        firefox.wait(
            "(() => { const v = document.querySelector('.cut-view'); return v && "
            f"v.dataset.record === '{SHOTS[0].record_in}' && v.dataset.shown; }})()",
            describe=FOLLOWER_STATE,
        )
        lead.locator(".cut-view .cut-play").click()
        lead.wait_for_function(f"() => {DONE}", timeout=120_000)
        last = len(PIECES) - 1
        firefox.wait(f"window.__cutSeen.some((s) => s[0] === 'cut' && s[1] === {last})", 60_000)
        firefox.screenshot(artifacts_dir / "firefox_cut_follower.png", ".cut-view")
        lead.locator(".presenter-bar .stop-presenting").click()
        firefox.wait("document.querySelector('main.items').dataset.presenter === 'none'")
    finally:
        context.close()
    cuts, pictures, wrong = wrong_cuts(
        firefox.evaluate("window.__cutSeen"), PIECES, joined=True, past_out=True
    )
    assert wrong == []
    assert cuts >= len(PIECES) // 2 and pictures > 0  # it played into the cuts after it joined


def test_a_clients_link_gets_no_cut_and_presents_none(
    cut_session: Dict[str, Any], embedded_server: Any, tmp_path: Path
) -> None:
    """The cut is the studio's editorial data: an invited client's page carries no cut address
    and the cut route refuses their link (nothing of the cut in the reply); handed the lead,
    they cannot present a cut (refused, the state unchanged). While the Supervisor presents the
    cut, the session's pages are shown it (the route answers the client too)."""
    with open_session(embedded_server, tmp_path) as session:
        review = session.get("ReviewSession", cut_session["session_id"])
        name = f"Cleo {uuid.uuid4().hex[:6]}"
        invitee = session.create(
            "ReviewSessionInvitee",
            {"review_session": review, "name": name, "email": f"{name[-6:]}@client.example"},
        )
        session.commit()
        client_url = session.get_widget_url("review_session", entity=invitee)
        invitee_id = invitee["id"]
    page = requests.get(client_url, timeout=60)
    assert page.status_code == 200
    assert 'data-cut-url=""' in page.text
    client, sup = Page(client_url), Page(cut_session["url"])
    lead = {"page": uuid.uuid4().hex, "secret": uuid.uuid4().hex}
    assert sup.post("/presenter", dict(op="take", **lead)).status_code == 200
    assert sup.post("/presenter", dict(op="stop", **lead)).status_code == 200  # nobody presents
    refused = client.get("/cut")
    assert refused.status_code == 403
    assert "segments" not in refused.text and "source_in" not in refused.text
    plan = sup.get("/cut").json()
    assert [s["label"].split()[0] for s in plan["segments"]] == [s.name for s in SHOTS]
    first = plan["segments"][0]

    lead = {"page": uuid.uuid4().hex, "secret": uuid.uuid4().hex}
    state = {"object_id": first["object_id"], "frame": first["source_in"], "playing": False}
    assert sup.post("/presenter", dict(op="take", **lead)).status_code == 200
    shown = sup.post(
        "/presenter", dict(op="state", state=dict(state, cut=first["record_in"]), **lead)
    )
    assert shown.status_code == 200, shown.text
    assert client.get("/cut").json()["segments"] == [  # the same cut, through the client's link
        dict(s, movie=s["movie"].replace(sup.token, client.token)) for s in plan["segments"]
    ]
    assert sup.post("/presenter", dict(op="state", state=state, **lead)).status_code == 200
    assert client.get("/cut").status_code == 403  # no longer presented

    # handed the lead, the client presents the shots but not the cut
    assert sup.post("/presenter", dict(op="hand", to=f"i:{invitee_id}", **lead)).status_code == 200
    mine = {"page": uuid.uuid4().hex, "secret": uuid.uuid4().hex}
    assert client.post("/presenter", dict(op="claim", **mine)).status_code == 200
    before = client.get("/presenter").json()["presenter"]
    tried = client.post(
        "/presenter", dict(op="state", state=dict(state, cut=first["record_in"]), **mine)
    )
    assert tried.status_code == 403 and "studio" in tried.json()["error"]
    assert client.get("/presenter").json()["presenter"] == before
    assert client.get("/cut").status_code == 403
    assert sup.post("/presenter", dict(op="stop", **lead)).status_code == 200


def _levels(version: int, frame: int) -> list:
    """The grey levels of a picture coded (``version``, shot ``frame``): :mod:`frame_code`."""
    from .frame_code import FIRST

    value = (version << 6) | (frame - FIRST)
    return [255 if value >> bit & 1 else 0 for bit in range(BITS)]


def test_the_hand_offs_check_lets_through_only_its_own_shot_past_its_cut_out() -> None:
    """The two videos' check (``past_out``) excuses a picture of the piece's own shot after its
    cut part, and nothing else: a handle before the cut in, another shot, a wrong cut-in."""
    pieces = [("movie", (1, 1010, 1020)), ("movie", (2, 1030, 1040))]
    cut = [["cut", 0, "a", _levels(1, 1010), "cut"], ["cut", 1, "b", _levels(2, 1030), "cut"]]
    late = ["frame", 0, "a", _levels(1, 1021)]
    assert wrong_cuts([*cut, late], pieces, past_out=True)[2] == []
    outside = "piece 0: picture (1, 1021) outside 1:1010-1019"
    assert wrong_cuts([*cut, late], pieces)[2] == [outside]
    for bad in (["frame", 0, "a", _levels(1, 1009)], ["frame", 1, "b", _levels(1, 1035)]):
        assert len(wrong_cuts([*cut, bad], pieces, past_out=True)[2]) == 1, bad
    early = [cut[0], ["cut", 1, "b", _levels(2, 1029), "cut"]]
    wrong = "cut to piece 1: picture (2, 1029), not (2, 1030)"
    assert wrong_cuts(early, pieces, past_out=True)[2] == [wrong]
