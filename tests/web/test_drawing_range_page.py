"""Drawings held over frames and the onion skin in real Chromium (the
checks of ``drawing_checks``, which Firefox runs too), and a saved drawing's frames changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .drawing_checks import Screen, check_held_drawings, draw_in_page, publish_coded_shot
from .frame_code import wait_until
from .player_checks import ChromiumDriver
from .room_fixtures import say_who_i_am

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def coded_shot(embedded_server: Any, tmp_path_factory: Any) -> str:
    tmp_path = tmp_path_factory.mktemp("drawing_range")
    return publish_coded_shot(embedded_server, tmp_path, "Held drawings")


def test_a_drawing_shows_on_every_frame_it_is_held_and_ghosts_on_its_neighbours(
    coded_shot: str, page: Any, artifacts_dir: Path
) -> None:
    assert page.goto(coded_shot).status == 200
    say_who_i_am(page)  # a room link writes only as the person who said who they are
    check_held_drawings(
        ChromiumDriver(page), coded_shot, page.reload, artifacts_dir, "drawing_range"
    )


def test_a_saved_drawings_frames_are_changed_in_the_page_and_it_moves_there(
    coded_shot: str, page: Any, artifacts_dir: Path
) -> None:
    """The author changes the frames of her saved drawing from its note ("Frames…"): it shows
    over the new frames and no longer over the old ones (decoded frames, stroke pixels)."""
    assert page.goto(coded_shot).status == 200
    say_who_i_am(page, "Range Editor", "range.editor@studio.example")
    screen = Screen(ChromiumDriver(page), artifacts_dir, "drawing_range")
    draw_in_page(screen, 1036, 1038)
    assert screen.looks(1037, "before_edit") == ("full", "none")
    item = page.locator(screen.item)
    note = item.locator('.note.has-drawing[data-frame="1036"]')
    note.locator(".edit-range").click()
    note.locator(".range-in").fill("1042")
    note.locator(".range-out").fill("1044")
    note.locator(".range-save").click()
    moved = item.locator('.note.has-drawing[data-frame="1042"]')
    wait_until(
        lambda: moved.count() == 1,
        lambda: (
            "not moved: "
            + " / ".join(item.locator(".range-form").all_inner_texts())
            + str(note.locator(".range-error").all_inner_texts())
        ),
    )
    assert moved.locator(".note-frame").inner_text() == "1042\u20131044"
    for frame in (1036, 1037, 1038, 1041, 1045):
        assert screen.looks(frame, "edited_outside") == ("none", "none"), frame
    for frame in (1042, 1043, 1044):
        assert screen.looks(frame, "edited_held") == ("full", "none"), frame
    # a range the movie has not is refused in the page, and the drawing stays where it is
    moved.locator(".edit-range").click()
    moved.locator(".range-out").fill("1049")
    moved.locator(".range-save").click()
    error = moved.locator(".range-error")
    wait_until(lambda: error.inner_text().startswith("Not changed: "), "the refusal shown")
    assert "1001-1048" in error.inner_text()
    item.screenshot(path=str(artifacts_dir / "drawing_range_edited.png"))
    assert screen.looks(1043, "edited_kept") == ("full", "none")
