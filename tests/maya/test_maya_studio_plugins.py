"""Studio plugins (``docs/studio-plugins.md``'s, on ``PYBLISHPLUGINPATH``) in a Maya publish on
the honest fake, against the real embedded server: a validator refuses with its own message
before anything is captured or written; a collector turns the witness camera off and an extractor
adds a component and metadata to the other camera's version (read back through ``ftrack_api``)."""

from __future__ import annotations

import json

import pytest
from ft_dcc_hosts.maya import choices, startup
from ft_dcc_hosts.maya.host import MayaHost
from maya_helpers import count_versions
from support import genuine_sessions, make_task, open_session
from support.studio_plugins import (
    assert_frame_list_version,
    plugin_files_dir,
    studio_plugin_dir,
)

from ft_dcc.cli import main
from ft_dcc.publish import publish


@pytest.mark.slow
def test_a_studio_validator_refuses_a_maya_publish(
    saved_scene, maya_state, server_env, tmp_path, monkeypatch
):
    studio_plugin_dir(tmp_path, monkeypatch, "validate_review_comment.py")
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012, fps=24)
    before = count_versions(session)

    report = publish(MayaHost(), task=task, review_session_name="Maya dailies", comment="")

    assert report.errors == [
        "Review has a comment: say what changed in the comment (--comment), 3+ characters"
    ]
    assert maya_state.calls_of("playblast") == []
    assert count_versions(open_session(server_env, tmp_path)) == before


@pytest.mark.slow
def test_studio_plugins_turn_a_camera_off_and_add_a_component(
    saved_scene, maya_state, server_env, tmp_path, monkeypatch
):
    studio_plugin_dir(
        tmp_path, monkeypatch, "collect_skip_witness_cameras.py", "extract_frame_list.py"
    )
    maya_state.add_camera("witnessCam", renderable=False)
    maya_state.save_scene_file(saved_scene)
    maya_state.modified = False
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012, fps=24)

    report = publish(MayaHost(), task=task, review_session_name="Maya dailies",
                     cameras=["shotCam", "witnessCam"], comment="two cameras")  # fmt: skip

    assert report.ok and not report.queued, str(report)
    assert [v.asset_name for v in report.versions] == ["shot_shotCam"]
    assert [p["camera"] for p in maya_state.playblasts] == ["shotCam"]  # witnessCam: not captured
    check = open_session(server_env, tmp_path)
    assert_frame_list_version(check, report.asset_version_id, 1001, 1012, 24.0)


def test_the_menu_publish_reads_the_studio_plugin_value_of_the_project_settings(
    saved_scene, maya_state, server_env, tmp_path, monkeypatch
):
    studio_plugin_dir(tmp_path, monkeypatch, "validate_review_comment.py")
    monkeypatch.delenv("FT_DCC_SETTINGS", raising=False)
    task = make_task(open_session(server_env, tmp_path), fstart=1001, fend=1012, fps=24)
    settings = tmp_path / "project.json"
    settings.write_text(json.dumps({"plugins": {"ValidateReviewComment": {"min_length": 20}}}))
    assert main(["settings", "push", str(settings), "--project", task.split("/")[0]]) == 0
    _menu_publish(maya_state, task, "new timing")

    (shown,) = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert "Review has a comment" in shown["message"], shown["message"]
    assert "20+ characters" in shown["message"]  # the project's value, not the plugin's 3
    assert maya_state.calls_of("playblast") == []


#: a studio validator of Maya's own whose repair changes the scene: the playhead on the shot's
#: first frame (the repair moves it there, through maya.cmds as a studio plugin would)
PLAYHEAD_PLUGIN = """
import pyblish.api
from maya import cmds


class MovePlayheadToStart(pyblish.api.Action):
    label = "Move the playhead to the first frame"
    on = "failed"

    def process(self, context, plugin):
        for instance in context:
            cmds.currentTime(instance.data["frameStart"])


class ValidatePlayheadAtStart(pyblish.api.InstancePlugin):
    label = "Playhead on the first frame"
    order = pyblish.api.ValidatorOrder + 0.4
    families = ["review"]
    actions = [MovePlayheadToStart]

    def process(self, instance):
        now = cmds.currentTime(query=True)
        if now != instance.data["frameStart"]:
            raise ValueError(f"the playhead is on frame {now:g}: put it on the first frame")
"""


def _menu_publish(maya_state, task: str, comment: str) -> None:
    """The artist's clicks: ftrack > Publish for review, then the task, session and comment."""
    choices.last_choices.clear()
    maya_state.answers["promptDialog"] = [
        ("OK", task), ("OK", "Maya dailies"), ("OK", comment), ("OK", "shotCam"),
    ]  # fmt: skip
    startup.install()
    maya_state.run_deferred()
    maya_state.click("Publish for review")
    choices.last_choices.clear()


@pytest.mark.slow
def test_the_dialog_repairs_the_scene_and_publishes(
    saved_scene, maya_state, server_env, tmp_path, monkeypatch
):
    plugin_files_dir(tmp_path, monkeypatch, {"validate_playhead.py": PLAYHEAD_PLUGIN})
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012, fps=24)
    maya_state.current_time = 1005.0
    maya_state.answers["confirmDialog"] = ["Repair and publish"]

    _menu_publish(maya_state, task, "new timing")

    refused, outcome = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert refused["button"] == ["Repair and publish", "OK"], refused
    assert refused["message"].startswith(
        "Not published: Playhead on the first frame: the playhead is on frame 1005: put it on "
        "the first frame"
    ), refused["message"]
    assert "--repair" not in refused["message"]  # the CLI's flag: the button is Maya's way
    assert (
        "Repair and publish: runs 'Move the playhead to the first frame' (for 'Playhead on the "
        "first frame') in this scene" in refused["message"]
    )
    assert maya_state.current_time == 1001.0  # the repair ran in Maya
    assert outcome["button"] == ["OK"]
    assert outcome["message"].startswith("Published v001"), outcome["message"]
    assert len(maya_state.playblasts) == 1  # the refused publish captured nothing
    with genuine_sessions(server_env, tmp_path / "genuine") as make:
        (version,) = make().query("select comment, components.name from AssetVersion").all()
        assert version["comment"] == "new timing"  # this test's server: its one version
        assert "ftrackreview-mp4" in {c["name"] for c in version["components"]}


def test_no_repair_is_offered_when_the_failed_check_has_none(
    saved_scene, maya_state, server_env, tmp_path, monkeypatch
):
    studio_plugin_dir(tmp_path, monkeypatch, "validate_review_comment.py")
    task = make_task(open_session(server_env, tmp_path), fstart=1001, fend=1012, fps=24)

    _menu_publish(maya_state, task, "")

    (shown,) = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"]
    assert shown["message"].startswith("Not published: Review has a comment: say what changed")
    assert shown["button"] == ["OK"]
    assert "Repair" not in shown["message"]
    assert maya_state.calls_of("playblast") == []
