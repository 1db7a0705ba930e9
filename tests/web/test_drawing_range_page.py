"""Drawings held over frames and the onion skin (issue 22, item 3) in real Chromium.

The published movie's every frame carries its number (``frame_code``); which frame the page
shows is decoded from screenshots, and whether a drawing is on that picture, faint (the onion
skin) or absent is read from the screenshot's pixels where its stroke runs (above the code's
band, so the two never mix).
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Any, Tuple

import imageio_ffmpeg
import pytest
from support import make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from .dailies_fixtures import isolated_pyblish, start_drawing
from .feedback_fixtures import Page, data_url, png_rgba
from .frame_code import FIRST, FRAMES, RATE, SIZE, coded_frames, shown, wait_until
from .room_fixtures import say_who_i_am

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RED_ROW = 0.15  # the pen stroke drawn in the page: across the top, above the code's band
GREEN_ROWS = range(140, 150)  # the drawing posted as a PNG: across the bottom
GREEN = (50, 215, 75, 255)


@pytest.fixture(scope="module")
def coded_shot(embedded_server: Any, tmp_path_factory: Any) -> str:
    """One version of a shot whose frames carry their numbers, in a review session: the
    session page's link."""
    tmp_path = tmp_path_factory.mktemp("drawing_range")
    with isolated_pyblish(tmp_path), open_session(embedded_server, tmp_path) as session:
        task = make_task(
            session, f"dr{uuid.uuid4().hex[:8]}", FIRST, FIRST + FRAMES - 1, RATE, task_name="anim"
        )
        report = publish(
            FilesHost(coded_frames(tmp_path / "v1", 1), fps=RATE),
            task=task,
            review_session="Held drawings",
            comment="pass 1",
            session=session,
        )
        assert report.ok, str(report)
    return str(report.review_url)


