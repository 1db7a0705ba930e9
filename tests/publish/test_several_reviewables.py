"""Several reviewables in one publish, on the real embedded server.

Each input (or camera, or Write node) becomes its own AssetVersion in the same review session,
written in ONE commit: one journal/queue entry, one report listing every version, and a
failure in any reviewable publishes none of them. A publish killed anywhere leaves either
nothing or an entry that the flush completes with every version.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

from support import count_entities, make_sequence, make_task, open_session
from support.cli import run_ft_dcc
from test_publish_requests import _count

from ft_dcc.cli import main
from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.publish.offline.queue import OfflineQueue
from ft_dcc.publish.request.request import PublishRequest, Reviewable
from ft_dcc.session import RetryPolicy

HERE = Path(__file__).parent


def _inputs(tmp_path: Path, *names: str) -> List[Path]:
    return [make_sequence(tmp_path / name, frames=6, start=1001, name=name) for name in names]


def _versions(session: Any, task_id: str) -> Dict[str, Any]:
    rows = session.query(
        "select id, version, thumbnail_id, asset.name from AssetVersion "
        f'where task_id is "{task_id}"'
    ).all()
    return {row["asset"]["name"]: row for row in rows}


def _commits(requests: List[Dict[str, Any]]) -> List[List[str]]:
    """The actions of each ``/api`` batch that created anything (the publish's commit)."""
    return [r["actions"] for r in requests if "create" in (r.get("actions") or [])]


def test_the_cli_publishes_several_inputs_as_versions_in_one_commit(
    embedded_server, ftrack_env: Any, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path / "s")
    task_id = resolve_task(session, None, make_task(session, fstart=1001, fend=1006))["id"]
    left, right = _inputs(tmp_path, "left", "right")
    report_file = tmp_path / "report.json"
    mark = embedded_server.log_mark()
    name = f"Several {tmp_path.name}"
    code = main(["publish", str(left), str(right), "--task", task_id, "--fps", "25",
                 "--review-session", name, "--report", str(report_file)])  # fmt: skip
    assert code == 0
    report = json.loads(report_file.read_text(encoding="utf-8"))
    names = [v["asset_name"] for v in report["versions"]]
    assert names == ["left", "right"] and all(v["version_number"] == 1 for v in report["versions"])
    found = _versions(session, task_id)
    assert sorted(found) == ["left", "right"]
    objects = session.query(
        f'select version_id, version from ReviewSessionObject where review_session.name is "{name}"'
    ).all()
    assert sorted(o["version_id"] for o in objects) == sorted(v["id"] for v in found.values())
    requests = embedded_server.requests_since(mark)
    (commit,) = _commits(requests)  # both versions, their components, the session: ONE batch
    assert "get_upload_metadata" not in commit
    assert _count(requests)["put"] == 2 * 2  # a movie and a thumbnail each, no more
    assert not list(queue_dir.glob("*/manifest.json"))


def test_a_failing_reviewable_publishes_none_of_them(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(ftrack_env, tmp_path / "s")
    task_id = resolve_task(session, None, make_task(session, fstart=1001, fend=1006))["id"]
    (good,) = _inputs(tmp_path, "good")
    clash = make_sequence(tmp_path / "elsewhere", frames=6, start=1001, name="good")
    before = count_entities(session)
    expected = {
        str(clash): "two of the reviewables would be versions of the same asset 'good'",
        str(tmp_path / "missing.%04d.png"): "missing.%04d.png",
    }
    for second, message in expected.items():
        request = PublishRequest(
            task=task_id,
            reviewables=[Reviewable(source=str(good)), Reviewable(source=second)],
            work_dir=tmp_path / "work",
        )
        report = publish(FilesHost(good, fps=25), request)
        assert not report.ok and report.versions == []
        assert message in "\n".join(report.errors), report.errors
        assert not (tmp_path / "work" / "reviewable-1" / "capture").exists()  # none captured
    after = count_entities(session)
    assert after == before
    assert OfflineQueue(queue_dir).entries() == []


def test_offline_several_reviewables_are_one_queue_entry_the_flush_publishes(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    from ft_dcc.session import Session

    left, right = _inputs(tmp_path, "left", "right")
    setup = open_session(fresh_server, tmp_path / "setup")
    # the shot's range is the inputs' (a flush checks it as a live publish does)
    task_id = resolve_task(setup, None, make_task(setup, fstart=1001, fend=1006))["id"]
    fresh_server.stop()
    report = publish(
        FilesHost(left, fps=25),
        PublishRequest(
            task=task_id,
            review_session_name="Offline pair",
            reviewables=[Reviewable(source=str(left)), Reviewable(source=str(right))],
        ),
        session_factory=lambda: Session(
            server_url=fresh_server.url, api_key=fresh_server.api_key,
            api_user=fresh_server.api_user, retry=RetryPolicy(retries=0),
        ),
    )  # fmt: skip
    assert report.ok and report.queued, str(report)
    assert [v.asset_name for v in report.versions] == ["left", "right"]
    assert "the 2 reviews are kept" in report.summary()
    (entry,) = OfflineQueue(queue_dir).entries()
    assert [v.asset_name for v in entry.manifest.versions()] == ["left", "right"]
    assert len(list(entry.media_dir.iterdir())) == 4  # two movies, two thumbnails
    fresh_server.start()
    result = OfflineQueue(queue_dir).flush(open_session(fresh_server, tmp_path / "flush"))
    assert result.ok and result.flushed == 1, result.to_dict()
    found = _versions(open_session(fresh_server, tmp_path / "check"), task_id)
    assert sorted(found) == ["left", "right"]


#: fault points of a two-reviewable publish and whether its media were journaled before them
POINTS = [("encode", False), ("journaled", True), ("mid-upload", True), ("committed", True)]
SCRIPT = """
import sys
from ft_dcc.publish import publish
from ft_dcc.publish.request.request import PublishRequest, Reviewable
from ft_dcc.host.files import FilesHost
task, session_name, left, right = sys.argv[1:5]
request = PublishRequest(task=task, review_session_name=session_name,
                         reviewables=[Reviewable(source=left, asset_name=sys.argv[5] + "-a"),
                                      Reviewable(source=right, asset_name=sys.argv[5] + "-b")])
report = publish(FilesHost(left, fps=25), request)
print(report)
"""


def test_a_killed_several_reviewable_publish_leaves_all_or_nothing(
    embedded_server, tmp_path: Path
) -> None:
    from test_publish_killed import _complete, _env, _finished, _start_publish

    setup = open_session(embedded_server, tmp_path / "setup")
    task_id = resolve_task(setup, None, make_task(setup, fstart=1001, fend=1006))["id"]
    left, right = _inputs(tmp_path, "left", "right")
    queue = tmp_path / "queue"
    name = f"Killed pair {tmp_path.name}"
    runs = {}
    for point, _ in POINTS:
        env = _env(embedded_server, queue, tmp_path / "tmp", point, "KILL")
        runs[point] = _start_publish(tmp_path / "script", env, task_id, name, str(left),
                                     str(right), point, script=SCRIPT)  # fmt: skip
    for point, (process, printed) in runs.items():
        output = _finished(process, printed)
        assert process.returncode == -9, f"{point}: {process.returncode}\n{output[-2000:]}"
    env = _env(embedded_server, queue, tmp_path / "tmp")
    run_ft_dcc(["queue", "flush"], env=env, check=True, timeout=240)
    assert not list(queue.glob("*/manifest.json")), "nothing is left queued"
    check = open_session(embedded_server, tmp_path / "check")
    for point, journaled in POINTS:
        for part in ("a", "b"):
            versions = check.query(
                "select id, version, thumbnail_id from AssetVersion "
                f'where task_id is "{task_id}" and asset.name is "{point}-{part}"'
            ).all()
            if journaled:
                assert len(versions) == 1 and _complete(check, versions), (point, part)
            else:
                assert versions == [], (point, part)
    assert os.environ.get("FT_DCC_FAULT_AT") is None
