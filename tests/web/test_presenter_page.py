"""Presenter mode in three real Chromium pages: the session's owner presents,
an invitee follows, another invitee joins late; every following page lands on the presenter's
version, compare and frame, the frame decoded from the pixels Chromium shows (``frame_code``).
On PostgreSQL with 4 workers, where the pages' requests and streams land on any worker and the
presenter's states reach them across processes: the harder of the two backends, and the one this
whole walk-through is the check of. The shared SQLite server's presenter (one process) is followed
in Chromium by ``test_presenter_drift``, ``test_presenter_latency_first_state``,
``test_presenter_first_answer_lost``, ``test_watchers`` and ``test_room_together``, and its
states by ``test_presenter_api`` on both backends: the same walk on it too (the same page, the
same server code but for the relay between processes) cost 13 CPU-s of the suite.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import imageio_ffmpeg
import pytest
from support import genuine_sessions, make_task, open_session
from support.browser import WAIT_MS, WEB_VIEWPORT

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from .dailies_fixtures import isolated_pyblish, start_drawing
from .feedback_fixtures import personal_url
from .frame_code import FIRST, FRAMES, RATE, coded_frames
from .test_frame_truth import AT_FOCUS, Truth, visible_item

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POSTER = FIRST + FRAMES // 2
OVERLAY_SHOWN = """([item, frame]) => {
  const image = item.querySelector(`.picture.main .overlays img[data-frame="${frame}"]`);
  return !!image && !image.hidden && image.complete && image.naturalWidth > 0;
}"""


@pytest.fixture
def pg_dailies(pg_server: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """:func:`presented_dailies` on PostgreSQL's 4 workers."""
    yield from presented_dailies(pg_server, tmp_path)


@pytest.fixture
def sqlite_dailies(embedded_server: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """:func:`presented_dailies` on the shared SQLite server."""
    yield from presented_dailies(embedded_server, tmp_path)


def presented_dailies(server: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """v001 and v002 of a shot (frames coded with their number and version) in a session made
    by ``server``'s first user (its owner), with the invitees Ann and Bob; everyone's link."""
    tag = uuid.uuid4().hex[:8]
    people = {who: {"name": f"{who.capitalize()} Lee", "email": f"{who}-{tag}@studio.example"}
              for who in ("ann", "bob")}  # fmt: skip
    reports = []
    with isolated_pyblish(tmp_path), open_session(server, tmp_path) as session:
        task = make_task(session, f"pr{tag}", FIRST, FIRST + FRAMES - 1, RATE, task_name="anim")
        for number in (1, 2):
            report = publish(
                FilesHost(coded_frames(tmp_path / f"v{number}", number), fps=RATE),
                task=task, review_session_name=f"Presented {tag}", comment=f"pass {number}",
                invitees=list(people.values()), session=session,
            )  # fmt: skip
            assert report.ok, str(report)
            reports.append(report)
    with genuine_sessions(server, tmp_path / "schema-cache") as make:
        client = make()
        invitees = {
            i["email"]: i
            for i in client.query(
                "select id, email from ReviewSessionInvitee "
                f'where review_session_id is "{reports[0].review_session_id}"'
            )
        }
        links = {who: client.get_widget_url("review_session", entity=invitees[p["email"]])
                 for who, p in people.items()}  # fmt: skip
        # the dailies' reviewers are invited as clients who see each other (the studio's own
        # people on these pages are "Studio" to them: ft_dcc.server.review.reads.sight)
        client.create("EntitySetting", {
            "parent_id": reports[0].review_session_id, "parent_type": "ReviewSession",
            "group": "review", "name": "clients_see_each_other", "value": "true"})  # fmt: skip
        client.commit()
        yield {
            "backend": "sqlite" if "--database" not in server.extra_args else "postgresql",
            # the owner presents through their own link; the report's is the room's
            "owner": personal_url(
                client, client.get("ReviewSession", reports[0].review_session_id)
            ),
            "links": links,
            "keys": {who: "i:" + invitees[p["email"]]["id"] for who, p in people.items()},
            "v001": reports[0].review_session_object_id,
            "v002": reports[1].review_session_object_id,
        }


def open_page(chromium: Any, url: str, script: str = "") -> Tuple[Any, Any]:
    """Someone's own browser on their link (``script`` run first in each of its documents),
    once its live stream and presenter bar are up."""
    context = chromium.new_context(viewport=WEB_VIEWPORT)
    if script:
        context.add_init_script(script)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    assert page.goto(url).status == 200
    page.wait_for_function(
        "() => { const m = document.querySelector('main.items');"
        " return m.dataset.live === 'open' && m.dataset.presenter !== undefined; }"
    )
    return context, page


def mode(page: Any) -> str:
    return str(page.locator("main.items").get_attribute("data-presenter"))


def wait_mode(page: Any, wanted: str) -> None:
    page.wait_for_function(
        "(m) => document.querySelector('main.items').dataset.presenter === m", arg=wanted
    )


def side_by_side(pages: List[Any], path: Path) -> None:
    """Screenshots of ``pages`` next to each other in one PNG."""
    shots = []
    for index, page in enumerate(pages):
        shot = path.with_name(f"{path.stem}_{index}.png")
        page.screenshot(path=str(shot))
        shots.append(shot)
    inputs = [arg for shot in shots for arg in ("-i", str(shot))]
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", *inputs,
         "-filter_complex", f"hstack=inputs={len(shots)}", str(path)],
        check=True,
    )  # fmt: skip
    for shot in shots:
        shot.unlink()


