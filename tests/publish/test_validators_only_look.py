"""Validators only look: no validator of a publish sends anything to the server (the planned
read is a collector's, ``CollectServerView``), nor changes what is captured.

The connection and the flush of the work queued before the publish are collect steps of their own
(``CollectFtrackConnection``, ``CollectQueuedWorkFirst``); here a queued publish waits in the
queue, so the publish does write before its own commit, and every request the session sends is
recorded with the stage it was sent in (marker plugins at each stage's start).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import pyblish.api
from support import make_sequence, make_task, open_session

from ft_dcc.exceptions import ApiConnectionError
from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.session import Session

WRITES = {"create", "update", "delete"}


def _marker(stage: str, order: float, seen: List[str]) -> type:
    def process(self: Any, context: Any) -> None:
        seen[0] = stage

    return type(f"Mark{stage.title()}", (pyblish.api.ContextPlugin,), {
        "order": order, "process": process, "label": f"{stage} starts"})  # fmt: skip


def _recording(server: Any, stage: List[str], sent: List[Tuple[str, str]]) -> Session:
    session = Session(server_url=server.url, api_key=server.api_key, api_user=server.api_user)
    transport, upload = session._transport, session.upload_files
    call = transport.call

    def recorded_call(operations: Sequence[Dict[str, Any]], **kwargs: Any) -> Any:
        sent.extend((stage[0], str(op.get("action"))) for op in operations)
        return call(operations, **kwargs)

    def recorded_upload(*args: Any, **kwargs: Any) -> Any:
        sent.append((stage[0], "upload"))
        return upload(*args, **kwargs)

    transport.call = recorded_call  # type: ignore[method-assign]
    session.upload_files = recorded_upload  # type: ignore[method-assign]
    return session


def test_no_validator_writes_and_the_queued_work_goes_first_in_collect(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path
) -> None:
    with open_session(ftrack_env, tmp_path / "s") as session:
        task_path = make_task(session, fstart=1001, fend=1004, fps=25)

    def unreachable() -> Session:
        raise ApiConnectionError("the server is down (the test says so)")

    older = publish(FilesHost(make_sequence(tmp_path / "a", frames=4, start=1001), fps=25),
                    task=task_path, asset_name="plate", session_factory=unreachable)  # fmt: skip
    assert older.queued, older.errors
    stage, sent = ["before"], []  # type: Tuple[List[str], List[Tuple[str, str]]]
    for name, order in (("collect", pyblish.api.CollectorOrder - 0.49),
                        ("validate", pyblish.api.ValidatorOrder - 0.49),
                        ("extract", pyblish.api.ExtractorOrder - 0.49),
                        ("integrate", pyblish.api.IntegratorOrder - 0.49)):  # fmt: skip
        pyblish.api.register_plugin(_marker(name, order, stage))
    newer = publish(FilesHost(make_sequence(tmp_path / "b", frames=4, start=1001), fps=25),
                    task=task_path, asset_name="plate",
                    session_factory=lambda: _recording(ftrack_env, stage, sent))  # fmt: skip
    assert newer.ok and not newer.queued, newer.errors
    assert "published first the 1 publish(es) queued before this one" in newer.warnings
    by_stage: Dict[str, List[str]] = {}
    for name, action in sent:
        by_stage.setdefault(name, []).append(action)
    assert "validate" not in by_stage, by_stage  # what they check was read while collecting
    assert "query" in by_stage["collect"]  # the task, and the one planned read
    assert "create" in by_stage["collect"] and "upload" in by_stage["collect"]  # the queued one
    assert not WRITES & set(by_stage.get("extract", []))
    assert "create" in by_stage["integrate"]  # this publish's own commit
    assert not list(queue_dir.glob("*/manifest.json"))


def _spec_recorder(name: str, order: float, seen: Dict[str, Any]) -> type:
    def process(self: Any, context: Any) -> None:
        from ft_dcc.publish.shared.state import item_of, publishing

        seen[name] = [item_of(each).spec for each in publishing(context)]

    return type(f"Spec{name.title()}", (pyblish.api.ContextPlugin,), {
        "order": order, "process": process, "label": f"the spec at {name}"})  # fmt: skip


def test_the_range_and_rate_are_decided_by_a_collector_and_no_validator_changes_the_spec(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path
) -> None:
    """Frames with no rate of their own play at the shot's fps: decided while collecting, so
    the spec every validator checked is the one captured (a validator rewrote it once)."""
    with open_session(ftrack_env, tmp_path / "s") as session:
        task_path = make_task(session, fstart=1001, fend=1004, fps=30)
    seen: Dict[str, Any] = {}
    for name, order in (("validate", pyblish.api.ValidatorOrder - 0.49),
                        ("extract", pyblish.api.ExtractorOrder - 0.49)):  # fmt: skip
        pyblish.api.register_plugin(_spec_recorder(name, order, seen))
    report = publish(FilesHost(make_sequence(tmp_path / "a", frames=4, start=1001)),
                     task=task_path, asset_name="plate")  # fmt: skip
    assert report.ok, report.errors
    assert seen["validate"] == seen["extract"]
    assert [float(spec.fps) for spec in seen["validate"]] == [30.0]
    assert (seen["validate"][0].frame_start, seen["validate"][0].frame_end) == (1001, 1004)
