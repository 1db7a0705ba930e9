"""The request budget of one publish, read from the server's own request log.

Each ``/api`` POST is a round trip (~100 ms on a WAN). A publish starts its session with its
first read (the task, or for ``ft-dcc publish`` the settings and the task), reads the task's
context in one batch, asks for both upload URLs at once, and commits everything with the review
link in one POST; the announcement goes to the event hub. The request budget: per reviewable at
most 4 ``/api`` requests + 2 uploads, and a single reviewable at most 6 requests in all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

from support import make_sequence, make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.publish.context.tasks import resolve_task

#: ``/api`` POSTs of one reviewable's publish, session start included (was 17 + 1 start; the
#: start rides with the task's read, the review link with the commit)
MAX_API_REQUESTS = 4
#: uploads of a publish: the review movie and the thumbnail, one PUT each
UPLOADS = 2
#: every request of a single reviewable's publish, uploads included
ALL_REQUESTS = 6


def _count(requests: List[Dict]) -> Dict[str, int]:
    api = sum(1 for r in requests if r.get("path", "").endswith("/api"))
    puts = sum(1 for r in requests if r.get("method") == "PUT")
    return {"api": api, "put": puts, "other": len(requests) - api - puts}


def _task_and_frames(server, tmp_path: Path) -> Tuple[Any, str, Path]:
    """(a setup session, a new task's id, 12 frames to publish to it)."""
    setup = open_session(server, tmp_path / "setup")
    task_id = resolve_task(setup, None, make_task(setup, fstart=1001, fend=1012, fps=25.0))["id"]
    return setup, task_id, make_sequence(tmp_path / "frames", frames=12, start=1001)


def _assert_within_budget(count: Dict[str, int]) -> None:
    assert count["put"] == UPLOADS, count
    assert count["api"] <= MAX_API_REQUESTS, count
    assert count["api"] + count["put"] <= ALL_REQUESTS, count


def test_a_fresh_publish_and_a_v002_fit_the_request_budget(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    setup, task_id, sequence = _task_and_frames(embedded_server, tmp_path)
    counts = []
    for attempt in ("first", "second"):  # the second finds the asset and review session
        mark = embedded_server.log_mark()
        # a cold schema cache; started as the publish starts its own (with the first read)
        session = open_session(embedded_server, tmp_path / attempt, defer_start=True)
        report = publish(
            FilesHost(sequence, fps=25),
            task=task_id,
            review_session_name=f"Dailies requests {tmp_path.name}",
            session=session,
            queue_dir=queue_dir,
        )
        assert report.ok and not report.queued, str(report)
        counts.append(_count(embedded_server.requests_since(mark)))
    versions = setup.query(f'select version from AssetVersion where task_id is "{task_id}"').all()
    assert sorted(v["version"] for v in versions) == [1, 2]
    for count in counts:
        _assert_within_budget(count)
    assert not list(queue_dir.glob("*/manifest.json")), "the journal entries were removed"


def test_a_publish_opening_its_own_session_fits_the_budget(
    embedded_server, ftrack_env, tmp_path: Path, queue_dir: Path
) -> None:
    _setup, task_id, sequence = _task_and_frames(embedded_server, tmp_path)
    mark = embedded_server.log_mark()
    report = publish(FilesHost(sequence, fps=25), task=task_id, queue_dir=queue_dir)
    assert report.ok and not report.queued, str(report)
    _assert_within_budget(_count(embedded_server.requests_since(mark)))


def test_a_cli_publish_fits_issue_21s_budget(
    embedded_server, ftrack_env, tmp_path: Path, queue_dir: Path
) -> None:
    from ft_dcc.cli import main

    _setup, task_id, sequence = _task_and_frames(embedded_server, tmp_path)
    mark = embedded_server.log_mark()
    assert main(["publish", str(sequence), "--task", task_id, "--fps", "25"]) == 0
    _assert_within_budget(_count(embedded_server.requests_since(mark)))


def test_a_task_path_is_found_in_one_request(embedded_server, tmp_path: Path) -> None:
    setup = open_session(embedded_server, tmp_path / "setup")
    path = make_task(setup, task_name="lighting")
    session = open_session(embedded_server, tmp_path / "setup")
    mark = embedded_server.log_mark()
    task = resolve_task(session, None, path)
    assert [item["name"] for item in task["link"]] == path.split("/")
    assert _count(embedded_server.requests_since(mark))["api"] == 1


def test_the_settings_read_has_every_field_the_publish_reads_of_its_task() -> None:
    # ft-dcc publish keeps the task its settings read found: that read must fetch all of it
    from ft_dcc.publish.context.tasks import TASK_PROJECTION
    from ft_dcc.settings.store import TASK_FIELDS

    wanted = TASK_PROJECTION.removeprefix("select ").split(" from ")[0].split(", ")
    assert set(wanted) <= set(TASK_FIELDS.split(", "))
