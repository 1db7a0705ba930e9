"""How many lookups a standard publish costs: each ``query`` is a round trip (~100 ms on a WAN)."""

from __future__ import annotations

from pathlib import Path

from support import make_sequence, make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.publish.tasks import resolve_task

#: ``query`` requests of one files-host publish to a task given by id (was 18 before the
#: lookups were merged; a plain ftrack_api script needs 11)
MAX_QUERIES_PER_PUBLISH = 11


def _queries(server, mark: int) -> int:
    return sum(
        1
        for request in server.api_requests_since(mark)
        if "query" in (request.get("actions") or [])
    )


def test_a_files_host_publish_makes_at_most_eleven_queries(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    setup = open_session(embedded_server, tmp_path / "setup")
    task_id = resolve_task(setup, None, make_task(setup, fstart=1001, fend=1012, fps=25.0))["id"]
    sequence = make_sequence(tmp_path / "frames", frames=12, start=1001)
    counts = []
    for attempt in ("first", "second"):  # the second finds the asset and review session
        session = open_session(embedded_server, tmp_path / attempt)
        mark = embedded_server.log_mark()
        report = publish(
            FilesHost(sequence, fps=25),
            task=task_id,
            review_session="Dailies requests",
            session=session,
            queue_dir=queue_dir,
        )
        counts.append(_queries(embedded_server, mark))
        assert report.ok and not report.queued, str(report)
    assert all(count <= MAX_QUERIES_PER_PUBLISH for count in counts), counts