def colour_at(locator: Any, path: Path, row: float) -> Tuple[int, int]:
    """The strongest red-over-green and green-over-red excess across the picture's middle
    third at height ``row`` (a fraction), from a screenshot: (red excess, green excess)."""
    locator.screenshot(path=str(path))
    width, height = SIZE
    out = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(path),
         "-vf", f"scale={width}:{height}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    red = green = 0
    centre = round(row * height)
    for y in range(max(0, centre - 3), min(height, centre + 4)):
        for x in range(width // 3, 2 * width // 3):
            r, g, _b = out[(y * width + x) * 3 : (y * width + x) * 3 + 3]
            red, green = max(red, r - g), max(green, g - r)
    return red, green


def strength(excess: int) -> str:
    """A stroke's look from its colour excess over the grey picture: full, faint (the onion
    skin's 30 %) or none."""
    if excess > 110:
        return "full"
    if 25 <= excess <= 95:
        return "faint"
    return "none" if excess < 12 else "?"


class Screen:
    """Seeks the page's player and reads what it shows."""

    def __init__(self, page: Any, artifacts: Path) -> None:
        self.page = page
        self.item = page.locator("article.item:not([hidden])")
        self.video = self.item.locator(".picture.main video")
        self.picture = self.item.locator(".picture.main")
        self.artifacts = artifacts

    def seek(self, frame: int) -> None:
        self.item.locator(".scrub").evaluate(
            "(s, f) => { s.value = String(f);"
            " s.dispatchEvent(new Event('input', {bubbles: true})); }",
            frame,
        )
        wait_until(
            lambda: shown(self.video, self.artifacts / "drawing_range_seek.png") == (1, frame),
            lambda: f"the page never showed frame {frame}",
        )

    def looks(self, frame: int, name: str) -> Tuple[str, str]:
        """(red stroke, green stroke) as seen on ``frame``, once the overlay settled there."""
        self.seek(frame)
        overlays = self.item.locator(".picture.main .overlays")
        wait_until(
            lambda: overlays.get_attribute("data-frame") == str(frame),
            lambda: f"the drawings never followed frame {frame}",
        )
        path = self.artifacts / f"drawing_range_{name}_{frame}.png"

        def read() -> Any:
            # images decode asynchronously: read until two screenshots agree
            first = colour_at(self.picture, path, RED_ROW), colour_at(self.picture, path, 0.80)
            again = colour_at(self.picture, path, RED_ROW), colour_at(self.picture, path, 0.80)
            if first != again:
                return None
            return strength(first[0][0]), strength(first[1][1])

        seen = wait_until(read, lambda: f"frame {frame}: the picture does not settle")
        assert shown(self.video, path.with_suffix(".frame.png")) == (1, frame)
        return seen


def draw_in_page(screen: Screen, frame: int, hold_to: int) -> None:
    """Draw a red stroke across the top on ``frame`` with the page's pen, held to ``hold_to``."""
    screen.seek(frame)
    item = screen.item
    box = start_drawing(item)
    y = box["y"] + box["height"] * RED_ROW
    page = screen.page
    page.mouse.move(box["x"] + box["width"] * 0.2, y)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(box["x"] + box["width"] * (0.2 + 0.6 * step / 20), y)
    page.mouse.up()
    out = item.locator(".draw-out")
    assert out.input_value() == str(frame)  # one frame unless told
    out.fill(str(hold_to))
    item.locator(".draw-save").click()
    page.wait_for_function("(i) => i.dataset.drawingsSaved === '1'", arg=item.element_handle())


def test_a_drawing_shows_on_every_frame_it_is_held_and_ghosts_on_its_neighbours(
    coded_shot: str, page: Any, artifacts_dir: Path
) -> None:
    assert page.goto(coded_shot).status == 200
    say_who_i_am(page)  # a room link writes only as the person who said who they are
    screen = Screen(page, artifacts_dir)
    draw_in_page(screen, 1010, 1014)
    # a second drawing from another reviewer, on frame 1030 only, across the bottom
    api = Page(coded_shot)
    me = api.post("/whoami", {"name": "Other Reviewer", "email": "other@studio.example"})
    assert me.status_code in (200, 201), me.text
    api.token = me.json()["token"]
    object_id = screen.item.get_attribute("data-object-id")
    green = png_rgba(*SIZE, lambda x, y: GREEN if y in GREEN_ROWS else (0, 0, 0, 0))
    body = {"object_id": object_id, "frame": 1030, "png": data_url(green)}
    posted = api.post("/annotations", body)
    assert posted.status_code == 201, posted.text
    page.reload()
    screen = Screen(page, artifacts_dir)
    page.wait_for_function(
        "() => document.querySelectorAll('.overlays img.annotation').length >= 2"
    )

    # without the onion skin: each drawing on its own frames only
    for frame in (1010, 1012, 1014):
        assert screen.looks(frame, "held") == ("full", "none"), frame
    for frame in (1009, 1015, 1020):
        assert screen.looks(frame, "outside") == ("none", "none"), frame
    assert screen.looks(1030, "held") == ("none", "full")
    assert screen.looks(1031, "outside") == ("none", "none")

    # the onion skin: the drawing before and the one after, faintly
    screen.item.locator(".ghost-toggle").click()
    assert screen.looks(1020, "ghosts") == ("faint", "faint")
    assert screen.looks(1009, "ghosts") == ("faint", "none")  # only a drawing after it
    assert screen.looks(1031, "ghosts") == ("none", "faint")  # only one before it
    assert screen.looks(1012, "ghosts") == ("full", "faint")  # held here; the next one faint
    assert screen.looks(1030, "ghosts") == ("faint", "full")
    screen.item.locator(".ghost-toggle").click()  # off again
    assert screen.looks(1020, "ghosts_off") == ("none", "none")

    note = screen.item.locator('.note.has-drawing[data-frame="1010"]')
    assert note.locator(".note-frame").inner_text() == "1010\u20131014"
    screen.item.locator(".ghost-toggle").click()
    screen.looks(1016, "page")
    screen.item.screenshot(path=str(artifacts_dir / "drawing_range_page.png"))


def test_a_saved_drawings_frames_are_changed_in_the_page_and_it_moves_there(
    coded_shot: str, page: Any, artifacts_dir: Path
) -> None:
    """The author changes the frames of her saved drawing from its note ("Frames…"): it shows
    over the new frames and no longer over the old ones (decoded frames, stroke pixels)."""
    assert page.goto(coded_shot).status == 200
    say_who_i_am(page, "Range Editor", "range.editor@studio.example")
    screen = Screen(page, artifacts_dir)
    draw_in_page(screen, 1036, 1038)
    assert screen.looks(1037, "before_edit") == ("full", "none")
    note = screen.item.locator('.note.has-drawing[data-frame="1036"]')
    note.locator(".edit-range").click()
    note.locator(".range-in").fill("1042")
    note.locator(".range-out").fill("1044")
    note.locator(".range-save").click()
    moved = screen.item.locator('.note.has-drawing[data-frame="1042"]')
    wait_until(
        lambda: moved.count() == 1,
        lambda: (
            "not moved: "
            + " / ".join(screen.item.locator(".range-form").all_inner_texts())
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
    screen.item.screenshot(path=str(artifacts_dir / "drawing_range_edited.png"))
    assert screen.looks(1043, "edited_kept") == ("full", "none")
