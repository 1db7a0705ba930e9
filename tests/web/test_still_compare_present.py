"""Stills on the review page beyond one picture, in real Chromium, through the page's own
controls: a reviewer of the room link (no administrator, no owner) compares two still versions
side by side and as a wipe (B shown through A's zoom and pan; the pixels on screen are each
version's own colour where each is shown), is refused, in words, a still against a movie;
"Play all" holds a still for the session's hold (``ft-dcc review update --still-hold``) and
goes on to the movie after it; then the session's owner presents and the reviewer's page
follows the still, its 1:1 zoom, its pan and the wipe. Screenshots of the side-by-side, the
wipe and the followed still are saved to look at.
"""

from __future__ import annotations

import io
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest
from support import genuine_sessions, make_sequence, make_task, open_session
from support.browser import WAIT_MS, WEB_VIEWPORT
from support.cli import run_ft_dcc

from ft_dcc.host.files import FilesHost
from ft_dcc.media.ffmpeg import ffmpeg_executable
from ft_dcc.publish import publish

from .feedback_fixtures import personal_url

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("pyblish_isolation")]
Image = pytest.importorskip("PIL.Image")

SIZE = "800x450"
ORANGE, BLUE = (255, 140, 0), (0, 60, 255)
STATE = "(id) => document.getElementById('item-' + id).still.state()"


def _solid(path: Path, colour: Tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    hexa = "0x" + "".join(f"{c:02x}" for c in colour)
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"color=c={hexa}:s={SIZE}", "-frames:v", "1", str(path)],
                   check=True)  # fmt: skip
    return path


@pytest.fixture
def mixed(embedded_server: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """Asset "concept": v001 a blue still, v002 an orange still, v003 a movie; asset "anim": a
    movie; a hold of 1 s for stills in Play all; the room link and the owner's own link."""
    name = f"Lookdev {uuid.uuid4().hex[:6]}"
    ids: Dict[str, str] = {}
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"sc{uuid.uuid4().hex[:8]}")
        media = (
            ("v001", FilesHost(_solid(tmp_path / "v1" / "concept.png", BLUE)), None),
            ("v002", FilesHost(_solid(tmp_path / "v2" / "concept.png", ORANGE)), None),
            ("v003", FilesHost(make_sequence(tmp_path / "m3"), fps=25), "concept"),
            ("anim", FilesHost(make_sequence(tmp_path / "anim"), fps=25), "anim"),
        )
        for key, host, asset in media:
            report = publish(host, task=task, session=session, review_session_name=name,
                             asset_name=asset)  # fmt: skip
            assert report.ok, str(report)
            ids[key] = report.review_session_object_id
            room = report.review_url
    project = task.split("/")[0]
    done = run_ft_dcc(["review", "update", name, "--project", project, "--still-hold", "1"],
                      env=dict(os.environ, **embedded_server.env), timeout=120)  # fmt: skip
    assert done.returncode == 0 and "still hold: 1 s" in done.stdout, done.stdout + done.stderr
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        client = make()
        review_session = client.query(
            f'select id from ReviewSession where name is "{name}"'
        ).one()
        owner = personal_url(client, review_session)
    yield {"ids": ids, "room": room, "owner": owner}


def _centre(png: bytes, x: float, y: float) -> Tuple[int, ...]:
    return tuple(Image.open(io.BytesIO(png)).convert("RGB").getpixel((int(x), int(y))))


def _near(seen: Tuple[int, ...], colour: Tuple[int, int, int]) -> bool:
    return max(abs(a - b) for a, b in zip(seen, colour)) <= 12


