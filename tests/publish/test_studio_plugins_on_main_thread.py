"""A studio plugin runs where its host's own API may be called: the host's main thread.

In a DCC's UI the publish runs in a worker thread and every call of ft_dcc's own plugins goes
to the main thread through the host's port. A studio plugin calls the DCC's API directly
(``nuke.toNode``, ``bpy.data``), which is safe only on the main thread, so its ``process`` and
its repair actions run there too (``Host.run_in_host``, handed off like every port method).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, List

from publish_helpers import quick_session

from ft_dcc.host.files import FilesHost
from ft_dcc.host.job import MainThreadCalls, PublishJob
from ft_dcc.publish.request.request import PublishRequest

PLUGINS = '''
import threading
import pyblish.api

OUT = OUTPUT


def _where(what):
    with open(OUT, "a") as out:
        out.write(f"{what} {threading.get_ident()}\\n")


class TicketSet(pyblish.api.Action):
    label = "Set the ticket"
    on = "failed"

    def process(self, context, plugin):
        _where("repair")
        open(OUT + ".ticket", "w").write("T-1")


class ValidateStudioTicket(pyblish.api.ContextPlugin):
    label = "Studio ticket"
    order = pyblish.api.ValidatorOrder + 0.05
    actions = [TicketSet]

    def process(self, context):
        import os

        _where("validate")
        if not os.path.exists(OUT + ".ticket"):
            raise ValueError("the scene names no ticket")


class ExtractStudioNote(pyblish.api.InstancePlugin):
    order = pyblish.api.ExtractorOrder + 0.3
    families = ["review"]

    def process(self, instance):
        _where("extract")
'''


def _run_on_a_worker(job: PublishJob, calls: MainThreadCalls) -> None:
    job.start()
    assert job.thread is not None and job.thread.ident != threading.get_ident()
    while not job.done():
        calls.drain()  # what a host's UI timer does
        job.wait(0.01)


def test_a_studio_plugin_and_its_repair_run_on_the_hosts_main_thread(
    offline_env: Any, sequence_25: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    folder = tmp_path / "studio"
    folder.mkdir()
    seen = tmp_path / "threads.txt"
    (folder / "studio.py").write_text(PLUGINS.replace("OUTPUT", repr(str(seen))))
    monkeypatch.setenv("PYBLISHPLUGINPATH", str(folder))
    calls = MainThreadCalls()
    request = PublishRequest(task="demo/sq010/sh010/comp", repair=True)
    job = PublishJob(FilesHost(sequence_25, fps=25), request, on_main=calls,
                     session_factory=quick_session)  # fmt: skip
    _run_on_a_worker(job, calls)
    assert job.error is None and job.report is not None and job.report.ok, job.report
    runs: List[List[str]] = [line.split() for line in seen.read_text().splitlines()]
    assert [what for what, _ in runs] == ["validate", "repair", "validate", "extract"]
    main = str(threading.get_ident())
    assert {thread for _, thread in runs} == {main}, runs
