"""The ftrack menu, its publish command, the progress bar and the start-up hook, on the fake."""

from __future__ import annotations

import re

import pytest
from ft_dcc_hosts.maya import choices, menu, startup
from maya import _fake
from maya_helpers import count_versions
from support import make_task, open_session

from ft_dcc.host.task_choices import RecentTasks


@pytest.fixture(autouse=True)
def _forget_choices():
    choices.last_choices.clear()
    yield
    choices.last_choices.clear()


def test_startup_builds_the_menu_when_maya_is_idle(maya_state):
    assert startup.install() is True
    assert menu.MENU_NAME not in maya_state.ui  # deferred, not at import time
    maya_state.run_deferred()
    assert maya_state.ui[menu.MENU_NAME]["flags"]["label"] == "ftrack"
    assert maya_state.ui[menu.MENU_NAME]["parent"] == "MayaWindow"
    items = [i for i in maya_state.ui.values() if i.get("parent") == menu.MENU_NAME]
    labels = [i["flags"]["label"] for i in items]
    assert labels == [
        "Publish for review", "Publish on the farm", "Review feedback", "Choose task...",
    ]  # fmt: skip
    menu.build_menu()  # a second start-up replaces the menu instead of failing
    assert sum(1 for i in maya_state.ui.values() if i.get("parent") == menu.MENU_NAME) == 4


def test_batch_mode_builds_no_menu_and_calls_no_ui_command(maya_state):
    maya_state.reset(batch=True)
    assert startup.install() is False
    assert menu.build_menu() is None
    maya_state.run_deferred()
    assert set(maya_state.commands_called()) == {"about"}
    assert maya_state.ui == {}


def test_cancelled_prompt_publishes_nothing(saved_scene, maya_state):
    maya_state.answers["promptDialog"] = [("OK", "proj/sq010/sh010/anim"), ("Cancel", None)]
    menu.build_menu()
    maya_state.click("Publish for review")
    assert maya_state.calls_of("playblast") == []
    assert not any(d["_kind"] == "confirmDialog" for d in maya_state.dialogs)


@pytest.mark.slow
def test_menu_publishes_with_progress_and_shows_the_review_link(
    saved_scene, maya_state, server_env, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the recent tasks
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012, fps=24)
    maya_state.panels["modelPanel4"]["camera"] = "shotCam"  # the artist looks through shotCam
    maya_state.answers["promptDialog"] = [
        ("OK", task),
        ("OK", "Menu dailies"),
        ("OK", "blocking pass"),
    ]
    startup.install()
    maya_state.run_deferred()
    maya_state.click("Publish for review")

    prompts = [d for d in maya_state.dialogs if d["_kind"] == "promptDialog"]
    assert prompts[1]["text"].startswith("Dailies ")  # the default offered
    (shown,) = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert re.match(r"Published v001 of \S+ in review session 'Menu dailies'\.", shown["message"])
    assert f"Review: {server_env.url}" in shown["message"]
    history = maya_state.progress_history
    assert history[0].get("beginProgress") and history[-1].get("endProgress")
    assert any(step.get("status", "").startswith("capture") for step in history)
    assert not maya_state.progress_bar["active"]
    assert maya_state.playblasts[-1]["camera"] == "shotCam"
    assert choices.last_choices["task"] == task  # offered again next time
    assert RecentTasks().load(session.server_url) == [task]  # first in "Choose task..."
    version = open_session(server_env, tmp_path).query("select comment from AssetVersion").one()
    assert version["comment"] == "blocking pass"


@pytest.mark.slow
def test_menu_publish_of_an_unsaved_scene_says_what_to_do(
    saved_scene, maya_state, server_env, tmp_path
):
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012, fps=24)
    maya_state.modified = True
    maya_state.answers["confirmDialog"] = ["No"]  # "Save it now and publish?" -> No
    report = menu.publish_for_review({"task": task, "review_session": "x", "comment": ""})
    assert report is not None and not report.ok
    asked, shown = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert "unsaved changes" in asked["message"]
    assert shown["message"].startswith("Not published:") and "save the scene" in shown["message"]
    assert count_versions(open_session(server_env, tmp_path)) == 0
    assert not maya_state.progress_bar["active"]


def test_progress_bar_shows_the_whole_publish_in_one_bar(maya_state):
    with menu.MainProgressBar() as progress:
        progress("encode", 0.5, "frame 6/12")  # halfway through encode: 60% of the publish
        assert maya_state.progress_bar["progress"] == 60
        assert maya_state.progress_bar["status"] == "encode: frame 6/12"
        progress("capture", 1.0)  # the bar never goes back
        assert maya_state.progress_bar["progress"] == 60
        progress("integrate", 2.0)
        assert maya_state.progress_bar["progress"] == 100
    assert not maya_state.progress_bar["active"]
    assert menu.MainProgressBar().bar == _fake.MAIN_PROGRESS_BAR


def _with_witness_camera(saved_scene, maya_state, server_env, tmp_path) -> str:
    """A second camera in the saved scene; returns a task on the server."""
    maya_state.add_camera("witnessCam", renderable=False)
    maya_state.save_scene_file(saved_scene)
    maya_state.modified = False
    return make_task(open_session(server_env, tmp_path), fstart=1001, fend=1012, fps=24)


def test_the_menu_publishes_the_chosen_cameras_as_versions_in_one_commit(
    saved_scene, maya_state, server_env, tmp_path
):
    task = _with_witness_camera(saved_scene, maya_state, server_env, tmp_path)
    maya_state.answers["promptDialog"] = [
        ("OK", task),
        ("OK", "Two cameras"),
        ("OK", "both angles"),
        ("OK", "shotCam, witnessCam"),  # the camera dialog, offering the scene's own cameras
    ]
    startup.install()
    maya_state.run_deferred()
    maya_state.click("Publish for review")

    prompts = [d for d in maya_state.dialogs if d["_kind"] == "promptDialog"]
    assert "In this scene: shotCam, witnessCam" in prompts[-1]["message"]
    (shown,) = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert shown["message"].startswith("Published 2 versions (shot_shotCam v001, shot_witnessCam")
    assert [p["camera"] for p in maya_state.playblasts[-2:]] == ["shotCam", "witnessCam"]
    rows = (
        open_session(server_env, tmp_path)
        .query(
            "select asset.name from AssetVersion where review_session_objects.review_session.name "
            'is "Two cameras"'
        )
        .all()
    )
    assert sorted(r["asset"]["name"] for r in rows) == ["shot_shotCam", "shot_witnessCam"]


def test_a_camera_that_is_not_in_the_scene_publishes_nothing(
    saved_scene, maya_state, server_env, tmp_path
):
    task = _with_witness_camera(saved_scene, maya_state, server_env, tmp_path)
    maya_state.answers["promptDialog"] = [
        ("OK", task), ("OK", "Two cameras"), ("OK", ""), ("OK", "shotCam, witnesCam"),
    ]  # fmt: skip
    report = menu.publish_for_review()
    assert not report.ok and "'witnesCam'" in "\n".join(report.errors)
    assert maya_state.playblasts == []  # nothing captured: validation refused it first
    assert count_versions(open_session(server_env, tmp_path)) == 0
