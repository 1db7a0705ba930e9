"""A still on the review page, in real Chromium, through the page's own controls, as a reviewer
of the room link (no administrator, no owner): shown fitted first; "1:1" shows the picture's own
pixels (compared with the source file); zoom and pan; a note on it (no frame) read back with the
genuine ``ftrack_api`` client; then a movie joins the session and the page shows both. Screenshots
at fit, at 1:1 and of the mixed session are saved for a person to look at.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from support import genuine_sessions, make_sequence, make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from .room_fixtures import say_who_i_am
from .still_checks import HEIGHT, READY, STATE, WIDTH, check_one_to_one, detailed_still

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("pyblish_isolation")]
pytest.importorskip("PIL.Image")


def test_a_still_fits_first_shows_its_own_pixels_at_1_1_and_takes_a_note(
    embedded_server: Any, tmp_path: Path, page: Any, artifacts_dir: Path
) -> None:
    source = detailed_still(tmp_path / "concept.png")
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"still{uuid.uuid4().hex[:8]}")
        name = f"Concept {tmp_path.name}"
        report = publish(FilesHost(source), task=task, session=session,
                         review_session_name=name)  # fmt: skip
    assert report.ok, str(report)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.goto(report.review_url).status == 200
    view = page.locator(".still-view")
    page.wait_for_function(f"() => {READY}")
    # fitted first: the whole picture inside the view
    assert view.get_attribute("data-zoom") == "fit"
    box, shown = view.bounding_box(), page.locator("img.still-image").bounding_box()
    assert shown["width"] <= box["width"] + 1 and shown["height"] <= box["height"] + 1
    assert max(shown["width"] / box["width"], shown["height"] / box["height"]) > 0.98
    page.screenshot(path=str(artifacts_dir / "review_still_fit.png"))

    # 1:1: the screen shows the file's own pixels around the view's middle
    page.locator("button.still-actual").click()
    assert page.locator("button.still-actual").get_attribute("aria-pressed") == "true"
    assert page.locator(".still-scale").inner_text() == "100%"
    state = page.evaluate(f"() => {STATE}")
    assert abs(state["cx"] - WIDTH / 2) <= 1 and abs(state["cy"] - HEIGHT / 2) <= 1
    page.screenshot(path=str(artifacts_dir / "review_still_1to1.png"))
    check_one_to_one(view.screenshot(), state, source)

    # zoom and pan
    page.locator("button.still-zoom-in").click()
    assert view.get_attribute("data-zoom") == "2"
    before = page.evaluate(f"() => {STATE}")
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 400, box["y"] + 350, steps=4)
    page.mouse.up()
    after = page.evaluate(f"() => {STATE}")
    assert after["cx"] == pytest.approx(before["cx"] - 50, abs=1)  # 100 screen px at 2x
    assert after["cy"] == pytest.approx(before["cy"] - 25, abs=1)
    page.locator("button.still-fit").click()
    assert view.get_attribute("data-zoom") == "fit"

    # a note on the still: no frame
    say_who_i_am(page)
    text = f"Warmer sky {uuid.uuid4().hex[:6]}"
    page.locator("article.item textarea").fill(text)
    page.locator("article.item button.add-note").click()
    page.locator(".note-list li", has_text=text).wait_for()
    with genuine_sessions(embedded_server, tmp_path / "cache") as make:
        reader = make()
        note = reader.query(
            f'select content, metadata, author.first_name from Note where content is "{text}"'
        ).one()
        assert "frame" not in note["metadata"]

    # a drawing on the still, with the page's own tools; shown over the picture once saved
    page.locator("article.item button.draw-toggle").click()
    canvas = page.locator(".still-picture canvas.draw-layer")
    area = canvas.bounding_box()
    page.mouse.move(area["x"] + area["width"] * 0.3, area["y"] + area["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * 0.6, area["y"] + area["height"] * 0.5, steps=6)
    page.mouse.up()
    assert page.locator("article.item").get_attribute("data-strokes") == "1"
    page.locator("article.item button.draw-save").click()
    page.wait_for_function("() => document.querySelector('article.item').dataset.drawingsSaved"
                           " === '1'")  # fmt: skip
    page.locator(".still-picture .overlays img").first.wait_for()
    page.screenshot(path=str(artifacts_dir / "review_still_drawing.png"))
    with genuine_sessions(embedded_server, tmp_path / "cache2") as make:
        reader = make()
        object_id = page.locator("article.item").get_attribute("data-object-id")
        drawn = reader.query(
            "select note_id, component.file_type, note.metadata from NoteComponent "
            f'where note.parent_id is "{object_id}"'
        ).all()
        assert [d["component"]["file_type"] for d in drawn] == [".png"], drawn
        assert "frame" not in drawn[0]["note"]["metadata"]  # a still's drawing has no frame
    listed = page.locator(".note-list li.has-drawing")
    assert listed.locator(".note-frame").inner_text() == "\u2013"
    assert listed.locator(".edit-range").count() == 0  # no frames to hold a still's drawing over
    page.wait_for_function("() => document.querySelector('.note-list li.has-drawing "
                           ".note-drawing').dataset.still === 'picture'")  # fmt: skip

    # a session of a still and a movie: the movie is played by the player, the still shown
    with open_session(embedded_server, tmp_path / "movie") as session:
        movie = publish(FilesHost(make_sequence(tmp_path / "anim", frames=12), fps=25),
                        task=task, session=session, review_session_name=name)  # fmt: skip
    assert movie.ok, str(movie)
    assert page.goto(report.review_url).status == 200
    page.wait_for_function(f"() => {READY}")
    assert page.locator("article.item video.video").count() == 1
    assert page.locator("article.item img.still-image").count() == 1
    page.screenshot(path=str(artifacts_dir / "review_mixed_session.png"), full_page=True)
