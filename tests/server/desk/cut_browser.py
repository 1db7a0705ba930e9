"""The desk's cut upload in a real browser (a ``web.player_checks.Driver`` and its page's own
file inputs): the Supervisor of the desk world (``desk_browser``) uploads an EDL on the project's
page -- a session in cut order, the event that is no shot and the gap named on the page -- opens
the session, and uploads the cut's next revision there, which reorders it, adds a shot and
removes one (named on the page). Each result read back through the genuine ``ftrack_api`` client.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, List, Tuple

from support.cut_files import HOUR, edl_file
from support.trust import create, ok
from web.player_checks import Driver

from server.desk.desk_browser import DeskWorld
from server.desk.desk_browser import _texts as texts

#: the shots the walk adds beside the desk world's sh010 (one version each)
MORE = ("sh020", "sh030")


def _more_shots(server: Any, world: DeskWorld) -> None:
    [kind] = world.make().query('select id from AssetType where short is "upload"').all()
    rows = []
    for shot in MORE:
        made = create("Shot", name=shot, parent_id=world.project_id, project_id=world.project_id)
        asset = create("Asset", name="comp", context_id=made["entity_key"][0], type_id=kind["id"])
        rows += [made, asset, create("AssetVersion", asset_id=asset["entity_key"][0], version=1)]
    ok(server, rows)


def _order(world: DeskWorld, session_id: str) -> List[str]:
    objects = world.make().query(
        "select sort_order, asset_version.asset.parent.name from ReviewSessionObject where "
        f'review_session_id is "{session_id}"').all()  # fmt: skip
    return [o["asset_version"]["asset"]["parent"]["name"]
            for o in sorted(objects, key=lambda o: o["sort_order"])]  # fmt: skip


def _upload(driver: Driver, page: Any, file: Tuple[str, Path], form: str, done: str,
            error: str) -> None:  # fmt: skip
    """The file chosen in its input and ``form`` sent; waits for ``done`` or the ``error``
    element's text (then fails with it)."""
    page.set_input_files(file[0], str(file[1]))
    driver.click(f"{form} button[type=submit]")
    said = f"document.querySelector({json.dumps(error)}).textContent"
    driver.wait(f"({done}) || {said}")
    assert not driver.evaluate(said), driver.evaluate(said)


def cut_walk(driver: Driver, page: Any, server: Any, world: DeskWorld, shots: Path,
             tmp_path: Path) -> str:  # fmt: skip
    """The walk (module docstring); the session's id."""
    _more_shots(server, world)
    first = edl_file(tmp_path / "reel1.edl", [
        (1, "sh030", 1001, 1013, HOUR, HOUR + 12),
        (2, "sh999_temp", 1001, 1013, HOUR + 12, HOUR + 24),
        (3, "sh010", 1003, 1015, HOUR + 30, HOUR + 42)])  # fmt: skip
    page.goto(f"{world.url}/desk/project/{world.project_id}")
    driver.wait("document.querySelector('form.cut-upload')")
    page.fill("#cut-name", f"Reel 1 cut {uuid.uuid4().hex[:4]}")
    _upload(driver, page, ("#cut-file", first), "form.cut-upload",
            "!document.querySelector('section.cut-report').hidden", "form.cut-upload .error")
    lines = texts(driver, "section.cut-report .cut-lines li")
    assert lines == ["event 2 (sh999_temp): no shot for shot 'sh999_temp'",
                     "gap from 01:00:01:00 to 01:00:01:06"], lines  # fmt: skip
    session_id = str(driver.evaluate("document.querySelector('section.cut-report')"
                                     ".dataset.sessionId"))  # fmt: skip
    driver.screenshot(shots / "desk_cut_project.png")
    assert _order(world, session_id) == ["sh030", "sh010"]

    driver.click("a.cut-open")
    driver.wait("document.querySelector('#desk-items') && "
                "document.querySelector('#desk-items').dataset.loaded === '1'")  # fmt: skip
    labels = texts(driver, "#desk-items .label")
    assert [label.split(" ")[0] for label in labels] == ["sh030", "sh010"], labels
    second = edl_file(tmp_path / "reel1_v2.edl", [
        (1, "sh020", 1001, 1013, HOUR, HOUR + 12),
        (2, "sh030", 1001, 1013, HOUR + 12, HOUR + 24)])  # fmt: skip
    _upload(driver, page, ("#cut-revision-file", second), "form.cut-revision",
            "document.querySelector('form.cut-revision').dataset.revision === '2'",
            "#session .error")  # fmt: skip
    labels = texts(driver, "#desk-items .label")
    assert [label.split(" ")[0] for label in labels] == ["sh020", "sh030"], labels
    assert texts(driver, "form.cut-revision .cut-lines li") == ["removed: sh010 (cut out)"]
    notice = driver.evaluate("document.querySelector('#session .notice').textContent")
    assert "revision 2" in notice and "1 kept, 1 removed" in notice, notice
    driver.screenshot(shots / "desk_cut_revision.png")
    assert _order(world, session_id) == ["sh020", "sh030"]
    return session_id
