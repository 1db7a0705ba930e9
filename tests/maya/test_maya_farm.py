"""The ftrack menu's "Publish on the farm", on the fake: the same OpenJD bundle as
``ft-dcc farm submit`` for the saved scene, with the prompts' task, review session and comment;
the artist is told where it is. Bad input writes nothing and says what to do."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Dict

import pytest
from ft_dcc_hosts.maya import choices, farm, startup
from support import make_task, open_session

from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.review import sessions as review

OPEN = "Dailies 2026-11-25"  # yesterday's session, still open
TYPO = "Dailes 2026-11-25"  # one letter short of it


@pytest.fixture(autouse=True)
def _own_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Bundles land in a temp folder of the test's own; no settings file, no FTRACK_*."""
    choices.last_choices.clear()
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.delenv("FT_DCC_SETTINGS", raising=False)
    monkeypatch.delenv("FTRACK_CONTEXTID", raising=False)
    monkeypatch.setenv("FT_DCC_QUEUE_DIR", str(tmp_path / "queue"))
    yield folder
    choices.last_choices.clear()


def bundles(folder: Path) -> list:
    return sorted(p for p in folder.iterdir() if p.name.startswith("ft_dcc-farm-job-"))


def values(bundle: Path) -> Dict[str, Any]:
    """The bundle's parameter values, after openjd-model made a job of it (raises if invalid)."""
    from openjd.model import create_job, decode_job_template, preprocess_job_parameters

    template = decode_job_template(template=json.loads((bundle / "template.json").read_text()))
    given = json.loads((bundle / "openjd_params.json").read_text())
    params = preprocess_job_parameters(
        job_template=template, job_parameter_values=given, environment_templates=[],
        job_template_dir=bundle, current_working_dir=bundle,
    )  # fmt: skip
    create_job(job_template=template, job_parameter_values=params)
    return given


def click(maya_state: Any) -> None:
    startup.install()
    maya_state.run_deferred()
    maya_state.click(farm.LABEL)


def test_the_menu_writes_the_bundle_of_the_saved_scene_and_says_where(
    saved_scene, maya_state, _own_temp
):
    maya_state.answers["promptDialog"] = [
        ("OK", "demo/sq010/sh010/anim"), ("OK", "Farm dailies"), ("OK", "overnight"),
    ]  # fmt: skip
    click(maya_state)
    (bundle,) = bundles(_own_temp)
    given = values(bundle)
    (scene,) = json.loads((bundle / "scenes.json").read_text())["scenes"]
    assert scene["path"] == str(saved_scene)
    assert (scene["task"], given["ReviewSession"], given["Comment"]) == (
        "demo/sq010/sh010/anim", "Farm dailies", "overnight",
    )  # fmt: skip
    assert "Camera" not in given  # one camera in the scene: the node uses the scene's
    (told,) = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert str(bundle) in told["message"] and "'Farm dailies'" in told["message"]
    assert f"deadline bundle submit {bundle}" in told["message"]
    assert maya_state.playblasts == []  # nothing is captured here: the farm does it


def test_the_chosen_camera_goes_to_the_farm(saved_scene, maya_state, _own_temp):
    maya_state.add_camera("witnessCam", renderable=False)
    maya_state.save_scene_file(saved_scene)
    maya_state.modified = False
    maya_state.answers["promptDialog"] = [
        ("OK", "demo/sq010/sh010/anim"), ("OK", "Farm dailies"), ("OK", ""), ("OK", "witnessCam"),
    ]  # fmt: skip
    click(maya_state)
    (bundle,) = bundles(_own_temp)
    assert values(bundle)["Camera"] == "witnessCam"


def test_unsaved_changes_are_saved_only_when_the_artist_agrees(saved_scene, maya_state, _own_temp):
    maya_state.modified = True
    maya_state.answers["confirmDialog"] = ["Cancel"]
    click(maya_state)
    assert bundles(_own_temp) == [] and maya_state.modified  # nothing saved, nothing written
    assert not any(d["_kind"] == "promptDialog" for d in maya_state.dialogs)

    maya_state.answers["confirmDialog"] = ["Save"]
    maya_state.answers["promptDialog"] = [("OK", "demo/sq/sh/anim"), ("OK", "F"), ("OK", "")]
    maya_state.click(farm.LABEL)
    assert not maya_state.modified  # saved before the bundle names it
    assert len(bundles(_own_temp)) == 1


def test_an_untitled_scene_or_a_missing_task_writes_nothing_and_says_what_to_do(
    saved_scene, maya_state, _own_temp
):
    maya_state.answers["promptDialog"] = [("OK", ""), ("OK", "Farm dailies"), ("OK", "")]
    click(maya_state)
    assert bundles(_own_temp) == []
    told = [d["message"] for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert told[-1].startswith("No farm job was written: no ftrack task for"), told
    assert "give --task" in told[-1] or "task_templates" in told[-1]

    maya_state.scene_name = ""
    maya_state.click(farm.LABEL)
    told = [d["message"] for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert told[-1].startswith("Save the scene first"), told
    assert bundles(_own_temp) == []


@pytest.mark.parametrize("answer", ["Yes", "No"])
def test_a_misspelt_review_session_is_asked_about_and_yes_writes_a_new_sessions_job(
    saved_scene, maya_state, server_env, tmp_path, _own_temp, answer
):
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012)
    project = session.get("Project", resolve_task(session, None, task)["project_id"])
    review.find_or_create_review_session(session, project, OPEN)
    maya_state.answers["promptDialog"] = [("OK", task), ("OK", TYPO), ("OK", "")]
    maya_state.answers["confirmDialog"] = [answer]  # the question (then the outcome: OK)
    click(maya_state)
    asked, told = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert asked["message"] == (
        f"No review session is called {TYPO!r}, but {OPEN!r} is open in this project: a "
        f"misspelling?\nCreate a new session {TYPO!r} anyway?"
    )
    assert asked["button"] == ["Yes", "No"] and asked["dismissString"] == "No"
    if answer == "No":
        assert bundles(_own_temp) == []
        assert told["message"].startswith("No farm job was written: no review session is called")
    else:
        (bundle,) = bundles(_own_temp)
        given = values(bundle)
        assert (given["ReviewSession"], given["NewReviewSession"]) == (TYPO, "yes")
        assert str(bundle) in told["message"] and f"'{TYPO}'" in told["message"]
    names = session.query(f'select name from ReviewSession where project_id is "{project["id"]}"')
    assert [r["name"] for r in names.all()] == [OPEN]  # the farm's publish step makes it
