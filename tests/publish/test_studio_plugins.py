"""Studio plugins from ``PYBLISHPLUGINPATH`` on the files host, against the real embedded server.

The plugins are the very ones ``docs/studio-plugins.md`` shows (its ``# file:`` code blocks,
written to a folder on ``PYBLISHPLUGINPATH``): a validator refuses with its own message and
nothing is written; an extractor adds a component and metadata to its instance's version (read
back through the genuine ``ftrack_api``); a collector turns one of two reviewables off.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List

import pytest
from support import count_entities, make_sequence, make_task, open_session
from support.studio_plugins import assert_frame_list_version, doc_plugins, studio_plugin_dir
from test_publish_requests import _count

from ft_dcc.cli import main
from ft_dcc.exceptions import ApiConnectionError
from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.publish.context.tasks import resolve_task


def _publish(tmp_path: Path, task_id: str, *args: str) -> Dict[str, Any]:
    report_file = tmp_path / "report.json"
    main(["publish", *args, "--task", task_id, "--fps", "25", "--report", str(report_file)])
    report: Dict[str, Any] = json.loads(report_file.read_text(encoding="utf-8"))
    return report


def _task(session: Any) -> str:
    task_id: str = resolve_task(session, None, make_task(session, fstart=1001, fend=1006))["id"]
    return task_id


def _inputs(tmp_path: Path, *names: str) -> List[str]:
    return [str(make_sequence(tmp_path / n, frames=6, start=1001, name=n)) for n in names]


def test_the_doc_validator_is_at_most_15_lines() -> None:
    assert len(doc_plugins()["validate_review_comment.py"].strip().splitlines()) <= 15


def test_a_studio_validator_refuses_with_its_own_message_and_nothing_is_written(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    studio_plugin_dir(tmp_path, monkeypatch, "validate_review_comment.py")
    session = open_session(ftrack_env, tmp_path / "s")
    task_id = _task(session)
    (frames,) = _inputs(tmp_path, "plate")
    before = count_entities(session)
    mark = ftrack_env.log_mark()
    report = _publish(tmp_path, task_id, frames, "--comment", "")
    assert not report["ok"]
    assert report["errors"] == [
        "Review has a comment: say what changed in the comment (--comment), 3+ characters"
    ]
    assert count_entities(session) == before
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []  # a refusal, not a crash logged with its traceback
    writes = [r for r in ftrack_env.requests_since(mark) if "create" in (r.get("actions") or [])]
    assert writes == [] and _count(ftrack_env.requests_since(mark))["put"] == 0
    assert not list(queue_dir.glob("*/manifest.json"))
    report = _publish(tmp_path, task_id, frames, "--comment", "new timing")  # the message's fix
    assert report["ok"], report["errors"]


def test_a_studio_extractor_adds_a_component_and_metadata_to_its_version(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio_plugin_dir(tmp_path, monkeypatch, "extract_frame_list.py")
    session = open_session(ftrack_env, tmp_path / "s")
    task_id = _task(session)
    (frames,) = _inputs(tmp_path, "plate")
    report = _publish(tmp_path, task_id, frames, "--comment", "with a frame list")
    assert report["ok"], report["errors"]
    assert sorted(report["component_ids"]) == ["frame-list", "ftrackreview-mp4", "thumbnail"]
    version = assert_frame_list_version(session, report["asset_version_id"], 1001, 1006, 25.0)
    assert version["comment"] == "with a frame list"


def test_a_studio_collector_turns_one_of_two_reviewables_off(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio_plugin_dir(tmp_path, monkeypatch, "collect_skip_witness_cameras.py")
    session = open_session(ftrack_env, tmp_path / "s")
    task_id = _task(session)
    main_plate, witness = _inputs(tmp_path, "main", "witness")
    mark = ftrack_env.log_mark()
    report = _publish(tmp_path, task_id, main_plate, witness)
    assert report["ok"], report["errors"]
    assert [v["asset_name"] for v in report["versions"]] == ["main"]
    assert "witness: not published (a publish plugin set publish to False)" in report["warnings"]
    rows = session.query(
        f'select asset.name from AssetVersion where task_id is "{task_id}"'
    ).all()
    assert [row["asset"]["name"] for row in rows] == ["main"]
    assert _count(ftrack_env.requests_since(mark))["put"] == 2  # one movie, one thumbnail


def test_every_reviewable_turned_off_publishes_nothing(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio_plugin_dir(tmp_path, monkeypatch, "collect_skip_witness_cameras.py")
    session = open_session(ftrack_env, tmp_path / "s")
    task_id = _task(session)
    (witness,) = _inputs(tmp_path, "witness")
    before = count_entities(session)
    report = _publish(tmp_path, task_id, witness)
    assert not report["ok"]
    assert "a publish plugin turned every reviewable off" in report["errors"][0]
    assert count_entities(session) == before


def _settings_file(tmp_path: Path, plugins: Dict[str, Any]) -> str:
    path = tmp_path / "project_settings.json"
    path.write_text(json.dumps({"version": 1, "plugins": plugins}), encoding="utf-8")
    return str(path)


def test_a_studio_plugin_reads_its_value_from_the_project_settings_layer(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    studio_plugin_dir(tmp_path, monkeypatch, "validate_review_comment.py")
    monkeypatch.delenv("FT_DCC_SETTINGS", raising=False)
    session = open_session(ftrack_env, tmp_path / "s")
    task_path = make_task(session, fstart=1001, fend=1006)
    project = task_path.split("/")[0]
    settings = _settings_file(tmp_path, {"ValidateReviewComment": {"min_length": 20}})
    assert main(["settings", "push", settings, "--project", project]) == 0
    capsys.readouterr()
    assert main(["settings", "show", "--project", project]) == 0
    (shown,) = [line for line in capsys.readouterr().out.splitlines() if "plugins." in line]
    assert shown.startswith("project: ") and shown.endswith(
        "plugins.ValidateReviewComment.min_length = 20")  # fmt: skip
    (frames,) = _inputs(tmp_path, "plate")
    report = _publish(tmp_path, task_path, frames, "--comment", "new timing")
    assert report["errors"] == [
        "Review has a comment: say what changed in the comment (--comment), 20+ characters"
    ]
    report = _publish(tmp_path, task_path, frames, "--comment", "new timing on the jump, v2")
    assert report["ok"], report["errors"]
    off = _settings_file(tmp_path, {"ValidateReviewComment": {"enabled": False}})
    assert main(["settings", "push", off, "--project", project]) == 0
    assert _publish(tmp_path, task_path, frames)["ok"]  # no comment: the check is off


def test_settings_refuse_an_attribute_a_plugin_does_not_declare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    studio_plugin_dir(tmp_path, monkeypatch, "validate_review_comment.py")
    capsys.readouterr()
    typo = _settings_file(tmp_path, {"ValidateReviewComment": {"min_lenght": 20}})
    assert main(["settings", "check", typo]) != 0
    err = capsys.readouterr().err
    assert "plugins.ValidateReviewComment.min_lenght" in err and "'min_length'" in err
    unknown = _settings_file(tmp_path, {"ValidateReviewComent": {"enabled": False}})
    assert main(["settings", "check", unknown]) != 0
    assert "did you mean 'ValidateReviewComment'?" in capsys.readouterr().err
    own = _settings_file(tmp_path, {"ValidateSceneSaved": {"optional": True}})
    assert main(["settings", "check", own]) == 0  # ft_dcc's own plugins are configured alike


def test_a_failed_studio_validator_offers_its_repair_and_repair_runs_it(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    studio_plugin_dir(tmp_path, monkeypatch, "validate_ticket_in_comment.py")
    session = open_session(ftrack_env, tmp_path / "s")
    task_path = make_task(session, fstart=1001, fend=1006)
    (frames,) = _inputs(tmp_path, "plate")
    before = count_entities(session)
    report = _publish(tmp_path, task_path, frames, "--comment", "new timing")
    (error,) = report["errors"]
    assert error.startswith("Comment names its ticket: start the comment with its ticket")
    assert "repair: 'Add the task as ticket'" in error and "--repair" not in error
    printed = capsys.readouterr().out  # the terminal says how to ask for it; a host, a button
    assert "To run 'Add the task as ticket' and check again: the same ft-dcc publish with " \
        "--repair" in printed, printed
    assert count_entities(session) == before
    report = _publish(tmp_path, task_path, frames, "--comment", "new timing", "--repair")
    assert report["ok"], report["errors"]
    repaired = [s for s in report["steps"] if s["plugin"] == "AddTaskAsTicket"]
    assert [s["ok"] for s in repaired] == [True]
    task_name = task_path.split("/")[-1]
    version = session.get("AssetVersion", report["asset_version_id"])
    assert version["comment"] == f"[{task_name}] new timing"


def test_a_studio_component_and_metadata_wait_in_the_offline_queue(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio_plugin_dir(tmp_path, monkeypatch, "extract_frame_list.py")
    session = open_session(ftrack_env, tmp_path / "s")
    task_path = make_task(session, fstart=1001, fend=1006)
    (frames,) = _inputs(tmp_path, "plate")

    def unreachable() -> Any:
        raise ApiConnectionError("the server is down (the test says so)")

    queued = publish(FilesHost(Path(frames), fps=25), task=task_path, comment="made offline",
                     session_factory=unreachable)  # fmt: skip
    assert queued.queued and sorted(queued.component_ids) == [
        "frame-list", "ftrackreview-mp4", "thumbnail"]  # fmt: skip
    assert main(["queue", "flush"]) == 0  # the work folder is gone: the queue kept the file
    version = assert_frame_list_version(session, queued.asset_version_id, 1001, 1006, 25.0)
    assert version["comment"] == "made offline"
