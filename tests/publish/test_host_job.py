"""The host room's publish job, stage table and artist message (``ft_dcc/host/job.py``,
``stages.py``, ``messages.py``), used by every host: a real pipeline with the files host."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import List, Tuple

import pytest
from publish_helpers import quick_session

from ft_dcc.host.files import FilesHost
from ft_dcc.host.job import MainThreadCalls, PublishJob
from ft_dcc.host.messages import artist_message
from ft_dcc.host.stages import STAGE_SPANS, OverallProgress
from ft_dcc.publish.common.report import PublishReport
from ft_dcc.publish.request.request import PublishRequest


def _offline_job(sequence: Path) -> PublishJob:
    updates: List[Tuple[str, float]] = []
    progress = OverallProgress()

    def record(stage: str, fraction: float, message: str = "") -> None:
        updates.append((stage, progress.snapshot()[0]))
        progress(stage, fraction, message)

    job = PublishJob(
        FilesHost(sequence, fps=25),
        PublishRequest(task="demo/sq010/sh010/comp", review_session_name="Dailies test"),
        progress=record,
        session_factory=quick_session,
    )
    job.updates = updates  # type: ignore[attr-defined]
    job.overall = progress  # type: ignore[attr-defined]
    return job


def test_the_stage_table_follows_the_order_the_pipeline_runs(offline_env, sequence_25):
    job = _offline_job(sequence_25)
    job.run()
    assert job.report is not None and job.report.queued, job.error
    seen: List[str] = []
    for stage, _ in job.updates:
        if stage != "publish" and stage not in seen:
            seen.append(stage)
    assert seen[:4] == ["capture", "encode", "verify", "thumbnail"]
    starts = [STAGE_SPANS[stage][0] for stage in seen]
    assert starts == sorted(starts), f"the table's order differs from the pipeline's: {seen}"
    assert job.overall.snapshot()[0] == pytest.approx(STAGE_SPANS["thumbnail"][1])  # queued


def test_a_worker_job_hands_every_host_call_to_the_main_thread(offline_env, sequence_25):
    calls = MainThreadCalls()
    main = threading.get_ident()
    threads_seen = set()

    class WatchedHost(FilesHost):
        def frame_range(self):
            threads_seen.add(threading.get_ident())
            return super().frame_range()

        def capture(self, spec, out_dir, progress):
            threads_seen.add(threading.get_ident())
            return super().capture(spec, out_dir, progress)

    done: List[PublishJob] = []
    job = PublishJob(
        WatchedHost(sequence_25, fps=25),
        PublishRequest(task="demo/sq010/sh010/comp"),
        on_main=calls,
        on_done=done.append,
        session_factory=quick_session,
    ).start()
    assert job.thread is not None and job.thread.ident != main
    while not job.done():
        calls.drain()  # what a host's UI timer does
        job.wait(0.01)
    assert done == [job] and job.error is None and job.report.queued
    assert threads_seen == {main}


def test_mailbox_passes_results_and_exceptions_back():
    calls = MainThreadCalls()
    results = {}

    def ask(value):
        if value == "boom":
            raise ValueError("boom")
        return value * 2

    def worker():
        results["ok"] = calls.call(ask, 21)
        try:
            calls("boom")
        except TypeError:
            results["misuse"] = True
        try:
            calls.call(ask, "boom")
        except ValueError as exc:
            results["error"] = str(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    while thread.is_alive():
        calls.drain()
        thread.join(0.01)
    assert results == {"ok": 42, "misuse": True, "error": "boom"}
    assert calls.call(ask, 1) == 2  # on the main thread: direct


def test_a_crash_in_the_pipeline_is_kept_for_the_host_to_show(sequence_25):
    def crash(host, request, runtime):
        raise RuntimeError("renderer crashed")

    job = PublishJob(FilesHost(sequence_25, fps=25), PublishRequest(), publish=crash)
    job.run()
    assert job.done() and job.report is None and str(job.error) == "renderer crashed"


def test_artist_message_for_queued_and_failed(offline_env, sequence_25, tmp_path):
    queued = _offline_job(sequence_25)
    queued.run()
    message = artist_message(queued.report)
    assert message.outcome == "queued" and "offline queue" in message.headline
    assert message.short == "Queued: server offline"
    assert message.review_url == "" and "\n" not in message.headline

    failed = PublishReport(
        errors=["The scene has no camera (add one)", "The review session is closed"],
        warnings=["fps differs from the shot"],
        review_url="http://127.0.0.1/review/x",
    )
    message = artist_message(failed)
    assert message.outcome == "failed" and message.short == "Not published"
    assert message.headline == "Not published: The scene has no camera (add one)"
    assert message.details == ("Also: The review session is closed",
                               "Warning: fps differs from the shot")  # fmt: skip
    assert message.review_url == ""  # nothing to review
    assert message.text.splitlines() == [message.headline, *message.details]

    published = PublishReport(ok=True, version_number=3, review_session_name="Dailies",
                              review_url="http://127.0.0.1/review/y")  # fmt: skip
    message = artist_message(published)
    assert message.headline == "Published v003 in review session 'Dailies'."
    assert message.short == "Published v003"
    assert message.text.splitlines()[-1] == "Review: http://127.0.0.1/review/y"


def test_overall_progress_never_goes_back_across_stages():
    progress = OverallProgress()
    fractions = []
    for stage, fraction in [("capture", 0.0), ("capture", 0.5), ("capture", 1.0),
                            ("encode", 0.5), ("upload", 1.0), ("publish", 0.2),
                            ("integrate", 1.0)]:  # fmt: skip
        progress(stage, fraction, stage)
        fractions.append(progress.snapshot()[0])
    assert fractions == sorted(fractions)
    assert fractions[-1] == pytest.approx(1.0)
    assert progress.snapshot()[1:] == ("integrate", "integrate")
