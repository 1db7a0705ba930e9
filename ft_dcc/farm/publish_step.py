"""The publish step: encode one scene's frames and publish them, once.

Staged frames (files and Blender scenes) and movies are published in this process, by the files
host, through the same ``ft_dcc.publish.publish`` as ``ft-dcc publish``; a Maya or Nuke scene is
published in its host, headless, as ``ft-dcc publish SCENE --host maya`` does. Before anything,
the publish key is looked up (:mod:`ft_dcc.farm.ledger`): a re-run publishes nothing twice.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Tuple

import attr

from ft_dcc.exceptions import ApiConnectionError, FarmError
from ft_dcc.farm import ledger
from ft_dcc.farm.staging import WorkFolder, staged_input
from ft_dcc.host.files import FilesHost
from ft_dcc.media.colour import ColourSettings
from ft_dcc.publish.common.report import EXIT_QUEUED
from ft_dcc.publish.host_port import CaptureSpec, SpecOverrides

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

    from ft_dcc.publish.request.request import PublishRequest
    from ft_dcc.settings.resolve import Resolved

log = logging.getLogger(__name__)

Range = Tuple[int, int]
#: what a publish step prints first when its scene was published by an earlier run
ALREADY = "already published"


@attr.s(auto_attribs=True, frozen=True, kw_only=True)
class PublishJob:
    scene: Path
    host: str
    work: WorkFolder
    parts: int
    key: str
    task: str
    review_session_name: str
    new_review_session: bool = False  # create it even when one typo from an open session's
    comment: str = ""
    frames: Optional[Range] = None
    camera: Optional[str] = None
    rate: Optional[str] = None  # frames that carry no rate play at it (the shot's, at submit)


class KeyedFiles(FilesHost):
    """The files host whose capture record carries the farm's publish key, so the key is
    written in the same commit as the version (see :mod:`ft_dcc.farm.ledger`).

    Frames a scene's capture staged (``scene``) are published as that scene's own range and
    rate, not as a range and rate asked for: the frame checks then refuse what they refuse in
    ``ft-dcc publish SCENE`` (a range outside the shot's, another rate), with its message."""

    def __init__(
        self, *args: Any, publish_key: str, scene: bool = False, shot_rate: bool = False,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.publish_key = publish_key
        self.scene = scene
        self.shot_rate = shot_rate  # the rate given is the shot's: the frames carry none

    def rate_source(self) -> Optional[str]:
        from ft_dcc.publish.rules.checks import SCENE

        if self.scene:
            return SCENE
        return None if self.shot_rate else super().rate_source()

    def default_spec(self, **overrides: Unpack[SpecOverrides]) -> CaptureSpec:
        spec = super().default_spec(**overrides)
        display = dict(spec.display, **{ledger.DISPLAY_FIELD: self.publish_key})
        return attr.evolve(spec, display=display)


def run_publish_step(job: PublishJob) -> int:
    """Publish ``job``'s scene unless its key is already on the server; the exit status: 0
    published, 75 (``EXIT_QUEUED``) kept in the work folder's journal while the server cannot
    be reached, 1 refused or failed."""
    os.environ["FT_DCC_QUEUE_DIR"] = str(job.work.queue)  # this process publishes one scene
    job.work.mark_publish(job.key, job.host)  # ft-dcc farm flush finds the journal by it
    try:
        existing = published_key(job.key)
    except ApiConnectionError as exc:
        return _server_down(job, exc)
    if existing:
        print(f"{ALREADY}: {job.scene.name} is version {existing} (publish key {job.key}); "
              "nothing to do")  # fmt: skip
        return 0
    resumed = _resume(job)
    if resumed is not None:
        code, version_id = resumed
    elif job.host in ("files", "blender"):
        code, version_id = _publish_files(job)
    else:
        code, version_id = _publish_in_host(job)
    if code == 0 and version_id and job.host not in ("files", "blender"):
        record_key(version_id, job.key)
    if code == EXIT_QUEUED:
        print(kept_line(job))
    return code


def kept_line(job: PublishJob) -> str:
    """What a step kept for later says: where, and the two ways it goes out."""
    return (
        f"the server cannot be reached: {job.scene.name}'s publish waits in {job.work.queue} "
        f"(exit {EXIT_QUEUED}); run this step again, or: ft-dcc farm flush {job.work.root}"
    )


def _server_down(job: PublishJob, error: ApiConnectionError) -> int:
    """The server is down as the step starts: an earlier run's journal stays for later; else
    the scene is published as ``ft-dcc publish`` does offline (into the work folder's journal).
    Exit 75 either way: the work is kept."""
    from ft_dcc.publish.offline.queue import OfflineQueue

    log.info("the publish key could not be looked up: %s", error)
    if OfflineQueue(job.work.queue).entries():
        print(kept_line(job))
        return EXIT_QUEUED
    if job.host in ("files", "blender"):
        code, _ = _publish_files(job)
    else:
        code, _ = _publish_in_host(job)
    if code == EXIT_QUEUED:
        print(kept_line(job))
    return code


def published_key(key: str) -> Optional[str]:
    """The id of the version that carries ``key``, or None (ApiConnectionError when the
    server cannot be reached)."""
    from ft_dcc.session import Session

    session = Session()
    try:
        return ledger.published_version(session, key)
    finally:
        session.close()


def record_key(version_id: str, key: str) -> None:
    from ft_dcc.session import Session

    session = Session()
    try:
        ledger.record(session, version_id, key)
    finally:
        session.close()


def _resume(job: PublishJob) -> Optional[Tuple[int, Optional[str]]]:
    """Finish an earlier run's publish that its journal still holds (it was interrupted); None
    when the journal is empty."""
    from ft_dcc.publish.commands import flush_status
    from ft_dcc.publish.offline.queue import OfflineQueue

    queue = OfflineQueue(job.work.queue)
    if not queue.entries():
        return None
    result = queue.flush()
    for outcome in result.outcomes:
        print(("resumed: " if outcome.ok else "could not resume: ") + outcome.message)
    code = flush_status(result)
    if code != 0 or not result.outcomes:
        return code or 1, None
    return 0, str(result.outcomes[-1].entry.get("asset_version_id") or "") or None


def report_file(job: PublishJob) -> Path:
    """Where the step saves its publish report."""
    return job.work.root / "report.json"


def request_for(job: PublishJob, media: Path) -> Tuple[PublishRequest, Resolved, PublishRequest]:
    """The typed request of this step (what the TD asked: its task, review session, comment,
    ``--frames`` and camera) with the studio settings of ``media`` filled in, those settings,
    and the request as the TD asked it (what a queued publish journals)."""
    from ft_dcc.publish.request.request import PublishRequest, Reviewable
    from ft_dcc.publish.request.settings_options import settle_request

    camera = None if job.host == "nuke" else job.camera  # a comp publishes its Write nodes
    asked = PublishRequest(
        reviewables=[Reviewable(source=camera)], task=job.task,
        review_session_name=job.review_session_name, new_review_session=job.new_review_session,
        comment=job.comment, frames=job.frames,
    )  # fmt: skip
    settled, resolved = settle_request(asked, job.host, str(media))
    return settled, resolved, asked


def _publish_files(job: PublishJob) -> Tuple[int, Optional[str]]:
    from ft_dcc.console import ConsoleProgress
    from ft_dcc.publish.api import run_publish
    from ft_dcc.publish.commands import print_report
    from ft_dcc.publish.request.request import PublishRuntime

    frames: Optional[Range]
    if job.parts:
        media, frames, fps = staged_input(job.work, job.parts)
    else:
        media, frames, fps = job.scene, job.frames, None  # a movie: read as it is
    # the request holds what the TD asked (--frames), as ft-dcc publish's: the staged range
    # and rate are the scene's own, held by the host
    request, resolved, asked = request_for(job, media)
    shot_rate = fps is None and job.rate is not None and job.host == "files"
    host = KeyedFiles(
        media, fps=job.rate if shot_rate else fps, frame_range=frames,
        colour=_colour(resolved, media) if job.host == "files" else None,
        publish_key=job.key, scene=job.host != "files",
        shot_rate=shot_rate,
    )  # fmt: skip
    progress = ConsoleProgress(sys.stderr, plain=True)
    report = run_publish(host, request, PublishRuntime(progress=progress, asked=asked))
    progress.close()
    report.save(report_file(job))
    print_report(report, False)
    done = report.ok and not report.queued
    return report.exit_code, report.asset_version_id if done else None


def _colour(resolved: Resolved, media: Path) -> Optional[ColourSettings]:
    """The colour settings of an EXR input (from the studio settings), else None."""
    from ft_dcc.publish.request.settings_options import files_colour

    colour = files_colour(None, resolved, str(media))
    if not colour:
        return None
    return ColourSettings(
        config=colour.get("ocio_config"), input_colorspace=colour.get("input_colorspace"),
        display=colour.get("display"), view=colour.get("view"),
    )  # fmt: skip


def _publish_in_host(job: PublishJob) -> Tuple[int, Optional[str]]:
    from ft_dcc.host.headless import HeadlessPublish
    from ft_dcc.host.integrations import find_integration

    integration: Any = find_integration(job.host)
    if not hasattr(integration, "publish_headless_result"):
        raise FarmError(
            f"the {job.host} integration on this node cannot publish headless",
            hint="install the same ft_dcc version on the node as on the submitting machine",
        )
    request, _, asked = request_for(job, job.scene)
    publish = HeadlessPublish(
        scene=job.scene, request=request, report=report_file(job), asked=asked
    )
    outcome = integration.publish_headless_result(publish)
    print(outcome.get("text", ""))
    report = outcome.get("report") or {}
    done = outcome["exit_code"] == 0 and not report.get("queued")
    return int(outcome["exit_code"]), report.get("asset_version_id") if done else None
