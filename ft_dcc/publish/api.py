"""``publish(host, ...)``: the one call a host makes to put a playblast into an ftrack review."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Callable,
    List,
    Optional,
)

import attr
import pyblish.api

from ft_dcc.exceptions import FtDccError
from ft_dcc.progress import Progress, ReviewableTotals, for_reviewable, null_progress
from ft_dcc.publish.host_port import Host
from ft_dcc.publish.instance_data import publishes
from ft_dcc.publish.options import PublishOptions
from ft_dcc.publish.pipeline import (
    COLLECT,
    LATE,
    VALIDATE,
    discover_plugins,
    is_refusal,
    register_plugins,
    run_stages,
)
from ft_dcc.publish.repair import run_repairs
from ft_dcc.publish.report import PublishReport, StepResult, VersionReport
from ft_dcc.publish.request import (
    PublishRequest,
    PublishRuntime,
    Reviewable,
    request_from_options,
)
from ft_dcc.publish.state import STATE_KEY, PublishState
from ft_dcc.publish.work_dir import WorkDir
from ft_dcc.session.interface import IntegrateSession, PublishSession
from ft_dcc.settings.plugins import apply as with_settings

if TYPE_CHECKING:  # pragma: no cover - the integrate stage's types, imported when it runs
    from typing_extensions import Unpack  # typing's from Python 3.11

    from ft_dcc.publish.integrate import IntegrateOutcome
    from ft_dcc.publish.manifest import IntegrateManifest

log = logging.getLogger(__name__)

UNEXPECTED_HINT = "this looks like a bug: send the publish report (--json) to your TD"


def publish(
    host: Host,
    request: Optional[PublishRequest] = None,
    *,
    session: Optional[IntegrateSession] = None,
    session_factory: Optional[Callable[[], IntegrateSession]] = None,
    progress: Progress = null_progress,
    **options: Unpack[PublishOptions],
) -> PublishReport:
    """Capture, validate, encode and publish ``host``'s playblast for review; never raises for
    a publish problem: the returned :class:`PublishReport` says what happened.

    ``request``: what to publish (see :class:`PublishRequest`); for library use its choices can
    instead be given by keyword as ``ft-dcc publish``'s options (:class:`PublishOptions`:
    ``task``, ``review_session_name``, ``comment``, ``frames``, ``camera``, ``asset_name``,
    ``settings``, ``queue_dir``, ``work_dir``, ...), read by the same
    :func:`~ft_dcc.publish.request.request_from_options` as the CLI's.
    ``session``: an ``ft_dcc.Session`` to reuse (default: one from ``FTRACK_*``, or
    ``session_factory()``); ``progress(stage, fraction, message)`` follows the publish.
    """
    if request is None:
        request = request_from_options(options)
    elif options:
        raise TypeError(f"publish() takes a request or its options, not both: {sorted(options)}")
    runtime = PublishRuntime(session=session, session_factory=session_factory, progress=progress)
    return run_publish(host, request, runtime)


def run_publish(
    host: Host, request: PublishRequest, runtime: Optional[PublishRuntime] = None
) -> PublishReport:
    """Publish ``request`` from ``host`` (see :func:`publish`); never raises for a publish
    problem. Several reviewables are collected and validated one after another, then
    captured and encoded, and written in ONE commit: any failure publishes none of them."""
    started = time.monotonic()
    runtime = runtime or PublishRuntime()
    register_plugins(host.name)
    work = WorkDir.for_publish(request.work_dir)  # sweeps the folders of killed publishes
    runs: List[Run] = []
    try:
        runs = _run_all(host, request, runtime, work.path)
        report = build_report(runs)
    finally:
        if runtime.session is None:  # each session this publish opened (not one it was given)
            opened = {id(r.state.session): r.state.session for r in runs if r.state.session}
            for each in opened.values():
                _close(each)
        work.release()  # a given work_dir stays
    report.duration_s = round(time.monotonic() - started, 3)
    return report


@attr.s(auto_attribs=True)
class Run:
    """One reviewable's pass through the pipeline: its state, pyblish context and steps."""

    state: PublishState
    context: pyblish.api.Context
    steps: List[StepResult] = attr.Factory(list)

    @property
    def failed(self) -> bool:
        return any(not step.ok for step in self.steps)


