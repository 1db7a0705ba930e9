"""The offline queue keeps the artist's order, against the real server
stopped and started: a publish first publishes the work queued before it, a queued publish that
cannot go first is named (never overtaken silently), a publish that was only queued exits with
its own status, and the queue's commands speak in ids and version numbers a person can use."""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any, Dict, Optional

import pytest
from support import launcher, make_sequence, make_task, open_session
from support.cli import run_ft_dcc

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import OfflineQueue, publish
from ft_dcc.publish.common.report import EXIT_QUEUED
from ft_dcc.session import RetryPolicy, Session


def _session_factory(server: Any):
    return lambda: Session(
        server_url=server.url,
        api_key=server.api_key,
        api_user=server.api_user,
        retry=RetryPolicy(retries=0),
    )


def _publish(server: Any, tmp_path: Path, task_path: str, name: str, **kwargs: Any) -> Any:
    sequence = make_sequence(tmp_path / name, frames=4, start=1001)
    return publish(
        FilesHost(sequence, fps=25),
        task=task_path,
        session_factory=_session_factory(server),
        **kwargs,
    )


def _version_numbers(server: Any, tmp_path: Path, *reports: Any) -> Dict[str, Optional[int]]:
    with open_session(server, tmp_path) as check:
        found = {}
        for report in reports:
            rows = check.query(
                f'select version from AssetVersion where id is "{report.asset_version_id}"'
            ).all()
            found[report.asset_version_id] = rows[0]["version"] if rows else None
        return found


def _task(server: Any, tmp_path: Path) -> str:
    with open_session(server, tmp_path) as session:
        return make_task(session, fstart=1001, fend=1004, fps=25)


def run_cli(server: Any, queue_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, **server.env, FT_DCC_QUEUE_DIR=str(queue_dir))
    return run_ft_dcc([*args], env=env, timeout=300)


def test_a_publish_first_publishes_the_work_queued_before_it(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    task_path = _task(fresh_server, tmp_path)
    fresh_server.stop()
    older = _publish(fresh_server, tmp_path, task_path, "a", asset_name="plate", comment="older")
    other = _publish(fresh_server, tmp_path, task_path, "b", asset_name="bg", comment="other")
    assert older.queued and other.queued, str(older)
    fresh_server.start()
    newer = _publish(fresh_server, tmp_path, task_path, "c", asset_name="plate", comment="newer")
    assert newer.ok and not newer.queued, str(newer)
    numbers = _version_numbers(fresh_server, tmp_path, older, newer, other)
    assert numbers == {
        older.asset_version_id: 1,  # the artist's order: the older work stays older
        newer.asset_version_id: 2,
        other.asset_version_id: 1,  # everything queued before it went first
    }, numbers
    assert newer.version_number == 2
    assert any("2 publish(es) queued before this one" in w for w in newer.warnings), newer.warnings
    assert OfflineQueue(queue_dir).entries() == []


def test_queued_work_that_cannot_go_first_is_named_not_overtaken_silently(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    from ft_dcc.review.sessions import close_review_session, create_review_session

    task_path = _task(fresh_server, tmp_path)
    with open_session(fresh_server, tmp_path) as session:
        project = session.query(f'Project where name is "{task_path.split("/")[0]}"').one()
        closed = create_review_session(session, project, "Dailies closed")
        session.commit()
        close_review_session(session, closed)
        session.commit()
    fresh_server.stop()
    older = _publish(fresh_server, tmp_path, task_path, "a", asset_name="plate",
                     review_session_name="Dailies closed")  # fmt: skip
    assert older.queued, str(older)
    fresh_server.start()
    newer = _publish(fresh_server, tmp_path, task_path, "b", asset_name="plate",
                     review_session_name="Dailies open")  # fmt: skip
    assert newer.ok and newer.version_number == 1, str(newer)
    (entry,) = OfflineQueue(queue_dir).entries()
    short = entry.id[:8]
    warning = " ".join(newer.warnings)
    assert "overtakes" in warning and short in warning and "closed" in warning, warning
    assert f"ft-dcc queue drop {short}" in warning, warning


def test_a_flush_says_when_queued_work_lands_after_later_work(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    task_path = _task(fresh_server, tmp_path)
    fresh_server.stop()
    older = _publish(fresh_server, tmp_path, task_path, "a", asset_name="plate")
    assert older.queued
    (entry,) = OfflineQueue(queue_dir).entries()  # its work was made an hour ago
    manifest = json.loads((entry.path / "manifest.json").read_text())
    made = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(hours=1)
    manifest["created_at"] = made.isoformat(timespec="seconds")
    (entry.path / "manifest.json").write_text(json.dumps(manifest))
    fresh_server.start()
    elsewhere = _publish(  # another machine's publish, with its own (empty) queue
        fresh_server, tmp_path, task_path, "b", asset_name="plate", queue_dir=tmp_path / "q2"
    )
    assert elsewhere.version_number == 1, str(elsewhere)
    flushed = run_cli(fresh_server, queue_dir, "queue", "flush")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    text = flushed.stdout
    assert "v002" in text and "plate" in text, text
    assert "/review/" in text, text  # the review link, not a bare id
    assert older.asset_version_id not in text and entry.id not in text, text  # no bare UUIDs
    assert "v001" in text and "made after it" in text, text


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_only_queued_exits_with_its_own_status_and_the_listing_id_drops(
    offline_env: Path, tmp_path: Path
) -> None:
    frames = make_sequence(tmp_path / "frames", frames=4, start=1)
    env = dict(os.environ)
    task = ["--task", "p/sq/sh/comp", "--fps", "25"]
    done = run_ft_dcc(["publish", str(frames), *task], env=env)
    assert done.returncode == EXIT_QUEUED == 75, done.stdout + done.stderr
    as_json = run_ft_dcc(["publish", str(frames), *task, "--json"], env=env)
    assert as_json.returncode == EXIT_QUEUED and json.loads(as_json.stdout)["queued"] is True
    down = run_ft_dcc(["queue", "flush"], env=env)
    assert down.returncode == EXIT_QUEUED, down.stdout  # still waiting: the same status
    listing = run_ft_dcc(["queue", "list"], env=env)
    ids = re.findall(r"^\s+([0-9a-f]{8})\s", listing.stdout, flags=re.M)
    assert len(ids) == 2, listing.stdout
    dropped = run_ft_dcc(["queue", "drop", ids[0]], env=env)
    assert dropped.returncode == 0, dropped.stderr
    assert [e.id[:8] for e in OfflineQueue(offline_env).entries()] == [ids[1]]


def test_flush_wait_publishes_once_the_server_is_back(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    task_path = _task(fresh_server, tmp_path)
    fresh_server.stop()
    queued = _publish(fresh_server, tmp_path, task_path, "a", asset_name="plate")
    assert queued.queued
    env = dict(os.environ, **fresh_server.env, FT_DCC_QUEUE_DIR=str(queue_dir))
    said = tmp_path / "flush.txt"
    with open(said, "wb") as out, open(tmp_path / "flush-errors.txt", "wb") as err:
        waiting = launcher.launch(
            ["queue", "flush", "--wait", "--interval", "0.2"], env=env, stdout=out, stderr=err
        )
    try:
        fresh_server.start()
        returncode = waiting.wait(timeout=300)  # it ends once it published
    finally:
        if waiting.poll() is None:
            waiting.kill()
    out = said.read_text()
    assert returncode == 0, out + (tmp_path / "flush-errors.txt").read_text()
    assert "plate v001" in out, out
    assert OfflineQueue(queue_dir).entries() == []
