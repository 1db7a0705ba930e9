"""Studio plugins (``docs/studio-plugins.md``'s, on ``PYBLISHPLUGINPATH``) in the Nuke Write
callback's publish on the honest fake, against the real embedded server: a validator refuses with
its own message and nothing is written; an extractor adds a component and metadata to the
version (read back through ``ftrack_api``)."""

from __future__ import annotations

import json
import uuid

import nuke
from ft_dcc_hosts.nuke import callbacks
from support import count_entities, genuine_sessions, make_task, open_session
from support.studio_plugins import assert_frame_list_version, plugin_files_dir, studio_plugin_dir
from test_nuke_callbacks import finish
from test_write_callback_publish import publishing_setup

from ft_dcc.cli import main


def test_a_studio_validator_refuses_a_write_publish_with_its_message(
    tmp_path, comp, embedded_server, server_env, monkeypatch
):
    studio_plugin_dir(tmp_path, monkeypatch, "validate_ticket_in_comment.py")
    session, write = publishing_setup(tmp_path, embedded_server, server_env)
    before = count_entities(session)

    nuke.execute(write, 1001, 1012)

    (report,) = callbacks.reports
    (error,) = report.errors
    assert error.startswith("Comment names its ticket: start the comment with its ticket")
    assert "repair: 'Add the task as ticket'" in error
    assert count_entities(session) == before


def test_a_studio_extractor_adds_a_component_to_the_write_version(
    tmp_path, comp, embedded_server, server_env, monkeypatch
):
    studio_plugin_dir(tmp_path, monkeypatch, "extract_frame_list.py")
    _session, write = publishing_setup(tmp_path, embedded_server, server_env)

    nuke.execute(write, 1001, 1012)

    (report,) = callbacks.reports
    assert report.ok and not report.queued, report.format()
    check = open_session(embedded_server, tmp_path / "check")
    version = assert_frame_list_version(check, report.asset_version_id, 1001, 1012, 25.0)
    assert version["comment"] == "slap comp"


def test_the_write_publish_reads_the_studio_plugin_value_of_the_project_settings(
    tmp_path, comp, embedded_server, server_env, monkeypatch
):
    studio_plugin_dir(tmp_path, monkeypatch, "validate_review_comment.py")
    monkeypatch.delenv("FT_DCC_SETTINGS", raising=False)
    session, write = publishing_setup(tmp_path, embedded_server, server_env)
    project = write[callbacks.TASK_KNOB].value().split("/")[0]
    settings = tmp_path / "project.json"
    settings.write_text(json.dumps({"plugins": {"ValidateReviewComment": {"min_length": 20}}}))
    assert main(["settings", "push", str(settings), "--project", project]) == 0
    before = count_entities(session)

    nuke.execute(write, 1001, 1012)

    (report,) = callbacks.reports
    assert report.errors == [  # "slap comp": long enough for the plugin's 3, not the project's 20
        "Review has a comment: say what changed in the comment (--comment), 20+ characters"
    ]
    assert count_entities(session) == before


#: a studio validator of Nuke's own whose repair changes the script: its frame range locked (the
#: repair locks it and saves). The publish runs in a worker in the app, so the plugin reaches
#: the script through Nuke's main thread, as Foundry's threading guide says.
LOCK_PLUGIN = """
import nuke
import pyblish.api


def _lock_and_save():
    nuke.root()["lock_range"].setValue(True)
    nuke.scriptSave()


class LockFrameRange(pyblish.api.Action):
    label = "Lock the frame range"
    on = "failed"

    def process(self, context, plugin):
        nuke.executeInMainThreadWithResult(_lock_and_save)


class ValidateFrameRangeLocked(pyblish.api.ContextPlugin):
    label = "Frame range locked"
    order = pyblish.api.ValidatorOrder + 0.4
    actions = [LockFrameRange]

    def process(self, context):
        if not nuke.executeInMainThreadWithResult(lambda: nuke.root()["lock_range"].value()):
            raise ValueError("lock the script's frame range (Project Settings: lock range)")
"""


def test_in_the_app_the_repair_runs_in_nuke_and_the_write_publishes(
    tmp_path, comp, embedded_server, server_env, monkeypatch
):
    plugin_files_dir(tmp_path, monkeypatch, {"validate_range_locked.py": LOCK_PLUGIN})
    server_env(embedded_server)
    task = make_task(open_session(embedded_server, tmp_path), f"nk{uuid.uuid4().hex[:8]}")

    state = nuke._fake.reset(gui=True)
    state.ask_answers = [True]  # "Yes" to "Repair and publish now?"
    nuke.scriptOpen((tmp_path / "shot.nk").as_posix())
    assert nuke.root()["lock_range"].value() is False
    first = callbacks.publish_write_node(nuke.toNode("Write1"), task=task)
    finish(first)
    repaired = callbacks.jobs[-1]
    assert repaired is not first and repaired.request.repair
    finish(repaired)

    (asked,) = [m for m in state.messages if m.endswith("Repair and publish now?")]
    assert asked.startswith(
        "Not published: Frame range locked: lock the script's frame range (Project Settings: "
        "lock range)"
    ), asked
    assert "Repair and publish: runs 'Lock the frame range' (for 'Frame range locked')" in asked
    assert "--repair" not in asked
    assert nuke.root()["lock_range"].value() is True  # the repair ran in Nuke
    assert state.messages[-1].startswith("Published v001"), state.messages[-1]
    assert len(state.called("ask")) == 1  # offered once
    report = repaired.report
    with genuine_sessions(embedded_server, tmp_path / "genuine") as make:
        version = make().get("AssetVersion", report.asset_version_id)
        assert {c["name"] for c in version["components"]} == {"ftrackreview-mp4", "thumbnail"}
        assert version["comment"] == ""


def test_in_the_app_no_repair_is_offered_when_the_failed_check_has_none(
    tmp_path, comp, embedded_server, server_env, monkeypatch
):
    studio_plugin_dir(tmp_path, monkeypatch, "validate_review_comment.py")
    server_env(embedded_server)
    task = make_task(open_session(embedded_server, tmp_path), f"nk{uuid.uuid4().hex[:8]}")

    state = nuke._fake.reset(gui=True)
    nuke.scriptOpen((tmp_path / "shot.nk").as_posix())
    finish(callbacks.publish_write_node(nuke.toNode("Write1"), task=task))

    assert state.called("ask") == []
    assert state.messages[-1].startswith("Not published: Review has a comment: say what changed")
    assert "Repair" not in state.messages[-1]
    assert [job.request.repair for job in callbacks.jobs] == [False]
