"""``publish(host, ...)``: the one call a host makes to put a playblast into an ftrack review."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Optional, Tuple, Union

import pyblish.api

from ft_dcc.host.interface import Host, to_fraction
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.pipeline import (
    discover_plugins,
    is_ft_dcc_error,
    register_plugins,
    run_stages,
)
from ft_dcc.publish.report import PublishReport, StepResult
from ft_dcc.publish.state import STATE_KEY, PublishRequest, PublishState
from ft_dcc.session.interface import PublishSession

log = logging.getLogger(__name__)

UNEXPECTED_HINT = "this looks like a bug: send the publish report (--json) to your TD"


def publish(
    host: Host,
    *,
    task: Optional[str] = None,
    review_session: Optional[str] = None,
    comment: str = "",
    frames: Optional[Tuple[int, int]] = None,
    fps: Union[Fraction, float, str, None] = None,
    camera: Optional[str] = None,
    invitees: Iterable[Any] = (),
    session: Optional[PublishSession] = None,
    progress: Progress = null_progress,
    queue_dir: Optional[Path] = None,
    include_source: bool = False,
    work_dir: Optional[Path] = None,
    asset_name: Optional[str] = None,
    session_factory: Optional[Callable[[], PublishSession]] = None,
    thumbnail_frame: Optional[int] = None,
    burnin: Optional[str] = None,
    burnin_template: Optional[str] = None,
    new_review_session: bool = False,
    settings: Optional[Dict[str, Any]] = None,
) -> PublishReport:
    """Capture, validate, encode and publish ``host``'s playblast for review; never raises for
    a publish problem: the returned :class:`PublishReport` says what happened.

    ``task``: a task id or ``"Project/Seq/Shot/Task"`` (default ``$FTRACK_CONTEXTID``).
    ``review_session``: the review session's name in the task's project, created when missing
    (default ``"Dailies YYYY-MM-DD"``). ``frames``/``fps``/``camera`` override the scene's.
    ``invitees``: e-mails (or ``{"name", "email"}``) invited to the review session.
    ``session``: an ``ft_dcc.Session`` to reuse (default: one from ``FTRACK_*``).
    ``queue_dir``: the offline queue (default ``$FT_DCC_QUEUE_DIR`` or the user data dir).
    ``work_dir``: where capture and encode write (default: a temporary folder, removed after).
    ``include_source``: also upload the scene file as a ``source`` component.
    ``thumbnail_frame``: the frame the thumbnail (and the review page's poster) shows
    (default: the middle frame of the range).
    ``burnin``: ``off``, ``on`` (burn-ins), ``slate`` (a slate frame before the first) or
    ``both``; ``burnin_template``: a template file (default ``$FT_DCC_BURNIN_TEMPLATE``; a
    template alone turns burn-ins on; see :mod:`ft_dcc.media.burnin`).
    ``new_review_session``: create ``review_session`` even when its name is within two edits
    of an open session's (otherwise such a publish asks the host, then fails naming it).
    ``settings``: what the resolved studio settings add (``asset_name_template``,
    ``name_fields``, ``resolution``, ``scale``, ``check_severity``; see
    :func:`ft_dcc.publish.settings_options.publish_options`).
    """
    started = time.monotonic()
    register_plugins(host.name)
    own_work_dir = work_dir is None
    work = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="ft_dcc_publish_"))
    request = PublishRequest(
        task=task,
        review_session=review_session,
        comment=comment or "",
        frames=(int(frames[0]), int(frames[1])) if frames else None,
        fps=to_fraction(fps) if fps is not None else None,
        camera=camera,
        invitees=tuple(invitees or ()),
        include_source=include_source,
        asset_name=asset_name,
        queue_dir=Path(queue_dir) if queue_dir else None,
        work_dir=work,
        thumbnail_frame=None if thumbnail_frame is None else int(thumbnail_frame),
        burnin=burnin,
        burnin_template=None if burnin_template is None else str(burnin_template),
        new_review_session=bool(new_review_session),
        **settings_request(settings),
    )
    state = PublishState(
        host=host,
        request=request,
        progress=progress,
        work_dir=work,
        session=session,
        session_factory=session_factory,
    )
    context = pyblish.api.Context()
    context.data[STATE_KEY] = state
    try:
        steps = run_stages(context, discover_plugins(), progress)
        report = build_report(state, steps)
    finally:
        if session is None and state.session is not None:
            _close(state.session)
        if own_work_dir:
            shutil.rmtree(work, ignore_errors=True)
    report.duration_s = round(time.monotonic() - started, 3)
    return report


def settings_request(settings: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The :class:`PublishRequest` fields of a publish's ``settings`` option."""
    values = dict(settings or {})
    if values.get("resolution"):
        values["resolution"] = (int(values["resolution"][0]), int(values["resolution"][1]))
    return values


def build_report(state: PublishState, steps: Iterable[StepResult]) -> PublishReport:
    """The :class:`PublishReport` of a finished run."""
    steps = list(steps)
    report = PublishReport(steps=steps, warnings=list(dict.fromkeys(state.warnings)))
    report.task = state.task_path or state.task_id
    report.task_id = state.task_id
    report.review_session_name = state.review_session_name
    if state.spec is not None:
        report.capture = state.spec.to_dict()
    for step in steps:
        if step.ok:
            continue
        hint = step.hint
        if step.error_type and not is_ft_dcc_error(step.error_type):
            hint = hint or UNEXPECTED_HINT
            text = f"{step.label}: unexpected {step.error_type}: {step.error}"
        else:
            text = f"{step.label}: {step.error}"
        report.errors.append(f"{text} ({hint})" if hint else text)
    failed = bool(report.errors)
    if not failed and state.queue_entry is not None and state.manifest is not None:
        report.ok = True
        report.queued = True
        report.queue_entry = str(state.queue_entry.path)
        manifest = state.manifest
        report.asset_version_id = manifest.version_id
        report.review_session_object_id = manifest.review_session_object_id
        report.component_ids = {c.name: c.id for c in manifest.components}
    elif not failed and state.outcome is not None:
        outcome = state.outcome
        report.ok = True
        report.task_id = outcome.task_id
        report.asset_id = outcome.asset_id
        report.asset_version_id = outcome.asset_version_id
        report.version_number = outcome.version_number
        report.component_ids = dict(outcome.component_ids)
        report.review_session_id = outcome.review_session_id
        report.review_session_object_id = outcome.review_session_object_id
        report.review_url = outcome.review_url
    elif not failed:
        report.errors.append(
            "nothing was published: the publish plugins did not run to the end "
            "(check PYBLISHPLUGINPATH for a plugin that deactivates ours)"
        )
    return report


def _close(session: PublishSession) -> None:
    try:
        session.close()
    except Exception as exc:
        log.debug("closing the ftrack session failed: %s", exc)
