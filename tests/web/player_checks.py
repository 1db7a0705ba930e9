"""The review player's checks for any browser: the loop between marks, compare (A/B of two
versions locked to one frame) and the drawing tools, made through a :class:`Driver` (real key
presses, clicks and mouse drags; page code as JavaScript expressions), so Chromium (through
:class:`ChromiumDriver`, Playwright's page) and Firefox (``firefox.firefox.Firefox``, over
WebDriver BiDi) are held to the same assertions.

The movies are ``dailies_fixtures``' flat colours (red tells the frame, green the version);
the picture a <video> holds is read back by drawing it on a canvas.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Protocol, Sequence, Set, Tuple

from .dailies_fixtures import READ_VIDEO, frame_of, version_of
from .frame_code import BOX_IN_VIEW, wait_until

#: How long a wait in the page may take before it fails (a hang, not a speed assert).
WAIT_MS = 60_000

#: A part of an element's box: (left, top, right, bottom), as fractions of its width and height.
#: A screenshot of a part costs the browser less than one of the whole (by its area).
Region = Tuple[float, float, float, float]

#: The counter's frames from now on, in ``window.__frames`` as they change.
RECORD_FRAMES = """(item) => {
  window.__frames = [];
  new MutationObserver(() => window.__frames.push(+item.dataset.frame))
    .observe(item, {attributes: true, attributeFilter: ["data-frame"]});
}"""

#: [r, g, b, a] of a canvas at the fractions (x, y) of its size.
CANVAS_RGBA = """(canvas, x, y) => Array.from(canvas.getContext("2d").getImageData(
    Math.round(x * canvas.width), Math.round(y * canvas.height), 1, 1).data)"""


class Driver(Protocol):
    """One browser page, as the checks use it."""

    def evaluate(self, expression: str) -> Any: ...

    def wait(self, expression: str, timeout_ms: int = WAIT_MS) -> Any: ...

    def press(self, key: str) -> None: ...

    def click(self, selector: str) -> None: ...

    def drag(self, selector: str, points: Sequence[Tuple[float, float]]) -> None: ...

    def screenshot(
        self, path: Path, selector: Optional[str] = None, region: Optional[Region] = None
    ) -> Path: ...

    def responses(self) -> List[Dict[str, Any]]: ...


class ChromiumDriver:
    """A :class:`Driver` over a Playwright page; it keeps every reply the page receives
    (Playwright's response events: :meth:`responses`)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.received: List[Any] = []
        page.on("response", lambda response: self.received.append(response))

    def responses(self) -> List[Dict[str, Any]]:
        """Every reply the page received since (``{url, status, type, body}``; the body of HTML
        and JSON replies only, as the browser received it)."""
        found = []
        for response in self.received:
            kind = response.headers.get("content-type", "")
            body, text = None, kind.startswith(("text/html", "application/json"))
            if text:
                try:
                    body = response.text()
                except Exception:  # a reply whose body the browser no longer holds
                    body = None
            found.append({"url": response.url, "status": response.status, "type": kind,
                          "body": body, "unread": text and body is None})  # fmt: skip
        return found

    def evaluate(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def wait(self, expression: str, timeout_ms: int = WAIT_MS) -> Any:
        # as a function: an expression is eval'd in the page, which its CSP refuses
        predicate = f"() => ({expression})"
        return self.page.wait_for_function(predicate, timeout=timeout_ms).json_value()

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def click(self, selector: str) -> None:
        self.page.click(selector)

    def drag(self, selector: str, points: Sequence[Tuple[float, float]]) -> None:
        """Each point placed by the element's box as it is then (the page may move it)."""
        element, mouse = self.page.locator(selector), self.page.mouse
        for index, (x, y) in enumerate(points):
            box = element.bounding_box()
            assert box is not None, f"no box for {selector}"
            mouse.move(box["x"] + box["width"] * x, box["y"] + box["height"] * y)
            if index == 0:
                mouse.down()
        mouse.up()

    def screenshot(
        self, path: Path, selector: Optional[str] = None, region: Optional[Region] = None
    ) -> Path:
        if region is None or selector is None:
            target = self.page.locator(selector) if selector else self.page
            target.screenshot(path=str(path))
            return path
        x, y, width, height = self.page.locator(selector).evaluate(BOX_IN_VIEW)
        left, top, right, bottom = region
        clip = {"x": x + width * left, "y": y + height * top,
                "width": width * (right - left), "height": height * (bottom - top)}  # fmt: skip
        self.page.screenshot(path=str(path), clip=clip)
        return path


#: A blank page's body: a pad that the content above it pushes 60 px down as a drag starts; every
#: pointer move is recorded as its height within the pad (as the page's drawing layer maps it)
MOVING_PAD = """(() => {
  document.body.innerHTML = '<div id="above"></div>'
    + '<div id="pad" style="width: 300px; height: 200px; background: #ccc"></div>';
  const pad = document.getElementById("pad");
  window.ftDccSeen = [];
  pad.addEventListener("pointerdown", () => {
    document.getElementById("above").style.height = "60px";
  });
  document.addEventListener("pointermove", (event) => {
    const box = pad.getBoundingClientRect();
    window.ftDccSeen.push((event.clientY - box.top) / box.height);
  });
  return true;
})()"""


def check_drag_follows_a_moving_element(driver: Driver) -> None:
    """A drag's points land where they are aimed in the element even when the page moves it
    while the drag goes on (a loaded run drew a stroke 60 px off: the box was read once)."""
    assert driver.evaluate(MOVING_PAD)
    driver.drag("#pad", [(0.2 + 0.1 * step, 0.25) for step in range(6)])
    seen = driver.evaluate("window.ftDccSeen")
    assert len(seen) >= 6 and all(abs(y - 0.25) < 0.02 for y in seen), seen


def call(function: str, *arguments: Any) -> str:
    """An expression calling JavaScript ``function`` with ``arguments``: JSON values, or
    :class:`El` for an element."""
    return f"({function})({', '.join(map(str, arguments))})"


class El:
    """An element named by a CSS selector, for :func:`call`."""

    def __init__(self, selector: str) -> None:
        self.selector = selector

    def __str__(self) -> str:
        return f"document.querySelector({json.dumps(self.selector)})"


def visible_item(driver: Driver) -> str:
    """The selector of the shown item (the version picked in its asset's player)."""
    item_id = driver.wait(
        "(() => { const i = document.querySelector('.asset-group article.item:not([hidden])');"
        " return i && i.id; })()"
    )
    return f"#{item_id}"


def held(driver: Driver, video: str, until: Tuple[int, int]) -> Tuple[int, int]:
    """(version, frame) of the picture the <video> ``video`` holds, once it is ``until`` (a
    busy page may take a moment); what it holds when it never is."""
    seen: List[Tuple[int, int]] = []

    def read() -> bool:
        rgb = driver.evaluate(call(READ_VIDEO, El(video)))
        seen.append((version_of(rgb), frame_of(rgb)))
        return seen[-1] == until

    try:
        wait_until(read, "the picture", timeout=30)
    except AssertionError:
        pass
    return seen[-1]


def wait_frame(driver: Driver, item: str, frame: int) -> None:
    """Until the item's counter names ``frame`` and its video has the picture."""
    driver.wait(
        call(
            """(item, frame) => {
              const v = item.querySelector("video.video");
              return item.querySelector(".frame-number").textContent === String(frame)
                  && !v.seeking && v.readyState >= 2;
            }""",
            El(item),
            frame,
        )
    )


def go_to(driver: Driver, item: str, frame: int) -> None:
    """Step with ← / → from the counter's frame to ``frame`` (the keys a reviewer uses)."""
    driver.click(f"{item} .counter")
    shown = int(driver.evaluate(f"{El(item)}.querySelector('.frame-number').textContent"))
    for _ in range(abs(frame - shown)):
        driver.press("ArrowRight" if frame > shown else "ArrowLeft")
    wait_frame(driver, item, frame)


def loaded(driver: Driver, video: str) -> None:
    driver.wait(f"{El(video)} && {El(video)}.readyState >= 2")


def check_loop_between_marks(driver: Driver, item: str) -> None:
    """In 1005, out 1009, loop: playback wraps to the in point and the counter names no frame
    outside; without loop, play stops on the out point with its picture."""
    video = f"{item} .picture.main video"
    loaded(driver, video)
    go_to(driver, item, 1005)
    driver.press("i")
    go_to(driver, item, 1009)
    driver.press("o")
    driver.click(f"{item} button.loop")
    assert driver.evaluate(f"[{El(item)}.dataset.markIn, {El(item)}.dataset.markOut]") == [
        "1005",
        "1009",
    ]
    driver.evaluate(call(RECORD_FRAMES, El(item)))
    driver.click(f"{item} .counter")
    driver.press("l")
    driver.wait(
        "window.__frames.some((f, i) => i > 0 && f < window.__frames[i - 1])"
    )  # wrapped once
    driver.press("k")
    driver.wait(f"{El(video)}.paused")
    seen: Set[int] = set(driver.evaluate("window.__frames"))
    assert seen <= set(range(1005, 1010)), seen

    driver.click(f"{item} button.loop")  # off: play stops on the out point
    driver.press("Home")
    wait_frame(driver, item, 1005)
    driver.press("l")
    driver.wait(
        f"{El(video)}.paused && {El(item)}.dataset.frame === '1009' && window.__frames.length > 3"
    )
    assert held(driver, video, (2, 1009)) == (2, 1009)


def choose_compare(driver: Driver, item: str, object_id: str) -> Tuple[str, str]:
    """Compare the item with version ``object_id``; both videos' selectors, once loaded."""
    video = f"{item} .picture.main video"
    loaded(driver, video)
    driver.evaluate(
        call(
            "(s, id) => { s.value = id; s.dispatchEvent(new Event('change', {bubbles: true})); }",
            El(".compare-with"),
            json.dumps(object_id),
        )
    )
    other = f"{item} .picture.compare-b video"
    loaded(driver, other)
    return video, other


def both_on(driver: Driver, item: str, frame: int, versions: Tuple[int, int]) -> None:
    """A and B both hold ``frame``, each of its version, and B's label names it."""
    driver.wait(
        call("(i, f) => i.querySelector('.compare-b').dataset.frame === String(f)", El(item), frame)
    )
    a, b = f"{item} .picture.main video", f"{item} .picture.compare-b video"
    assert (held(driver, a, (versions[0], frame)), held(driver, b, (versions[1], frame))) == (
        (versions[0], frame),
        (versions[1], frame),
    )


def check_compare(driver: Driver, item: str, b_object_id: str, artifacts: Path, name: str) -> None:
    """A (v002, the item) and B (v001) side by side and as a wipe: both on one frame after a
    step, after playing and pausing, and the wipe's divider follows a drag."""
    choose_compare(driver, item, b_object_id)
    go_to(driver, item, 1012)
    both_on(driver, item, 1012, (2, 1))
    driver.screenshot(artifacts / f"{name}_compare_side.png", f"{item} .screen")

    driver.click(f"{item} .counter")
    driver.press("l")
    driver.wait(call("(i) => +i.dataset.frame >= 1016", El(item)))
    driver.press("k")
    driver.wait(
        call(
            "(i) => i.querySelector('video').paused"
            " && !i.querySelector('.compare-b video').seeking"
            " && i.querySelector('.compare-b').dataset.frame === i.dataset.frame",
            El(item),
        )
    )
    paused = int(driver.evaluate(f"{El(item)}.dataset.frame"))
    assert paused >= 1016
    both_on(driver, item, paused, (2, 1))

    driver.click(".compare-mode .mode[data-mode='wipe']")
    driver.wait(call("(i) => i.dataset.compareMode === 'wipe'", El(item)))
    check_wipe_drag(driver, item)
    driver.screenshot(artifacts / f"{name}_compare_wipe.png", f"{item} .screen")


def check_wipe_drag(driver: Driver, item: str) -> None:
    """The wipe's divider, dragged to 80 % of the picture, splits it there."""
    handle = f"{item} .wipe-handle"
    box = driver.evaluate(
        call(
            "(h, p) => { const a = h.getBoundingClientRect(), b = p.getBoundingClientRect();"
            " return [(a.x + a.width / 2 - b.x) / b.width,"
            " (a.y + a.height / 2 - b.y) / b.height]; }",
            El(handle),
            El(f"{item} .picture.main"),
        )
    )
    steps = [(box[0] + (0.8 - box[0]) * s / 8, box[1]) for s in range(9)]
    driver.drag(f"{item} .picture.main", steps)
    assert 75 <= int(driver.evaluate(f"{El(item)}.dataset.wipe")) <= 85


def stroke(driver: Driver, canvas: str, y: float) -> None:
    driver.drag(canvas, [(0.2 + 0.1 * s, y) for s in range(7)])


def check_drawing_tools(driver: Driver, item: str, screenshot: Optional[Path] = None) -> None:
    """The pen on frame 1010: the frame stays put while drawing, strokes in two colours (the
    stage then saved to ``screenshot``), undo, clear, an empty drawing refused, cancel; then
    the player steps again."""
    loaded(driver, f"{item} .picture.main video")
    go_to(driver, item, 1010)
    driver.click(f"{item} .draw-toggle")
    canvas = f"{item} .draw-layer"
    driver.wait(f"{El(canvas)}.offsetWidth > 0")
    assert driver.evaluate(f"{El(item)}.querySelector('.draw-frame').textContent") == "1010"
    assert driver.evaluate(f"[{El(canvas)}.width, {El(canvas)}.height]") == [320, 180]
    driver.press("ArrowRight")  # the frame stays put while drawing on it
    assert driver.evaluate(f"{El(item)}.dataset.frame") == "1010"

    def rgba(x: float, y: float) -> List[int]:
        return list(driver.evaluate(call(CANVAS_RGBA, El(canvas), x, y)))

    stroke(driver, canvas, 0.3)
    driver.click(f"{item} .swatch[title='Yellow']")
    stroke(driver, canvas, 0.7)
    assert rgba(0.5, 0.3) == [255, 59, 48, 255]
    assert rgba(0.5, 0.7) == [255, 214, 10, 255]
    assert rgba(0.5, 0.5)[3] == 0
    if screenshot is not None:
        driver.screenshot(screenshot, f"{item} .stage")

    driver.click(f"{item} .draw-undo")
    assert driver.evaluate(f"{El(item)}.dataset.strokes") == "1"
    assert rgba(0.5, 0.7)[3] == 0 and rgba(0.5, 0.3)[3] == 255
    driver.click(f"{item} .draw-clear")
    assert driver.evaluate(f"{El(item)}.dataset.strokes") == "0"
    assert rgba(0.5, 0.3)[3] == 0
    driver.click(f"{item} .draw-save")
    assert driver.evaluate(f"{El(item)}.querySelector('.draw-error').textContent") == (
        "Draw something first."
    )
    driver.click(f"{item} .draw-cancel")
    assert driver.evaluate(f"{El(canvas)}.offsetWidth") == 0
    assert "drawing" not in driver.evaluate(f"{El(item)}.className").split()
    driver.click(f"{item} .counter")
    driver.press("ArrowRight")
    wait_frame(driver, item, 1011)
