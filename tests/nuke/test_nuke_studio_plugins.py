"""Studio plugins (``docs/studio-plugins.md``'s, on ``PYBLISHPLUGINPATH``) in the Nuke Write
callback's publish on the honest fake, against the real embedded server: a validator refuses with
its own message and nothing is written; an extractor adds a component and metadata to the
version (read back through ``ftrack_api``)."""

from __future__ import annotations

import json

import nuke
from ft_dcc_hosts.nuke import callbacks
from support import count_entities, open_session
from support.studio_plugins import assert_frame_list_version, studio_plugin_dir
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
