"""A still on the review page in Firefox (Debian's firefox-esr over WebDriver BiDi), as in
Chromium (``still_checks``): fitted first, "1:1" shows the file's own pixels, zoom and pan by
dragging; screenshots at fit and 1:1 in test-artifacts/."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from support import make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from ..dailies_fixtures import isolated_pyblish
from ..still_checks import HEIGHT, READY, STATE, WIDTH, check_one_to_one, detailed_still
from .firefox import Firefox, firefox_or_skip

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
