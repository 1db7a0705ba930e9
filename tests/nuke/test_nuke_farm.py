"""Nodes > ftrack > Publish on the farm, on the fake: the same OpenJD bundle as
``ft-dcc farm submit`` for the saved script, with the ticked Write's task, review session and
comment; the artist is told where it is. Bad input writes nothing and says what to do."""

from __future__ import annotations

import json
import runpy
import sys
import tempfile
from pathlib import Path

import nuke
import pytest
from ft_dcc_hosts.nuke import callbacks, farm, task_picker
from ft_dcc_hosts.nuke.integration import integration
from support import make_task, open_session

from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.review import sessions as review

OPEN = "Comp dailies 2026-11-25"  # yesterday's session, still open
TYPO = "Comp dailes 2026-11-25"  # one letter short of it


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Bundles land in a temp folder of the test's own; no settings file, no FTRACK_*."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.delenv("FT_DCC_SETTINGS", raising=False)
    monkeypatch.delenv("FTRACK_CONTEXTID", raising=False)
    return folder


def bundles(folder: Path) -> list:
    return sorted(p for p in folder.iterdir() if p.name.startswith("ft_dcc-farm-job-"))


def click() -> None:
    """The artist picks Nodes > ftrack > Publish on the farm."""
    nuke.menu("Nodes").findItem(farm.MENU_ITEM).invoke()


def open_in_app(script: str) -> None:
    nuke._fake.reset(gui=True)
    callbacks.install()
    farm.install_menu()
    nuke.scriptOpen(script)


def test_the_menu_writes_the_bundle_of_the_saved_script_and_says_where(tmp_path, comp, temp):
    from openjd.model import decode_job_template

    callbacks.add_review_knobs(comp)
    comp[callbacks.PUBLISH_KNOB].setValue(True)
    comp[callbacks.TASK_KNOB].setValue("demo/sq010/sh010/comp")
    comp[callbacks.REVIEW_SESSION_KNOB].setValue("Comp farm")
    comp[callbacks.COMMENT_KNOB].setValue("overnight")
    nuke.scriptSave()
    open_in_app((tmp_path / "shot.nk").as_posix())
    click()
    (bundle,) = bundles(temp)
    decode_job_template(template=json.loads((bundle / "template.json").read_text()))
    given = json.loads((bundle / "openjd_params.json").read_text())
    (scene,) = json.loads((bundle / "scenes.json").read_text())["scenes"]
    assert scene["path"] == str(tmp_path / "shot.nk")
    assert (scene["task"], given["ReviewSession"], given["Comment"]) == (
        "demo/sq010/sh010/comp", "Comp farm", "overnight",
    )  # fmt: skip
    told = nuke._fake.state.messages[-1]
    assert str(bundle) in told and "Write1 of shot.nk" in told and "'Comp farm'" in told
    assert not (tmp_path / "render").exists()  # nothing rendered here: the farm does it


def test_unsaved_changes_are_saved_only_when_the_artist_agrees(tmp_path, comp, temp):
    open_in_app((tmp_path / "shot.nk").as_posix())
    nuke.toNode("Write1")[callbacks.TASK_KNOB].setValue("demo/sq010/sh010/comp")
    assert nuke.root().modified()
    nuke._fake.state.ask_answers[:] = [False]
    click()
    assert bundles(temp) == [] and nuke.root().modified()
    nuke._fake.state.ask_answers[:] = [True]
    click()
    assert not nuke.root().modified() and len(bundles(temp)) == 1


def test_bad_input_writes_nothing_and_says_what_to_do(tmp_path, comp, temp):
    other = nuke.nodes.Write(file=(tmp_path / "alt" / "alt.####.png").as_posix())
    other.setInput(0, comp.input(0))
    nuke.scriptSave()
    open_in_app((tmp_path / "shot.nk").as_posix())
    click()  # two Writes, none ticked: which one?
    assert nuke._fake.state.messages[-1].startswith(
        "No farm job was written: The script has several Write nodes to choose from"
    )
    callbacks.add_review_knobs(nuke.toNode("Write2"))
    nuke.toNode("Write2")[callbacks.PUBLISH_KNOB].setValue(True)
    nuke.scriptSave()
    click()  # ticked, but no task and no path template
    assert "no ftrack task for" in nuke._fake.state.messages[-1]
    nuke._fake.reset(gui=True)  # an untitled script
    farm.install_menu()
    click()
    assert nuke._fake.state.messages[-1].startswith("Save the script first")
    assert bundles(temp) == []


def test_the_installed_menu_py_adds_the_farm_and_task_items_in_the_app_only(tmp_path, monkeypatch):
    built = integration.install(tmp_path / "dist")
    monkeypatch.setattr(sys, "path", list(sys.path))
    nuke._fake.reset(gui=True)
    runpy.run_path(str(built / "init.py"))
    runpy.run_path(str(built / "menu.py"))
    assert nuke.menu("Nodes").findItem(farm.MENU_ITEM) is not None
    assert nuke.menu("Nodes").findItem(task_picker.MENU_ITEM) is not None
    nuke._fake.reset(gui=False)
    farm.install_menu()  # nuke -t: no menu call (it would raise)
    assert nuke._fake.state.called("menu") == []


@pytest.mark.parametrize("answer", [True, False])
def test_a_misspelt_review_session_is_asked_about_and_yes_writes_a_new_sessions_job(
    tmp_path, comp, temp, server_env, embedded_server, answer
):
    session = open_session(server_env(embedded_server), tmp_path)
    task = make_task(session, fstart=1001, fend=1012)
    project = session.get("Project", resolve_task(session, None, task)["project_id"])
    review.find_or_create_review_session(session, project, OPEN)
    callbacks.add_review_knobs(comp)
    comp[callbacks.PUBLISH_KNOB].setValue(True)
    comp[callbacks.TASK_KNOB].setValue(task)
    comp[callbacks.REVIEW_SESSION_KNOB].setValue(TYPO)
    nuke.scriptSave()
    open_in_app((tmp_path / "shot.nk").as_posix())
    nuke._fake.state.ask_answers[:] = [answer]
    click()
    asked, told = nuke._fake.state.messages[-2:]
    assert asked == (
        f"No review session is called {TYPO!r}, but {OPEN!r} is open in this project: a "
        f"misspelling?\nCreate a new session {TYPO!r} anyway?"
    )
    if answer:
        (bundle,) = bundles(temp)
        given = json.loads((bundle / "openjd_params.json").read_text())
        assert (given["ReviewSession"], given["NewReviewSession"]) == (TYPO, "yes")
        assert str(bundle) in told and f"'{TYPO}'" in told
    else:
        assert bundles(temp) == []
        assert told.startswith("No farm job was written: no review session is called")
    names = session.query(f'select name from ReviewSession where project_id is "{project["id"]}"')
    assert [r["name"] for r in names.all()] == [OPEN]  # the farm's publish step makes it
