"""Drawings held over frames and the onion skin, checked the same in any browser through a
``player_checks.Driver``: the movie's every frame carries its number (``frame_code``); which
frame the page shows is decoded from screenshots, and whether a drawing is on that picture,
faint (the onion skin) or absent is read from the screenshot's pixels where its stroke runs
(above the code's band, so the two never mix).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image
from support import make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from .dailies_fixtures import isolated_pyblish
from .feedback_fixtures import Page, data_url, png_rgba
from .frame_code import (
    FIRST,
    FRAMES,
    RATE,
    SIZE,
    coded_frames,
    decode_levels,
    strip_levels,
    wait_until,
)
from .player_checks import Driver, El, Region, call

RED_ROW = 0.15  # the pen stroke drawn in the page: across the top, above the code's band
GREEN_ROWS = range(140, 150)  # the drawing posted as a PNG: across the bottom
GREEN = (50, 215, 75, 255)
#: What a reading captures of the picture (left, top, right, bottom): a strip through the frame
#: code's blocks, and the middle third across both strokes' rows. Parts, not the whole picture:
#: a capture costs the browser by its area, and a check reads pictures by the dozen.
CODE_STRIP: Region = (0.0, 0.49, 1.0, 0.51)
STROKES: Region = (1 / 3, 0.10, 2 / 3, 0.85)


def publish_coded_shot(server: Any, tmp_path: Path, review_session: str) -> str:
    """One version of a shot whose frames carry their numbers, in ``review_session``: the
    session page's link."""
    with isolated_pyblish(tmp_path), open_session(server, tmp_path) as session:
        task = make_task(
            session, f"dr{uuid.uuid4().hex[:8]}", FIRST, FIRST + FRAMES - 1, RATE, task_name="anim"
        )
        report = publish(
            FilesHost(coded_frames(tmp_path / "v1", 1), fps=RATE),
            task=task,
            review_session_name=review_session,
            comment="pass 1",
            session=session,
        )
        assert report.ok, str(report)
    return str(report.review_url)


def colours_at(
    path: Path, rows: Sequence[float], region: Region = (0.0, 0.0, 1.0, 1.0)
) -> List[Tuple[int, int]]:
    """The strongest red-over-green and green-over-red excess across the middle third of the
    picture at each height of ``rows`` (fractions of the picture), from the screenshot at
    ``path`` of its ``region`` (scaled as the whole picture scaled to SIZE): (red excess, green
    excess). Decoded once, here (Pillow): an ffmpeg process for each row cost 0.025 CPU-s,
    this 0.01 for all (the same looks on every screenshot the suite keeps)."""
    left, top, right, bottom = region
    width, height = round(SIZE[0] * (right - left)), round(SIZE[1] * (bottom - top))
    with Image.open(path) as picture:
        scaled = picture.convert("RGB").resize((width, height), Image.BICUBIC)
        pixels = np.asarray(scaled, dtype=np.int16)
    first, last = round((1 / 3 - left) * SIZE[0]), round((2 / 3 - left) * SIZE[0])
    excesses = []
    for row in rows:
        centre = round((row - top) * SIZE[1])
        band = pixels[max(0, centre - 3) : min(height, centre + 4), max(0, first) : last]
        red = band[..., 0] - band[..., 1]
        excesses.append((max(0, int(red.max())), max(0, int((-red).max()))))
    return excesses


def strength(excess: int) -> str:
    """A stroke's look from its colour excess over the grey picture: full, faint (the onion
    skin's 30 %) or none."""
    if excess > 110:
        return "full"
    if 25 <= excess <= 95:
        return "faint"
    return "none" if excess < 12 else "?"


#: Whether the item's counter names the frame and its video holds a picture, not seeking.
SETTLED_ON = """(item, frame) => {
  const video = item.querySelector(".picture.main video");
  return item.dataset.frame === String(frame) && !video.seeking && video.readyState >= 2;
}"""


#: Whether each drawing the overlay shows has its picture decoded (awaited): an image just
#: loaded or unhidden is decoded asynchronously, and until then the browser paints nothing of
#: it (two quick readings of a picture without it agree).
SHOWN_DECODED = """async (overlays) => {
  const shown = [...overlays.querySelectorAll("img.annotation")].filter((i) => !i.hidden);
  await Promise.all(shown.map((i) => i.decode().catch(() => null)));
  return shown.every((i) => i.complete && i.naturalWidth > 0);
}"""