def test_three_pages_follow_the_presenter_to_the_same_frame(
    pg_dailies: Dict[str, Any], chromium: Any, artifacts_dir: Path
) -> None:
    dailies = pg_dailies
    backend = dailies["backend"]
    contexts = []
    try:
        contexts.append(open_page(chromium, dailies["owner"]))
        contexts.append(open_page(chromium, dailies["links"]["ann"]))
        (_, lead), (_, ann) = contexts
        lead_truth = Truth(lead, artifacts_dir, f"presenter_{backend}_lead")
        ann_truth = Truth(ann, artifacts_dir, f"presenter_{backend}_ann")
        # The owner may present; an invitee may not (no button; the server refuses anyway).
        assert mode(lead) == "none" and lead.locator(".presenter-bar .present").is_visible()
        assert ann.locator(".presenter-bar .present").is_hidden()

        lead.locator(".presenter-bar .present").click()
        wait_mode(lead, "lead")
        wait_mode(ann, "follow")
        assert ann.locator(".presenter-status").inner_text().startswith("Following ")

        # Seek and step: the follower shows the same frame (decoded from its pixels).
        item = visible_item(lead)
        item.locator(".scrub").evaluate(
            "(s) => { s.value = '1010'; s.dispatchEvent(new Event('input', {bubbles: true})); }"
        )
        assert lead_truth.frame("scrub", 1010) == 1010
        assert ann_truth.frame("scrub", 1010) == 1010
        item.locator("button.step-forward").click()
        item.locator("button.step-forward").click()
        assert lead_truth.frame("step", 1012) == 1012
        assert ann_truth.frame("step", 1012) == 1012

        # Another version, then compared with v002 as a wipe: the same on the follower.
        lead.locator(f'.version-tab[data-object-id="{dailies["v001"]}"]').click()
        frame = lead_truth.frame("switch")
        assert lead_truth.last["version"] == 1
        assert ann_truth.frame("switch", frame) == frame and ann_truth.last["version"] == 1
        lead.locator(".compare-with").select_option(dailies["v002"])
        assert lead_truth.frame("compare", frame) == frame  # both pictures (side by side)
        assert ann_truth.frame("compare", frame) == frame
        ann_item = visible_item(ann)
        assert ann_item.get_attribute("data-compare-with") == dailies["v002"]
        # a wipe (its picture is half A, half B: not decoded) is followed, and back
        lead.locator('.compare-mode .mode[data-mode="wipe"]').click()
        ann.wait_for_function(
            "(i) => i.dataset.compareMode === 'wipe'", arg=ann_item.element_handle()
        )
        lead.locator('.compare-mode .mode[data-mode="side"]').click()
        ann.wait_for_function(
            "(i) => i.dataset.compareMode === 'side'", arg=ann_item.element_handle()
        )

        # In / out and speed, then play and pause: both land on the same frame.
        item = visible_item(lead)
        item.locator(".counter").click()
        lead.keyboard.press("Home")
        lead.keyboard.press("i")
        item.locator(".speed").select_option("0.5")
        ann.wait_for_function(
            "(i) => i.dataset.markIn === String(" + str(FIRST) + ")"
            " && i.querySelector('.speed').value === '0.5'",
            arg=ann_item.element_handle(),
        )
        item.locator("button.loop").click()  # plays until paused
        item.locator("button.play").click()
        playing = (
            "(i) => !i.querySelector('.picture.main video').paused && i.dataset.loop === 'true'"
        )
        ann.wait_for_function(playing, arg=ann_item.element_handle())
        # a follower whose movie stopped (a stall) is brought back by the presenter's next frame
        ann_item.locator(".picture.main video").evaluate("(v) => v.pause()")
        ann.wait_for_function(playing, arg=ann_item.element_handle())
        assert mode(ann) == "follow"
        item.locator("button.play").click()  # pause
        paused = lead_truth.frame("paused")
        assert ann_truth.frame("paused", paused) == paused
        side_by_side([lead, ann], artifacts_dir / f"presenter_side_by_side_{backend}.png")

        # A late joiner lands where the presenter is: version, compare, frame.
        contexts.append(open_page(chromium, dailies["links"]["bob"]))
        bob = contexts[-1][1]
        wait_mode(bob, "follow")
        bob_truth = Truth(bob, artifacts_dir, f"presenter_{backend}_bob")
        assert bob_truth.frame("late", paused) == paused
        assert visible_item(bob).get_attribute("data-compare-with") == dailies["v002"]

        # Ann watches on her own: the presenter's step reaches her page but does not move it;
        # back to following, she lands on the presenter's frame.
        ann.locator(".presenter-bar .watch-own").click()
        wait_mode(ann, "own")
        item.locator("button.step-forward").click()
        assert bob_truth.frame("own", paused + 1) == paused + 1
        seq = int(bob.locator("main.items").get_attribute("data-presenter-seq"))
        ann.wait_for_function(
            "(s) => +document.querySelector('main.items').dataset.presenterSeq >= s", arg=seq
        )
        assert ann_truth.frame("own", paused) == paused
        ann.locator(".presenter-bar .follow").click()
        assert ann_truth.frame("back", paused + 1) == paused + 1

        # The presenter draws: the drawing shows on every page at that frame, as it is saved.
        drawn = paused + 1
        # the owner's own link draws as the owner: no "Who are you?" on their page
        assert lead.locator(".whoami").count() == 0
        layer = start_drawing(item)
        y = layer["y"] + layer["height"] * 0.15  # above the frame code's band
        lead.mouse.move(layer["x"] + layer["width"] * 0.2, y)
        lead.mouse.down()
        lead.mouse.move(layer["x"] + layer["width"] * 0.8, y, steps=8)
        lead.mouse.up()
        item.locator(".draw-save").click()
        # a studio drawing is internal until shared: the presenter shares it, on the page
        share = item.locator(".note.has-drawing .share-toggle")
        share.wait_for()
        share.click()
        item.locator('.note.has-drawing .share-toggle[aria-pressed="true"]').wait_for()
        for page in (lead, ann, bob):
            page.wait_for_function(OVERLAY_SHOWN, arg=[visible_item(page).element_handle(), drawn])
        assert ann_truth.frame("drawn", drawn) == drawn
        side_by_side([lead, ann, bob], artifacts_dir / f"presenter_drawing_{backend}.png")

        # The lead handed to Ann: her page takes it, the owner's page follows her.
        lead.locator(".presenter-bar .hand-over").select_option(dailies["keys"]["ann"])
        wait_mode(ann, "lead")
        wait_mode(lead, "follow")
        visible_item(ann).locator("button.step-back").click()
        assert ann_truth.frame("handed", drawn - 1) == drawn - 1
        assert lead_truth.frame("handed", drawn - 1) == drawn - 1
        assert bob_truth.frame("handed", drawn - 1) == drawn - 1
        side_by_side([ann, lead], artifacts_dir / f"presenter_handed_over_{backend}.png")

        # A note lands on its frame while presenting. Ann plays; the owner, following, starts
        # a note: his page pauses where it was and watches on its own (Ann plays on). Ann starts
        # a note: her page pauses there, and Bob, following, lands on that frame too.
        for page in (lead, ann):
            visible_item(page).evaluate(AT_FOCUS)
        visible_item(ann).locator("button.play").click()
        for page in (lead, ann, bob):
            page.wait_for_function(
                "(i) => !i.querySelector('.picture.main video').paused",
                arg=visible_item(page).element_handle(),
            )
        visible_item(lead).locator(".note-form textarea").click()
        lead.keyboard.type("Hold")
        owner_began = lead.evaluate("() => window.__atFocus")
        wait_mode(lead, "own")
        assert lead_truth.frame("note", owner_began) == owner_began
        assert visible_item(ann).locator(".picture.main video").evaluate("(v) => !v.paused")
        visible_item(ann).locator(".note-form textarea").click()
        ann.keyboard.type("Here")
        ann_began = ann.evaluate("() => window.__atFocus")
        assert ann_truth.frame("note", ann_began) == ann_began
        assert bob_truth.frame("note", ann_began) == ann_began
        assert visible_item(ann).locator(".note-at").inner_text() == str(ann_began)
        assert lead_truth.frame("note_kept", owner_began) == owner_began

        # She stops: everyone plays on their own again.
        ann.locator(".presenter-bar .stop-presenting").click()
        for page in (lead, ann, bob):
            wait_mode(page, "none")
        for page in (lead, ann, bob):
            assert page.errors == [], page.errors
    finally:
        for context, _page in contexts:
            context.close()
