"""The offline queue against the real server: queued while down, flushed exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest
from support import launcher, make_sequence, make_task, open_session
from support.cli import run_ft_dcc
from support.stopping import stop_server_plugin

from ft_dcc.exceptions import ApiConnectionError
from ft_dcc.host.files import FilesHost
from ft_dcc.publish import OfflineQueue, publish
from ft_dcc.publish.common.report import EXIT_QUEUED
from ft_dcc.session import RetryPolicy, Session


def run_cli(server: Any, queue_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, **server.env, FT_DCC_QUEUE_DIR=str(queue_dir))
    return run_ft_dcc([*args], env=env, timeout=300)


#: What ``what_exists`` sees of a queued publish flushed exactly once (no duplicates).
PUBLISHED_ONCE = {
    "versions_of_task": 1,
    "review_objects": ["v001"],
    "components": ["ftrackreview-mp4", "thumbnail"],
    "thumbnail_set": True,
}


def what_exists(server: Any, tmp_path: Path, version_id: str) -> Dict[str, Any]:
    check = open_session(server, tmp_path)
    versions = check.query(
        f'select id, thumbnail_id, task_id from AssetVersion where id is "{version_id}"'
    ).all()
    task_versions = (
        check.query(
            f'select id from AssetVersion where task_id is "{versions[0]["task_id"]}"'
        ).all()
        if versions
        else []
    )
    objects = check.query(
        f'select id, version from ReviewSessionObject where version_id is "{version_id}"'
    ).all()
    components = check.query(
        f'select id, name from Component where version_id is "{version_id}"'
    ).all()
    return {
        "versions_of_task": len(task_versions),
        "review_objects": [o["version"] for o in objects],
        "components": sorted(c["name"] for c in components),
        "thumbnail_set": bool(versions and versions[0]["thumbnail_id"]),
    }


def queue_while_down(server: Any, tmp_path: Path, queue_dir: Path) -> Tuple[str, Any]:
    """Make a task, stop the server, publish (queued); return (task path, report)."""
    with open_session(server, tmp_path) as session:
        task_path = make_task(session, fstart=1001, fend=1012, fps=25)
    server.stop()
    sequence = make_sequence(tmp_path / "frames", frames=12, start=1001)
    report = publish(
        FilesHost(sequence, fps=25),
        task=task_path,
        review_session_name="Dailies offline",
        comment="made on the train",
        session_factory=lambda: Session(
            server_url=server.url,
            api_key=server.api_key,
            api_user=server.api_user,
            retry=RetryPolicy(retries=0),
        ),
    )
    assert report.ok and report.queued, str(report)
    return task_path, report


def test_server_down_publish_is_queued_then_flushed_exactly_once(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    _, report = queue_while_down(fresh_server, tmp_path, queue_dir)
    listing = run_cli(fresh_server, queue_dir, "queue", "list", "--json")
    entries = json.loads(listing.stdout)["entries"]
    assert [e["asset_version_id"] for e in entries] == [report.asset_version_id]

    # still down: a flush keeps the entry and says so
    down = run_cli(fresh_server, queue_dir, "queue", "flush")
    assert down.returncode == EXIT_QUEUED and "1 publish stays queued" in down.stdout
    assert len(OfflineQueue(queue_dir).entries()) == 1

    fresh_server.start()  # same port, same data
    first = run_cli(fresh_server, queue_dir, "queue", "flush", "--json")
    assert first.returncode == 0, first.stderr
    flushed = json.loads(first.stdout)
    assert flushed["flushed"] == 1 and flushed["remaining"] == 0
    result = flushed["outcomes"][0]["result"]
    assert result["asset_version_id"] == report.asset_version_id
    assert result["review_session_object_id"] == report.review_session_object_id
    assert result["version_number"] == 1

    second = run_cli(fresh_server, queue_dir, "queue", "flush", "--json")
    assert second.returncode == 0 and json.loads(second.stdout)["flushed"] == 0
    assert what_exists(fresh_server, tmp_path, report.asset_version_id) == PUBLISHED_ONCE
    assert OfflineQueue(queue_dir).entries() == []


class Interrupt(KeyboardInterrupt):
    """Stands for Ctrl-C or a crash at one exact point of a flush."""


@pytest.mark.parametrize(
    ("stage", "fraction"),
    [
        ("upload", 0.5),  # mid-upload: nothing committed
        ("integrate", 0.4),  # uploads done, just before the first commit
        ("integrate", 0.8),  # version committed, thumbnail not yet
        ("integrate", 1.0),  # everything committed, the queue entry not yet removed
    ],
    ids=["mid-upload", "before-commit", "between-commits", "before-dequeue"],
)
def test_interrupted_flush_is_completed_by_the_next_flush_without_duplicates(
    fresh_server, tmp_path: Path, queue_dir: Path, stage: str, fraction: float
) -> None:
    _, report = queue_while_down(fresh_server, tmp_path, queue_dir)
    fresh_server.start()

    def interrupting(at_stage: str, at_fraction: float, message: str = "") -> None:
        if at_stage == stage and at_fraction >= fraction:
            raise Interrupt(f"interrupted at {stage} {fraction}")

    queue = OfflineQueue(queue_dir)
    with open_session(fresh_server, tmp_path) as session, pytest.raises(Interrupt):
        queue.flush(session=session, progress=interrupting)
    assert len(queue.entries()) == 1  # interrupted: the entry is kept

    for _ in range(2):  # the replay, then a duplicate run
        flushed = run_cli(fresh_server, queue_dir, "queue", "flush")
        assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert what_exists(fresh_server, tmp_path, report.asset_version_id) == PUBLISHED_ONCE
    assert queue.entries() == []


def test_server_lost_between_validation_and_integration_queues_the_publish(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    """The server answers validation, then dies before the upload: the publish is queued."""
    with open_session(fresh_server, tmp_path) as session:
        task_path = make_task(session, fstart=1001, fend=1012, fps=25)
    sequence = make_sequence(tmp_path / "frames", frames=12, start=1001)
    studio = tmp_path / "studio"
    stop_server_plugin(studio, fresh_server)  # returns once the server refuses connections
    os.environ["PYBLISHPLUGINPATH"] = str(studio)
    try:
        report = publish(
            FilesHost(sequence, fps=25),
            task=task_path,
            session=open_session(fresh_server, tmp_path, retry=RetryPolicy(retries=0)),
        )
    finally:
        del os.environ["PYBLISHPLUGINPATH"]
    assert report.ok and report.queued, str(report)
    (entry,) = OfflineQueue(queue_dir).entries()
    assert entry.manifest.task_id == report.task_id  # resolved while online
    fresh_server.process.wait(timeout=30)
    fresh_server.start()
    flushed = run_cli(fresh_server, queue_dir, "queue", "flush")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert what_exists(fresh_server, tmp_path, report.asset_version_id)["versions_of_task"] == 1


def test_flush_with_the_server_still_down_raises_nothing(tmp_path: Path) -> None:
    queue = OfflineQueue(tmp_path / "empty")
    assert queue.flush().ok  # an empty queue needs no server
    with pytest.raises(ApiConnectionError):
        Session(
            server_url="http://127.0.0.1:9", api_key="k", api_user="u", retry=RetryPolicy(retries=0)
        )


def test_a_killed_flush_process_is_completed_by_the_next_flush(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    """SIGKILL ``ft-dcc queue flush`` as soon as it starts talking to the server."""
    _, report = queue_while_down(fresh_server, tmp_path, queue_dir)
    fresh_server.start()
    mark = fresh_server.log_mark()
    env = dict(os.environ, **fresh_server.env, FT_DCC_QUEUE_DIR=str(queue_dir))
    process = launcher.launch(
        ["queue", "flush"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        actions = [a for r in fresh_server.api_requests_since(mark) for a in r.get("actions") or []]
        if "get_upload_metadata" in actions:
            process.kill()
            break
        time.sleep(0.005)
    process.wait(timeout=60)
    for _ in range(2):
        flushed = run_cli(fresh_server, queue_dir, "queue", "flush")
        assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert what_exists(fresh_server, tmp_path, report.asset_version_id) == PUBLISHED_ONCE
    assert OfflineQueue(queue_dir).entries() == []


def test_a_second_flush_process_is_refused_while_one_runs(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    _, report = queue_while_down(fresh_server, tmp_path, queue_dir)
    fresh_server.start()
    with OfflineQueue(queue_dir).lock():  # a flush is running
        refused = run_cli(fresh_server, queue_dir, "queue", "flush")
    assert refused.returncode == 1 and "already running" in refused.stderr
    assert len(OfflineQueue(queue_dir).entries()) == 1
    assert run_cli(fresh_server, queue_dir, "queue", "flush").returncode == 0
    assert what_exists(fresh_server, tmp_path, report.asset_version_id)["versions_of_task"] == 1


def test_an_entry_queued_for_another_server_is_not_flushed_here(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    from ft_dcc.publish.common.manifest import ComponentSpec, IntegrateManifest

    movie = tmp_path / "m.mp4"
    movie.write_bytes(b"\x00" * 64)
    manifest = IntegrateManifest(
        task_path="studio/sh010/comp",
        components=[ComponentSpec(name="ftrackreview-mp4", file=str(movie))],
        server_url="https://studio.example.com",
    )
    OfflineQueue(queue_dir).spool(manifest)
    flushed = run_cli(embedded_server, queue_dir, "queue", "flush")
    assert flushed.returncode == 1
    assert "queued for https://studio.example.com" in flushed.stdout
    assert len(OfflineQueue(queue_dir).entries()) == 1
    with open_session(embedded_server, tmp_path) as check:
        assert check.query(f'AssetVersion where id is "{manifest.version_id}"').all() == []