class Screen:
    """Seeks the page's player and reads what the browser shows."""

    def __init__(self, driver: Driver, artifacts: Path, name: str) -> None:
        self.driver = driver
        self.item = "article.item:not([hidden])"
        self.video = f"{self.item} .picture.main video"
        self.picture = f"{self.item} .picture.main"
        self.artifacts = artifacts
        self.name = name

    def shown(self, path: Path) -> Optional[Tuple[int, int]]:
        """(version, frame) the browser shows in the video's place, from a screenshot of the
        strip through the frame code."""
        return decode_levels(strip_levels(self.driver.screenshot(path, self.video, CODE_STRIP)))

    def seek(self, frame: int) -> None:
        """Seek with the scrub bar; once the page says it has the frame's picture (a cheap
        wait in the page), until the browser shows it."""
        self.driver.evaluate(
            call(
                "(s, f) => { s.value = String(f);"
                " s.dispatchEvent(new Event('input', {bubbles: true})); }",
                El(f"{self.item} .scrub"),
                frame,
            )
        )
        self.driver.wait(call(SETTLED_ON, El(self.item), frame))
        path = self.artifacts / f"{self.name}_seek.png"
        wait_until(
            lambda: self.shown(path) == (1, frame), lambda: f"the page never showed frame {frame}"
        )

    def looks(self, frame: int, step: str) -> Tuple[str, str]:
        """(red stroke, green stroke) as seen on ``frame``, once the overlay settled there."""
        self.seek(frame)
        overlays = El(f"{self.item} .picture.main .overlays")
        self.driver.wait(f"{overlays}.dataset.frame === {json.dumps(str(frame))}")
        wait_until(
            lambda: self.driver.evaluate(call(SHOWN_DECODED, overlays)),
            lambda: f"frame {frame}: a drawing shown there never decoded",
        )
        path = self.artifacts / f"{self.name}_{step}_{frame}.png"

        def twice() -> Optional[Tuple[str, str]]:
            # images decode asynchronously: read until two screenshots agree
            first, again = self.read(path), self.read(path)
            return None if first != again else (strength(first[0][0]), strength(first[1][1]))

        seen = wait_until(twice, lambda: f"frame {frame}: the picture does not settle")
        assert seen is not None and self.shown(path.with_suffix(".frame.png")) == (1, frame)
        return seen

    def read(self, path: Path) -> Tuple[Tuple[int, int], Tuple[int, int]]:
        self.driver.screenshot(path, self.picture, STROKES)
        red, green = colours_at(path, (RED_ROW, 0.80), STROKES)
        return red, green


def draw_in_page(screen: Screen, frame: int, hold_to: int) -> None:
    """Draw a red stroke across the top on ``frame`` with the page's pen, held to ``hold_to``."""
    screen.seek(frame)
    driver, item = screen.driver, screen.item
    driver.click(f"{item} .draw-toggle")
    layer = f"{item} .draw-layer"
    driver.wait(f"{El(layer)}.offsetWidth > 0")
    driver.drag(layer, [(0.2 + 0.6 * step / 20, RED_ROW) for step in range(21)])
    out = El(f"{item} .draw-out")
    assert driver.evaluate(f"{out}.value") == str(frame)  # one frame unless told
    driver.evaluate(
        call(
            "(o, v) => { o.value = v; o.dispatchEvent(new Event('input', {bubbles: true})); }",
            out,
            json.dumps(str(hold_to)),
        )
    )
    driver.click(f"{item} .draw-save")
    driver.wait(f"{El(item)}.dataset.drawingsSaved === '1'")


def check_held_drawings(
    driver: Driver, url: str, reopen: Callable[[], None], artifacts: Path, name: str
) -> None:
    """A drawing made in the page on 1010 held to 1014 and another reviewer's on 1030 only
    (posted): each shows on its own frames only; with the onion skin, the one before and the
    one after show faintly. ``reopen`` loads the page again (to see the posted drawing)."""
    screen = Screen(driver, artifacts, name)
    draw_in_page(screen, 1010, 1014)
    api = Page(url)
    me = api.post("/whoami", {"name": "Other Reviewer", "email": "other@studio.example"})
    assert me.status_code in (200, 201), me.text
    api.token = me.json()["token"]
    object_id = driver.evaluate(f"{El(screen.item)}.dataset.objectId")
    green = png_rgba(*SIZE, lambda x, y: GREEN if y in GREEN_ROWS else (0, 0, 0, 0))
    posted = api.post(
        "/annotations", {"object_id": object_id, "frame": 1030, "png": data_url(green)}
    )
    assert posted.status_code == 201, posted.text
    reopen()
    driver.wait("document.querySelectorAll('.overlays img.annotation').length >= 2")

    # without the onion skin: each drawing on its own frames only
    for frame in (1010, 1012, 1014):
        assert screen.looks(frame, "held") == ("full", "none"), frame
    for frame in (1009, 1015, 1020):
        assert screen.looks(frame, "outside") == ("none", "none"), frame
    assert screen.looks(1030, "held") == ("none", "full")
    assert screen.looks(1031, "outside") == ("none", "none")

    # the onion skin: the drawing before and the one after, faintly
    driver.click(f"{screen.item} .ghost-toggle")
    assert screen.looks(1020, "ghosts") == ("faint", "faint")
    assert screen.looks(1009, "ghosts") == ("faint", "none")  # only a drawing after it
    assert screen.looks(1031, "ghosts") == ("none", "faint")  # only one before it
    assert screen.looks(1012, "ghosts") == ("full", "faint")  # held here; the next one faint
    assert screen.looks(1030, "ghosts") == ("faint", "full")
    driver.click(f"{screen.item} .ghost-toggle")  # off again
    assert screen.looks(1020, "ghosts_off") == ("none", "none")

    note = El(f"{screen.item} .note.has-drawing[data-frame='1010'] .note-frame")
    assert driver.evaluate(f"{note}.textContent") == "1010\u20131014"
    driver.click(f"{screen.item} .ghost-toggle")
    screen.looks(1016, "page")
    driver.screenshot(artifacts / f"{name}_page.png", screen.item)
