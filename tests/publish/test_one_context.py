"""One publish is one pyblish ``Context`` with one ``Instance`` per reviewable.

A studio plugin on ``PYBLISHPLUGINPATH`` sees the same context from collection to integration,
holding a review instance (family ``review``) for each reviewable; the server is read once for
all of them before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List

from support import make_sequence, make_task, open_session
from test_publish_requests import _count

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.publish.request.request import PublishRequest, Reviewable

WATCHER = """
import json
import pyblish.api

OUT = OUTPUT


def _record(stage, context):
    seen = [{"name": i.data["name"], "family": i.data["family"], "publish": i.data["publish"]}
            for i in context]
    with open(OUT, "a") as out:
        out.write(json.dumps({"stage": stage, "context": id(context), "instances": seen}) + "\\n")


class CollectStudioWatch(pyblish.api.ContextPlugin):
    order = pyblish.api.CollectorOrder + 0.3

    def process(self, context):
        _record("collect", context)


class ExtractStudioWatch(pyblish.api.ContextPlugin):
    order = pyblish.api.ExtractorOrder + 0.4

    def process(self, context):
        _record("extract", context)


class IntegrateStudioWatch(pyblish.api.ContextPlugin):
    order = pyblish.api.IntegratorOrder + 0.1

    def process(self, context):
        _record("integrate", context)
"""


def _watch(tmp_path: Path, monkeypatch: Any) -> Path:
    folder = tmp_path / "studio"
    folder.mkdir()
    seen = tmp_path / "seen.jsonl"
    (folder / "watch.py").write_text(WATCHER.replace("OUTPUT", repr(str(seen))))
    monkeypatch.setenv("PYBLISHPLUGINPATH", str(folder))
    return seen


def _inputs(tmp_path: Path, *names: str) -> List[Path]:
    return [make_sequence(tmp_path / name, frames=4, start=1001, name=name) for name in names]


def test_one_context_holds_an_instance_per_reviewable_from_collect_to_integrate(
    embedded_server, ftrack_env: Any, tmp_path: Path, queue_dir: Path, monkeypatch: Any
) -> None:
    seen = _watch(tmp_path, monkeypatch)
    session = open_session(embedded_server, tmp_path / "s")
    task_id = resolve_task(session, None, make_task(session, fstart=1001, fend=1004))["id"]
    inputs = _inputs(tmp_path, "left", "middle", "right")
    request = PublishRequest(
        reviewables=[Reviewable(source=str(p)) for p in inputs], task=task_id, fps="25"
    )
    mark = embedded_server.log_mark()
    report = publish(FilesHost(str(inputs[0]), fps=25), request)
    assert report.ok, str(report)
    records = [json.loads(line) for line in seen.read_text().splitlines()]
    assert [r["stage"] for r in records] == ["collect", "extract", "integrate"]
    assert len({r["context"] for r in records}) == 1  # one context, from start to end
    for record in records:
        assert [(i["name"], i["family"]) for i in record["instances"]] == [
            ("left", "review"),
            ("middle", "review"),
            ("right", "review"),
        ]
    assert [v.asset_name for v in report.versions] == ["left", "middle", "right"]
    # one read of the task and one planned read for all three versions (it was one planned
    # read per reviewable: 6 /api requests for three), two uploads each, one commit
    count = _count(embedded_server.requests_since(mark))
    assert count["put"] == 3 * 2, count
    assert count["api"] <= 4, count


def test_a_reviewable_turned_off_stays_in_the_context_and_is_not_published(
    embedded_server, ftrack_env: Any, tmp_path: Path, queue_dir: Path, monkeypatch: Any
) -> None:
    folder = tmp_path / "studio"
    folder.mkdir()
    (folder / "off.py").write_text(
        "import pyblish.api\n\n\n"
        "class CollectOnlyLeft(pyblish.api.InstancePlugin):\n"
        "    order = pyblish.api.CollectorOrder + 0.2\n"
        "    families = ['review']\n\n"
        "    def process(self, instance):\n"
        "        instance.data['publish'] = instance.data['asset'] == 'left'\n"
    )
    monkeypatch.setenv("PYBLISHPLUGINPATH", str(folder))
    session = open_session(embedded_server, tmp_path / "s")
    task_id = resolve_task(session, None, make_task(session, fstart=1001, fend=1004))["id"]
    inputs = _inputs(tmp_path, "left", "right")
    request = PublishRequest(
        reviewables=[Reviewable(source=str(p)) for p in inputs], task=task_id, fps="25"
    )
    report = publish(FilesHost(str(inputs[0]), fps=25), request)
    assert report.ok, str(report)
    assert [v.asset_name for v in report.versions] == ["left"]
    assert any("right: not published" in w for w in report.warnings)
    # the turned-off reviewable was collected, then neither checked nor captured
    ran = [(s.stage, s.plugin) for s in report.steps if s.instance == "right"]
    assert ran == [("collect", "CollectCaptureSpec"), ("collect", "CollectOnlyLeft")], ran