def _run_all(
    host: Host, request: PublishRequest, runtime: PublishRuntime, work: Path
) -> List[Run]:
    """Collect and validate every reviewable, then extract and integrate each one a plugin did
    not turn off (the last of them integrates them all); stop at the first failure."""
    plugins = with_settings(discover_plugins(), request.plugins)  # the settings' plugins.*
    runs: List[Run] = []
    totals = ReviewableTotals(len(request.reviewables))  # their counts, across all of them
    for reviewable in request.reviewables:
        try:
            state = _state(host, request, reviewable, runtime, work, runs, totals)
        except FtDccError as error:  # e.g. an input that is not there
            return [*runs, _unbound(host, request, reviewable, error)]
        context = pyblish.api.Context()
        context.data[STATE_KEY] = state
        runs.append(Run(state, context))
        runs[-1].steps = run_stages(context, plugins, state.progress, stages=COLLECT)
        if not runs[-1].failed and publishes(state.instance_data):
            runs[-1].steps += _validate(context, plugins, state)
        if runs[-1].failed:
            return runs
    kept = [run for run in runs if publishes(run.state.instance_data)]
    for run in kept:
        run.state.integrate_now = run is kept[-1]
        if run is kept[-1]:
            run.state.siblings = [(r.state.described(), r.state.view) for r in kept[:-1]]
        run.steps += run_stages(run.context, plugins, run.state.progress, stages=LATE)
        if run.failed:
            return runs
    return runs


def _validate(
    context: pyblish.api.Context, plugins: List[type], state: PublishState
) -> List[StepResult]:
    """Run the validators; asked to repair, run the repairs of those that failed and check again
    once (the first check's failures then stay out of the report: the repairs say what ran)."""
    steps = run_stages(context, plugins, state.progress, stages=VALIDATE)
    failed = [step for step in steps if not step.ok and step.repairs]
    if not state.request.repair or not failed:
        return steps
    repairs = run_repairs(context, plugins, failed)
    if not all(step.ok for step in repairs):
        return steps + repairs
    state.warnings.extend(f"{step.label}: ran before checking again" for step in repairs)
    return repairs + run_stages(context, plugins, state.progress, stages=VALIDATE)


def _unbound(host: Host, request: PublishRequest, reviewable: Reviewable, error: FtDccError) -> Run:
    """The failed run of a reviewable its host could not be bound to."""
    step = StepResult(
        plugin="ReviewableSource",
        label=f"Reviewable {reviewable.source}",
        stage="collect",
        ok=False,
        error=error.message,
        hint=error.hint or None,
        error_type=type(error).__name__,
    )
    state = PublishState(host=host, request=request, reviewable=reviewable)
    return Run(state, pyblish.api.Context(), [step])


def _host_for(host: Host, reviewable: Reviewable) -> Host:
    """The host of a reviewable: on a host that uses cameras the source is a camera (the
    capture spec's); elsewhere a Write node or an input file, bound by ``Host.for_source``."""
    if reviewable.source and not host.uses_cameras:
        return host.for_source(reviewable.source)
    return host


def _state(
    host: Host, request: PublishRequest, reviewable: Reviewable, runtime: PublishRuntime,
    work: Path, earlier: List[Run], totals: Optional[ReviewableTotals] = None,
) -> PublishState:  # fmt: skip
    """A reviewable's state; a later one shares the first one's connection and task."""
    index = len(earlier)
    state = PublishState(
        host=_host_for(host, reviewable),
        request=request,
        reviewable=reviewable,
        progress=for_reviewable(
            runtime.progress, index, len(request.reviewables), _source_name(reviewable), totals
        ),  # which reviewable of how many; the bars and counts advance across all of them
        work_dir=work / f"reviewable-{index + 1}" if request.several else work,
        session=runtime.session,
        session_factory=runtime.session_factory,
        integrate_now=index == len(request.reviewables) - 1,
        task=runtime.task if runtime.session is not None else None,
    )
    if earlier:  # connected while collected (a reviewable turned off too)
        first = earlier[0].state
        state.session, state.online, state.offline = first.session, first.online, first.offline
        state.offline_reason, state.task = first.offline_reason, first.task
        state.new_session_approved = earlier[-1].state.new_session_approved
        state.taken_names = [r.state.asset_name or "review" for r in earlier]
    return state


def _source_name(reviewable: Reviewable) -> str:
    """A reviewable as progress names it: the camera or Write node, or an input's file name."""
    return Path(reviewable.source).name if reviewable.source else ""


