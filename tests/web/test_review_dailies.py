"""The dailies loop in real Chromium: two invitees review on their own links, each sees
the other's verdicts, notes and drawings appear live (no reload), and the genuine ``ftrack_api``
client reads exactly what they did.

v001 and v002 of one shot are published with ``ft_dcc.publish`` (real encode, invitees Ann and
Bob); every frame's colour tells its version and shot frame (``dailies_fixtures``).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest
from support import genuine_sessions, open_session
from support.browser import WAIT_MS, WEB_VIEWPORT

from .dailies_fixtures import (
    colour_at,
    decoded,
    go_to,
    isolated_pyblish,
    png_pixels,
    publish_versions,
    screenshot_pixels,
    start_drawing,
    version_of,
    wait_frame,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PEN_RED = (255, 59, 48)  # the page's first pen colour (#ff3b30)
#: Bob's name is untrusted text: it must show as written and never run.
BOB = "Bob <img src=x onerror=window.__xss=1> Ray"
OVERLAY_SHOWN = """([item, frame]) => {
  const image = item.querySelector(`.picture.main .overlays img[data-frame="${frame}"]`);
  return !!image && !image.hidden && image.complete && image.naturalWidth > 0;
}"""


def is_pen(rgb: Any) -> bool:
    return rgb[0] > 200 and rgb[1] < 110 and rgb[2] < 110


def open_link(chromium: Any, url: str) -> Tuple[Any, Any]:
    """A reviewer's own browser (context) on their link, once the live stream is open."""
    context = chromium.new_context(viewport=WEB_VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.csp_violations = []  # the page must run whole under its Content-Security-Policy
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text),
    )
    assert page.goto(url).status == 200
    page.wait_for_function(
        "() => { const m = document.querySelector('main.items');"
        " return m.dataset.live === 'open' && +m.dataset.feedbackLoaded >= 1; }"
    )
    return context, page


def shown_item(page: Any) -> Any:
    return page.locator(".asset-group article.item:not([hidden])")


