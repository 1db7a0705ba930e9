"""A still on the review page in Firefox (Debian's firefox-esr over WebDriver BiDi), as in
Chromium (``still_checks``), as a reviewer of the room link (no administrator, no owner):
fitted first, "1:1" shows the file's own pixels, zoom and pan by dragging, then a note and a
drawing on it through the page's own controls, read back with the genuine ``ftrack_api`` client
(no frame on either); screenshots at fit and 1:1 in test-artifacts/."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from support import genuine_sessions, make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from ..dailies_fixtures import isolated_pyblish
from ..still_checks import HEIGHT, READY, STATE, WIDTH, check_one_to_one, detailed_still
from .firefox import Firefox, firefox_or_skip
from .test_player_firefox import say_who_i_am

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    yield from firefox_or_skip(tmp_path_factory.mktemp("firefox") / "driver.log")


def test_a_still_fits_first_and_shows_its_own_pixels_at_1_1(
    firefox: Firefox, embedded_server: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    source = detailed_still(tmp_path / "matte.png")
    with isolated_pyblish(tmp_path), open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"stillff{uuid.uuid4().hex[:8]}")
        report = publish(FilesHost(source), task=task, session=session,
                         review_session_name=f"Matte {tmp_path.name}")  # fmt: skip
    assert report.ok, str(report)
    assert firefox.goto(report.review_url) == 200
    firefox.wait(READY)
    view = ".still-view"
    assert firefox.evaluate(f"document.querySelector('{view}').dataset.zoom") == "fit"
    fitted = firefox.evaluate(
        f"(() => {{ const v = document.querySelector('{view}').getBoundingClientRect();"
        " const i = document.querySelector('img.still-image').getBoundingClientRect();"
        " return [i.width / v.width, i.height / v.height]; })()"
    )
    assert max(fitted) == pytest.approx(1, abs=0.02) and min(fitted) <= 1.001
    firefox.screenshot(artifacts_dir / "review_still_fit_firefox.png")

    firefox.click("button.still-actual")
    firefox.wait("document.querySelector('.still-scale').textContent === '100%'")
    state = firefox.evaluate(STATE)
    assert abs(state["cx"] - WIDTH / 2) <= 1 and abs(state["cy"] - HEIGHT / 2) <= 1
    firefox.screenshot(artifacts_dir / "review_still_1to1_firefox.png")
    shot = firefox.screenshot(tmp_path / "view.png", view)
    check_one_to_one(shot.read_bytes(), state, source)

    firefox.click("button.still-zoom-in")
    firefox.wait(f"document.querySelector('{view}').dataset.zoom === '2'")
    before = firefox.evaluate(STATE)
    firefox.drag(view, [(0.4, 0.4), (0.5, 0.45), (0.6, 0.5)])
    after = firefox.evaluate(STATE)
    assert after["cx"] < before["cx"] and after["cy"] < before["cy"]  # dragged right and down
    firefox.click("button.still-fit")
    firefox.wait(f"document.querySelector('{view}').dataset.zoom === 'fit'")

    # a note and a drawing on the still, as who the reviewer says they are; read back
    say_who_i_am(firefox)
    text = f"Cooler shadows {uuid.uuid4().hex[:6]}"
    firefox.evaluate("(() => { const t = document.querySelector('article.item textarea');"
                     f" t.value = {text!r}; t.dispatchEvent(new Event('input',"
                     " {bubbles: true})); })()")  # fmt: skip
    firefox.click("article.item button.add-note")
    firefox.wait(f"[...document.querySelectorAll('.note-list li')].some((li) =>"
                 f" li.textContent.includes({text!r}))")  # fmt: skip
    firefox.click("article.item button.draw-toggle")
    firefox.drag(".still-picture canvas.draw-layer", [(0.3, 0.3), (0.45, 0.4), (0.6, 0.5)])
    firefox.wait("document.querySelector('article.item').dataset.strokes === '1'")
    firefox.click("article.item button.draw-save")
    firefox.wait("document.querySelector('article.item').dataset.drawingsSaved === '1'")
    firefox.wait("(() => { const i = document.querySelector('.still-picture .overlays img');"
                 " return !!i && !i.hidden && i.complete && i.naturalWidth > 0; })()")  # fmt: skip
    object_id = firefox.evaluate("document.querySelector('article.item').dataset.objectId")
    with genuine_sessions(embedded_server, tmp_path / "cache") as make:
        reader = make()
        notes = reader.query(
            "select content, metadata, author.first_name, note_components.component.file_type "
            f'from Note where parent_id is "{object_id}"'
        ).all()
    written = {n["content"]: n for n in notes}
    assert set(written) == {text, ""}, list(written)
    assert all("frame" not in n["metadata"] for n in notes)  # a still's notes carry no frame
    drawn = written[""]["note_components"]
    assert [c["component"]["file_type"] for c in drawn] == [".png"]