def build_report(runs: List[Run]) -> PublishReport:
    """The :class:`PublishReport` of a finished publish (one run per reviewable)."""
    first = runs[0].state
    several = len(first.request.reviewables) > 1
    steps = [_labelled(step, run.state, several) for run in runs for step in run.steps]
    warnings = [w for run in runs for w in run.state.warnings] + _turned_off(runs)
    report = PublishReport(steps=steps, warnings=list(dict.fromkeys(warnings)))
    report.task = first.task_path or first.task_id
    report.asset_name = first.asset_name
    report.task_id = first.task_id
    report.review_session_name = first.review_session_name
    if first.spec is not None:
        report.capture = first.spec.to_dict()
    report.errors = [_error_text(step) for step in steps if not step.ok]
    if report.errors:
        return report
    kept = [run.state for run in runs if publishes(run.state.instance_data)]
    last = kept[-1] if kept else None
    every = len(runs) == len(first.request.reviewables)
    if every and last is not None and last.queue_entry and last.manifest:
        _queued(report, last.queue_entry.path, last.manifest)
    elif every and last is not None and last.outcome is not None:
        _published(report, last.outcome)
    elif every and last is None:
        report.errors.append(
            "nothing was published: a publish plugin turned every reviewable off "
            "(instance.data['publish'] False; check the studio's plugins on PYBLISHPLUGINPATH)"
        )
    else:
        report.errors.append(
            "nothing was published: the publish plugins did not run to the end "
            "(check PYBLISHPLUGINPATH for a plugin that deactivates ours)"
        )
    return report


def _turned_off(runs: List[Run]) -> List[str]:
    """A warning for each reviewable a plugin turned off (``instance.data["publish"]``)."""
    return [
        f"{run.state.asset_name or run.state.reviewable.source or 'review'}: not published "
        "(a publish plugin set publish to False)"
        for run in runs
        if not publishes(run.state.instance_data)
    ]


def _labelled(step: StepResult, state: PublishState, several: bool) -> StepResult:
    """In a several-reviewable publish, each step says which reviewable it ran for."""
    if not several:
        return step
    name = state.asset_name or state.reviewable.source or "review"
    return attr.evolve(step, label=f"{name}: {step.label}")


def _error_text(step: StepResult) -> str:
    hint = step.hint
    if step.repairs:
        offered = ", ".join(repr(label) for label in step.repairs)
        hint = f"{hint}; " if hint else ""
        hint += f"repair: {offered} (ft-dcc publish --repair)"
    if not is_refusal(step):
        hint = hint or UNEXPECTED_HINT
        text = f"{step.label}: unexpected {step.error_type}: {step.error}"
    else:
        text = f"{step.label}: {step.error}"
    return f"{text} ({hint})" if hint else text


def _queued(report: PublishReport, entry: Path, manifest: IntegrateManifest) -> None:
    report.ok = True
    report.queued = True
    report.queue_entry = str(entry)
    report.asset_version_id = manifest.version_id
    report.review_session_object_id = manifest.review_session_object_id
    report.component_ids = {c.name: c.id for c in manifest.components}
    report.versions = [
        VersionReport(
            asset_name=m.asset_name,
            asset_version_id=m.version_id,
            component_ids={c.name: c.id for c in m.components},
            review_session_object_id=m.review_session_object_id,
        )
        for m in manifest.versions()
    ]


def _published(report: PublishReport, outcome: IntegrateOutcome) -> None:
    report.ok = True
    report.task_id = outcome.task_id
    report.asset_id = outcome.asset_id
    report.asset_version_id = outcome.asset_version_id
    report.version_number = outcome.version_number
    report.component_ids = dict(outcome.component_ids)
    report.review_session_id = outcome.review_session_id
    report.review_session_object_id = outcome.review_session_object_id
    report.review_url = outcome.review_url
    report.versions = [
        VersionReport(
            asset_name=each.asset_name,
            asset_id=each.asset_id,
            asset_version_id=each.asset_version_id,
            version_number=each.version_number,
            component_ids=dict(each.component_ids),
            review_session_object_id=each.review_session_object_id,
        )
        for each in outcome.every()
    ]


def _close(session: PublishSession) -> None:
    try:
        session.close()
    except Exception as exc:
        log.debug("closing the ftrack session failed: %s", exc)