def test_compare_wipe_play_all_and_presenting_a_still(
    mixed: Dict[str, Any], page: Any, chromium: Any, artifacts_dir: Path
) -> None:
    ids = mixed["ids"]
    assert page.goto(mixed["room"]).status == 200
    group = page.locator("section.asset-group", has=page.locator(f"#item-{ids['v001']}"))
    a = page.locator(f"#item-{ids['v002']}")

    # a still against a movie: refused, saying why
    group.locator("select.compare-with").select_option(ids["v002"])
    refused = group.locator(".compare-refused")
    refused.wait_for()
    assert "v002 is a still" in refused.inner_text() and "v003 is a movie" in refused.inner_text()
    assert page.locator(".still-view.compare-b").count() == 0

    # two stills side by side: B through A's own view
    group.locator(f'.version-tab[data-object-id="{ids["v002"]}"]').click()
    group.locator("select.compare-with").select_option(ids["v001"])
    assert refused.is_hidden()
    page.wait_for_function("(id) => { const b = document.querySelector('#item-' + id + "
                           "' .still-view.compare-b'); return !!b && b.dataset.loaded === '1'; }",
                           arg=ids["v002"])  # fmt: skip
    assert a.get_attribute("data-compare-mode") == "side"
    views = a.locator(".screen > .still-view")
    first, second = views.nth(0).bounding_box(), views.nth(1).bounding_box()
    assert abs(first["width"] - second["width"]) <= 1
    assert second["x"] > first["x"] + first["width"] - 1  # beside it
    a.locator("button.still-actual").click()
    transforms = a.evaluate("(item) => Array.from(item.querySelectorAll('.still-picture'))"
                            ".map((p) => p.style.transform)")  # fmt: skip
    assert transforms[0] == transforms[1] and "scale(1)" in transforms[0], transforms
    a.locator(".screen").screenshot(path=str(artifacts_dir / "review_still_compare_side.png"))
    for index, colour in ((0, ORANGE), (1, BLUE)):
        shot = views.nth(index).screenshot()
        assert _near(_centre(shot, first["width"] / 2, first["height"] / 2), colour), index

    # the wipe: A left of the handle, B right of it; the handle dragged to a quarter
    group.locator('.compare-mode .mode[data-mode="wipe"]').click()
    a.locator("button.still-fit").click()
    assert a.get_attribute("data-compare-mode") == "wipe"
    view = a.locator(".screen > .still-view").first
    view.scroll_into_view_if_needed()
    area = view.bounding_box()
    handle = a.locator(".still-view .wipe-handle")
    grip = handle.bounding_box()
    page.mouse.move(grip["x"] + grip["width"] / 2, area["y"] + area["height"] / 2)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * 0.25, area["y"] + area["height"] / 2, steps=5)
    page.mouse.up()
    assert abs(int(a.get_attribute("data-wipe")) - 25) <= 1
    assert a.get_attribute("data-zoom") is None and view.get_attribute("data-zoom") == "fit"
    shot = view.screenshot(path=str(artifacts_dir / "review_still_compare_wipe.png"))
    middle = area["height"] / 2
    assert _near(_centre(shot, area["width"] * 0.15, middle), ORANGE)
    assert _near(_centre(shot, area["width"] * 0.6, middle), BLUE)
    group.locator("select.compare-with").select_option("")
    assert page.locator(".still-view.compare-b").count() == 0

    # Play all: the still is held (the session's 1 s), then the movie plays to its end
    page.locator("button.play-all").click()
    page.wait_for_function("(id) => document.querySelector('main.items').dataset.playlistHold"
                           " === id", arg=ids["v002"])  # fmt: skip
    main = page.locator("main.items")
    assert main.get_attribute("data-playlist") == "1/2"
    assert main.get_attribute("data-playlist-hold-ms") == "1000"
    page.wait_for_function("() => document.querySelector('main.items').dataset.playlist"
                           " === 'done'", timeout=WAIT_MS)  # fmt: skip

    # presenting: the owner leads; the reviewer's page follows the still, zoom, pan and wipe
    context = chromium.new_context(viewport=WEB_VIEWPORT)
    try:
        lead = context.new_page()
        lead.set_default_timeout(WAIT_MS)
        assert lead.goto(mixed["owner"]).status == 200
        lead.locator("button.present").click()
        lead.wait_for_function("() => document.querySelector('main.items').dataset.presenter"
                               " === 'lead'")  # fmt: skip
        page.wait_for_function("() => document.querySelector('main.items').dataset.presenter"
                               " === 'follow'")  # fmt: skip
        led = lead.locator("section.asset-group", has=lead.locator(f"#item-{ids['v001']}"))
        led.locator(f'.version-tab[data-object-id="{ids["v002"]}"]').click()
        lead_item = lead.locator(f"#item-{ids['v002']}")
        lead_item.locator("button.still-actual").click()
        lead_item.locator("button.still-zoom-in").click()
        spot = lead_item.locator(".still-view").bounding_box()
        lead.mouse.move(spot["x"] + 300, spot["y"] + 200)
        lead.mouse.down()
        lead.mouse.move(spot["x"] + 380, spot["y"] + 240, steps=4)
        lead.mouse.up()
        shown = lead.evaluate(STATE, ids["v002"])
        assert shown["zoom"] == 2
        page.wait_for_function(
            "([id, want]) => { const s = document.getElementById('item-' + id).still.state();"
            " return s.zoom === want.zoom && Math.abs(s.cx - want.cx) < 1"
            " && Math.abs(s.cy - want.cy) < 1; }", arg=[ids["v002"], shown])  # fmt: skip
        assert page.locator(f"#item-{ids['v002']} .still-scale").inner_text() == "200%"
        led.locator("select.compare-with").select_option(ids["v001"])
        led.locator('.compare-mode .mode[data-mode="wipe"]').click()
        page.wait_for_function(
            "(id) => { const a = document.getElementById('item-' + id);"
            " return a.dataset.compareMode === 'wipe' && !!a.querySelector('.compare-b'); }",
            arg=ids["v002"])  # fmt: skip
        follower = page.evaluate(STATE, ids["v002"])
        assert follower["zoom"] == 2
        page.screenshot(path=str(artifacts_dir / "review_still_presented.png"))
        # the reviewer zooms with the wheel: watching on their own from then on
        mine = page.locator(f"#item-{ids['v002']} .screen > .still-view").first.bounding_box()
        page.mouse.move(mine["x"] + mine["width"] * 0.3, mine["y"] + mine["height"] / 2)
        page.mouse.wheel(0, -120)
        page.wait_for_function("() => document.querySelector('main.items').dataset.presenter"
                               " === 'own'")  # fmt: skip
        assert page.evaluate(STATE, ids["v002"])["zoom"] == 2.5
    finally:
        context.close()
