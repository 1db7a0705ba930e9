"""Integrate details: undo after a refused commit, invitees, source, the event, pyblish UIs."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pyblish.util
import pytest
from support import count_entities, make_movie, make_sequence, make_task, open_session

from ft_dcc.exceptions import PublishError, ServerError
from ft_dcc.host.files import FilesHost
from ft_dcc.publish import OfflineQueue, install, publish
from ft_dcc.session import RetryPolicy, Session


class RefusesTheCommit(Session):
    """A real session whose commit (the batch that creates) is refused, as a server error
    would refuse it, after the uploads were sent."""

    commits = 0

    def call(self, operations: List[Dict[str, Any]]) -> List[Any]:
        if any(op.get("action") == "create" for op in operations):
            self.commits += 1
            raise ServerError("Server reported error: the thumbnail could not be set")
        return super().call(operations)


def test_a_refused_commit_after_the_uploads_leaves_nothing(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    with open_session(fresh_server, tmp_path) as setup:
        task_path = make_task(setup, fstart=1001, fend=1012, fps=25)
        before = count_entities(setup)
    sequence = make_sequence(tmp_path / "frames", frames=12, start=1001)
    session = RefusesTheCommit(
        server_url=fresh_server.url,
        api_key=fresh_server.api_key,
        api_user=fresh_server.api_user,
        plugin_paths=[],
    )
    report = publish(
        FilesHost(sequence, fps=25),
        task=task_path,
        invitees=["lead@example.com"],
        session=session,
    )
    assert session.commits >= 1  # the uploads were sent, the commit refused
    assert not report.ok and not report.queued
    (error,) = report.errors
    assert "thumbnail could not be set" in error and "nothing was written" in error
    with open_session(fresh_server, tmp_path) as check:
        assert count_entities(check) == before
    assert OfflineQueue(queue_dir).entries() == []


def test_invitees_source_media_and_the_announcement(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    with open_session(embedded_server, tmp_path) as setup:
        task_path = make_task(setup, fstart=1, fend=20, fps=25)
    movie = tmp_path / "sh010_edit_v002.mov"
    make_movie(movie, frames=20, size="320x180")
    listener = open_session(embedded_server, tmp_path)
    received: List[Any] = []
    listener.event_hub.connect()
    listener.event_hub.subscribe("topic=ft_dcc.review.published", received.append)
    session = open_session(embedded_server, tmp_path)
    report = publish(
        FilesHost(movie),
        task=task_path,
        review_session_name="Client review",
        invitees=["lead@example.com", {"name": "Sup", "email": "sup@example.com"}],
        include_source=True,
        session=session,
    )
    assert report.ok, str(report)
    assert set(report.component_ids) == {"ftrackreview-mp4", "thumbnail", "source"}
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [e["data"]["asset_version_id"] for e in received] == [report.asset_version_id]
    assert received[0]["data"]["review_session_object_id"] == report.review_session_object_id
    with open_session(embedded_server, tmp_path) as check:
        invitees = check.query(
            "select email from ReviewSessionInvitee "
            f'where review_session_id is "{report.review_session_id}"'
        ).all()
        assert sorted(i["email"] for i in invitees) == ["lead@example.com", "sup@example.com"]
        source_id = report.component_ids["source"]
        source = check.query(
            f'select size, file_type from FileComponent where id is "{source_id}"'
        ).one()
        assert source["size"] == movie.stat().st_size and source["file_type"] == ".mov"
    listener.close()
    session.close()


def test_a_pyblish_ui_can_drive_the_plugins(offline_env: Path, tmp_path: Path) -> None:
    """What pyblish-lite does: discover the registered plugins and run pyblish.util.publish."""
    sequence = make_sequence(tmp_path / "frames", frames=6, start=1)
    install(
        FilesHost(sequence, fps=25),
        task="demo/sh010/comp",
        session_factory=lambda: Session(retry=RetryPolicy(retries=0)),
    )
    context = pyblish.util.publish()
    errors = [r["error"] for r in context.data["results"] if r["error"]]
    assert errors == []
    labels = {r["plugin"].__name__ for r in context.data["results"]}
    assert {"ValidateFtrackServer", "ExtractReviewMovie", "IntegrateReview"} <= labels
    assert len(OfflineQueue(offline_env).entries()) == 1


def test_a_pyblish_ui_install_refuses_an_unknown_option(tmp_path: Path) -> None:
    """A misspelt option fails where it is given, naming it, not later inside the UI's run."""
    sequence = make_sequence(tmp_path / "frames", frames=2, start=1)
    with pytest.raises(PublishError, match=r"unknown publish option.*: taks"):
        install(FilesHost(sequence, fps=25), taks="demo/sh010/comp")


def test_publishes_from_two_threads_do_not_mix(offline_env: Path, tmp_path: Path) -> None:
    """A host may publish from a worker thread; two at once keep their own state."""
    sequences = [make_sequence(tmp_path / f"f{i}", frames=6, start=1, name=f"s{i}") for i in (1, 2)]
    reports: List[Any] = [None, None]

    def run(index: int) -> None:
        reports[index] = publish(
            FilesHost(sequences[index], fps=25),
            task=f"demo/sh010/comp{index}",
            session_factory=lambda: Session(retry=RetryPolicy(retries=0)),
        )

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(r is not None and r.queued for r in reports), [str(r) for r in reports]
    names = sorted(e.manifest.asset_name for e in OfflineQueue(offline_env).entries())
    assert names == ["s1", "s2"]