@pytest.fixture
def dailies(embedded_server: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    people = {
        "ann": {"name": "Ann Lee", "email": f"ann-{tag}@studio.example"},
        "bob": {"name": BOB, "email": f"bob-{tag}@studio.example"},
    }
    with isolated_pyblish(tmp_path), open_session(embedded_server, tmp_path) as session:
        _, reports = publish_versions(
            session, tmp_path, (1, 2), review_session=f"Dailies {tag}",
            invitees=list(people.values()),
        )  # fmt: skip
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        client = make()
        invitees = {
            i["email"]: i
            for i in client.query(
                "select id, email, name from ReviewSessionInvitee "
                f'where review_session_id is "{reports[0].review_session_id}"'
            )
        }
        links = {
            who: client.get_widget_url("review_session", entity=invitees[person["email"]])
            for who, person in people.items()
        }
        # the dailies' reviewers are invited as clients who see each other (the studio's own
        # people on these pages are "Studio" to them: ft_dcc.server.review.reads.sight)
        client.create("EntitySetting", {
            "parent_id": reports[0].review_session_id, "parent_type": "ReviewSession",
            "group": "review", "name": "clients_see_each_other", "value": "true"})  # fmt: skip
        client.commit()
        yield {
            "make": make,
            "people": people,
            "links": links,
            "v001": reports[0].review_session_object_id,
            "v002": reports[1].review_session_object_id,
        }


def test_two_invitees_review_live_and_the_genuine_client_reads_it(
    dailies: Dict[str, Any], chromium: Any, artifacts_dir: Path, tmp_path: Path
) -> None:
    v002 = dailies["v002"]
    bob_context, bob = open_link(chromium, dailies["links"]["bob"])
    ann_context, ann = open_link(chromium, dailies["links"]["ann"])
    try:
        bob.evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads
        assert ann.locator(".reviewer").inner_text() == "Reviewing as Ann Lee"
        assert bob.locator(".reviewer").inner_text() == f"Reviewing as {BOB}"
        ann_item, bob_item = shown_item(ann), shown_item(bob)
        assert ann_item.get_attribute("data-object-id") == v002  # both open on the latest
        assert bob_item.get_attribute("data-object-id") == v002

        # Ann approves v002 and draws a stroke at frame 1012.
        ann_item.get_by_role("button", name="Approve").click()
        ann.wait_for_function("(i) => i.dataset.statusesSet === '1'", arg=ann_item.element_handle())
        assert ann_item.locator(".verdict.approve").get_attribute("aria-pressed") == "true"
        go_to(ann, ann_item, 1012)
        assert decoded(ann_item.locator(".picture.main video"), until=(2, 1012)) == (2, 1012)
        canvas = start_drawing(ann_item)
        y = canvas["y"] + canvas["height"] * 0.5
        ann.mouse.move(canvas["x"] + canvas["width"] * 0.2, y)
        ann.mouse.down()
        ann.mouse.move(canvas["x"] + canvas["width"] * 0.8, y, steps=12)
        ann.mouse.up()
        assert ann_item.get_attribute("data-strokes") == "1"
        assert ann_item.locator(".draw-frame").inner_text() == "1012"
        ann.screenshot(path=str(artifacts_dir / "review_player_drawing.png"))
        ann_item.locator(".draw-save").click()
        ann.wait_for_function(
            "(i) => i.dataset.drawingsSaved === '1'", arg=ann_item.element_handle()
        )
        ann.wait_for_function(OVERLAY_SHOWN, arg=[ann_item.element_handle(), 1012])

        # Bob writes a note at 1020 and requests changes.
        go_to(bob, bob_item, 1020)
        assert bob_item.locator(".note-at").inner_text() == "1020"
        bob_item.locator(".note-form textarea").fill("Hold the pose 4 frames <b>longer</b>")
        bob_item.locator("button.add-note").click()
        bob.wait_for_function("(i) => i.dataset.notesAdded === '1'", arg=bob_item.element_handle())
        bob_item.get_by_role("button", name="Request changes").click()
        bob.wait_for_function("(i) => i.dataset.statusesSet === '1'", arg=bob_item.element_handle())

        # Bob's page shows Ann's verdict and her drawing at 1012 without a reload.
        bob_item.locator(".status-entry.approved", has_text="Ann Lee").wait_for()
        assert bob_item.locator(".status-entry.approved .verdict-label").inner_text() == "Approved"
        assert bob_item.locator(".status-entry.require_changes .who").inner_text() == BOB
        bob_item.locator(".note.has-drawing .note-author", has_text="Ann Lee").wait_for()
        tab = bob.locator(f'.version-tab[data-object-id="{v002}"]')
        assert tab.get_attribute("data-status") == "require_changes"
        go_to(bob, bob_item, 1012)
        bob.wait_for_function(OVERLAY_SHOWN, arg=[bob_item.element_handle(), 1012])
        picture = bob_item.locator(".picture.main")
        pixels = screenshot_pixels(picture, artifacts_dir / "review_dailies_drawing_1012.png")
        assert is_pen(colour_at(pixels, 0.5, 0.5, radius=1)), colour_at(pixels, 0.5, 0.5)
        assert version_of(colour_at(pixels, 0.5, 0.25)) == 2  # the picture around the stroke

        # Frame-exact: the drawing leaves with its frame and comes back with it.
        bob.keyboard.press("ArrowRight")
        wait_frame(bob, bob_item, 1013)
        bob.wait_for_function(
            "(i) => i.querySelector('.picture.main .overlays').dataset.shown === '0'",
            arg=bob_item.element_handle(),
        )
        pixels = screenshot_pixels(picture, tmp_path / "1013.png")
        assert not is_pen(colour_at(pixels, 0.5, 0.5, radius=1))
        bob.keyboard.press("ArrowLeft")
        wait_frame(bob, bob_item, 1012)
        bob.wait_for_function(OVERLAY_SHOWN, arg=[bob_item.element_handle(), 1012])
        assert bob.evaluate("() => window.__sameDocument") is True

        # Ann's page shows Bob's note and verdict live too; she replies to his note.
        ann_note = ann_item.locator(".note", has_text="Hold the pose")
        ann_note.wait_for()
        assert ann_note.locator(".note-content").inner_text() == (
            "Hold the pose 4 frames <b>longer</b>"
        )
        assert ann_note.locator(".note-frame").first.inner_text() == "1020"
        ann_item.locator(".status-entry.require_changes", has_text=BOB).wait_for()
        assert ann_item.locator(".note-author", has_text="Bob").inner_text() == BOB
        ann_note.get_by_role("button", name="Reply").click()
        ann_note.locator(".reply-text").fill("Agreed, and ease out")
        ann_note.locator(".send-reply").click()
        bob_item.locator(".note.reply", has_text="Agreed, and ease out").wait_for()
        bob.locator(".session-name").click()
        bob.screenshot(path=str(artifacts_dir / "review_dailies_live.png"))
        assert bob.evaluate("() => window.__sameDocument") is True
        for reviewer in (ann, bob):
            assert reviewer.evaluate("() => window.__xss") is None
            assert reviewer.csp_violations == []
    finally:
        ann_context.close()
        bob_context.close()

    read_back(dailies, tmp_path)


def read_back(dailies: Dict[str, Any], tmp_path: Path) -> None:
    """The genuine ftrack_api client reads exactly what the two reviewers did."""
    import requests

    reader = dailies["make"]()
    people = dailies["people"]
    item = reader.get("ReviewSessionObject", dailies["v002"])
    statuses = {s["invitee"]["email"]: s["status"] for s in item["statuses"]}
    assert statuses == {
        people["ann"]["email"]: "approved",
        people["bob"]["email"]: "require_changes",
    }
    notes = list(item["notes"])
    drawing = next(n for n in notes if list(n["note_components"]))
    note = next(n for n in notes if n["content"].startswith("Hold the pose"))
    reply = next(n for n in notes if n["content"] == "Agreed, and ease out")
    assert drawing["author"]["email"] == people["ann"]["email"]
    assert drawing["metadata"].get("frame") == "1012"
    assert note["author"]["email"] == people["bob"]["email"]
    assert note["metadata"].get("frame") == "1020"
    assert reply["author"]["email"] == people["ann"]["email"]
    assert reply["in_reply_to"]["id"] == note["id"]
    assert len(notes) == 3
    assert list(reader.get("ReviewSessionObject", dailies["v001"])["notes"]) == []

    component = next(iter(drawing["note_components"]))["component"]
    location = reader.query('Location where name is "ftrack.server"').one()
    png = requests.get(location.get_url(component), timeout=30)
    assert png.status_code == 200
    rgba = png_pixels(png.content, tmp_path / "stroke.png")
    rows, cols = rgba.shape[:2]
    assert (cols, rows) == (320, 180)  # drawn at the movie's own resolution
    assert tuple(rgba[rows // 2, cols // 2]) == (*PEN_RED, 255)  # the stroke, opaque
    assert rgba[rows // 4, cols // 2][3] == 0  # transparent away from it


def test_a_version_published_while_the_page_is_open_appears_live(
    embedded_server: Any, tmp_path: Path, page: Any, artifacts_dir: Path
) -> None:
    name = f"Dailies {uuid.uuid4().hex[:8]}"
    with isolated_pyblish(tmp_path), open_session(embedded_server, tmp_path) as session:
        task, [first] = publish_versions(session, tmp_path, (1,), review_session=name)
        assert page.goto(first.review_url).status == 200
        page.wait_for_function("() => document.querySelector('main.items').dataset.live === 'open'")
        page.evaluate("() => { window.__sameDocument = true; }")
        assert page.locator(".compare-tools").is_hidden()  # one version: nothing to compare
        _, [second] = publish_versions(session, tmp_path, (2,), review_session=name, task=task)

    new_tab = page.locator(f'.version-tab[data-object-id="{second.review_session_object_id}"]')
    new_tab.wait_for()
    assert page.locator(".asset-group").count() == 1
    assert page.locator(".version-tab").all_text_contents() == ["v002latest", "v001"]
    assert page.locator(".version-count").inner_text() == "2 versions"
    assert page.locator(".count").inner_text() == "1 asset \u00b7 2 versions"
    assert page.locator(".compare-tools").is_visible()
    new_tab.click()
    item = shown_item(page)
    assert item.get_attribute("data-object-id") == second.review_session_object_id
    video = item.locator(".picture.main video")
    page.wait_for_function("(v) => v.readyState >= 2 && !v.seeking", arg=video.element_handle())
    assert decoded(video, until=(2, None))[0] == 2
    page.locator(".compare-with").select_option(first.review_session_object_id)
    other = item.locator(".picture.compare-b video")
    page.wait_for_function("(v) => v.readyState >= 2", arg=other.element_handle())
    go_to(page, item, 1005)
    page.wait_for_function(
        "(i) => i.querySelector('.compare-b').dataset.frame === '1005'", arg=item.element_handle()
    )
    assert (decoded(video, until=(2, 1005)), decoded(other, until=(1, 1005))) == (
        (2, 1005),
        (1, 1005),
    )
    assert page.evaluate("() => window.__sameDocument") is True
    page.screenshot(path=str(artifacts_dir / "review_dailies_new_version.png"))
