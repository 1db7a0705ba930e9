"""A database outage as a studio meets it: PostgreSQL stopped under a running two-worker server
while a review page is open and a publish runs, then started again.

During the outage ``/api`` answers 503 with an ftrack error, a browser gets a 503 HTML page,
``/health`` still answers and ``/ready`` says what is wrong; the log says it once per worker (and
once when it is back), with no traceback. Afterwards everything written before is there, the
publish made meanwhile is kept in the offline queue (exit 75), the queue sends it once the
database is back, and the next publish goes through.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from support import make_sequence, make_task, open_session
from support.pg_cluster import PgCluster
from support.waiting import wait_until

from ft_dcc import __version__
from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.publish.offline.queue import OfflineQueue
from ft_dcc.server.http.health import OUTAGE_TEXT

pytestmark = pytest.mark.slow  # a cluster of its own, stopped and started


@pytest.fixture
def own_cluster() -> Iterator[PgCluster]:
    """A PostgreSQL cluster for this test alone (the shared one serves other tests meanwhile)."""
    pytest.importorskip("psycopg", reason="the postgres extra is not installed (make install)")
    cluster = PgCluster.start()
    yield cluster
    cluster.stop()


def _pg_ctl(cluster: PgCluster, *args: str) -> None:
    subprocess.run(cluster._cmd("pg_ctl", "-D", str(cluster.data), *args),
                   check=True, capture_output=True, cwd=cluster.base)  # fmt: skip


def _api(server: Any, strict: bool) -> requests.Response:
    headers = {"ftrack-user": server.api_user, "ftrack-api-key": server.api_key}
    if strict:
        headers["ftrack-strict-api"] = "true"
    return requests.post(server.url + "/api", json=[{"action": "query", "expression":
                         "select id from Project"}], headers=headers, timeout=60)  # fmt: skip


def _publish(sequence: Path, task: str, session: Any) -> Any:
    return publish(FilesHost(sequence, fps="25"), task=task, review_session_name="Outage",
                   session=session)  # fmt: skip


def test_an_outage_answers_503_says_so_once_and_loses_nothing(own_cluster, tmp_path, monkeypatch):
    from support.trust import start_server

    monkeypatch.setenv("FT_DCC_QUEUE_DIR", str(tmp_path / "queue"))
    url = own_cluster.create_database("outage")
    server = start_server(tmp_path, ["--database", url, "--workers", "2"])
    try:
        session = open_session(server, tmp_path / "cache")
        task = make_task(session, fend=1006)
        sequence = make_sequence(tmp_path / "frames", frames=6)
        first = _publish(sequence, task, session)
        assert first.ok and first.review_url, str(first)
        projects = _api(server, strict=True).json()[0]["data"]

        _pg_ctl(own_cluster, "-m", "fast", "-w", "stop")

        for strict in (True, False):
            answer = _api(server, strict)
            assert answer.status_code == 503, answer.text
            assert answer.json()["exception"] == "ServerError"
            assert "cannot reach its database" in answer.json()["content"]
        page = requests.get(first.review_url, headers={"Accept": "text/html"}, timeout=60)
        assert page.status_code == 503 and "text/html" in page.headers["content-type"]
        assert OUTAGE_TEXT in page.text
        health = requests.get(server.url + "/health", timeout=60)
        assert health.status_code == 200 and health.json()["version"] == __version__
        ready = requests.get(server.url + "/ready", timeout=60)
        assert ready.status_code == 503 and ready.json()["database"] == "unreachable"
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        kept = _publish(sequence, task, None)  # its own session, as ft-dcc publish opens it
        assert kept.ok and kept.queued and kept.version_number is None, str(kept)  # exit 75
        assert len(OfflineQueue(tmp_path / "queue").entries()) == 1

        own_cluster._start_on_port()  # the same port and options as before

        wait_until(lambda: requests.get(server.url + "/ready", timeout=60).status_code == 200,
                   "the server to be ready again", timeout=120)  # fmt: skip
        assert _api(server, strict=True).json()[0]["data"] == projects
        page = requests.get(first.review_url, headers={"Accept": "text/html"}, timeout=60)
        assert page.status_code == 200
        flushed = OfflineQueue(tmp_path / "queue").flush(open_session(server, tmp_path / "c2"))
        assert flushed.ok and flushed.remaining == 0, flushed  # the kept publish went out: v2
        second = _publish(sequence, task, open_session(server, tmp_path / "cache3"))
        assert second.ok and second.version_number == 3, str(second)
        wait_until(lambda: _said(server, "reachable again") == _said(server, "cannot reach the"),
                   "every worker that met the outage to say the database is back")  # fmt: skip
    finally:
        server.stop()
    log = server.stderr_path.read_text(errors="replace")
    assert "Traceback" not in log, log
    assert 1 <= _said(server, "cannot reach the database") <= 2, log  # once per worker met by it


def _said(server: Any, words: str) -> int:
    """How many lines of the server's log hold ``words``."""
    log = server.stderr_path.read_text(errors="replace")
    return sum(words in line for line in log.splitlines())
