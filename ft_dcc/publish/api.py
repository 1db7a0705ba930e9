"""``publish(host, ...)``: the one call a host makes to put a playblast into an ftrack review."""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Callable,
    Iterator,
    List,
    Optional,
    Tuple,
)

import attr
import pyblish.api

from ft_dcc.exceptions import FtDccError
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.common.report import PublishReport, StepResult, VersionReport
from ft_dcc.publish.common.work_dir import WorkDir
from ft_dcc.publish.host_port import Host
from ft_dcc.publish.pipeline.repair import ASKED_KEY, repairs_asked, run_repairs
from ft_dcc.publish.pipeline.stages import (
    COLLECT,
    LATE,
    QUEUED,
    VALIDATE,
    discover_plugins,
    is_refusal,
    register_plugins,
    run_stages,
)
from ft_dcc.publish.request.options import PublishOptions
from ft_dcc.publish.request.request import PublishRequest, PublishRuntime, request_from_options
from ft_dcc.publish.shared.instance_data import publishes
from ft_dcc.publish.shared.state import (
    SESSION_NAME_KEY,
    STATE_KEY,
    PublishContext,
    connection_of,
    item_of,
    publish_of,
    publishing,
    result_of,
    task_facts_of,
    warnings_of,
)
from ft_dcc.session.interface import EntityLike, IntegrateSession, PublishSession
from ft_dcc.settings.plugins import apply as with_settings

if TYPE_CHECKING:  # pragma: no cover - the integrate stage's types, imported when it runs
    from typing_extensions import Unpack  # typing's from Python 3.11

    from ft_dcc.publish.common.manifest import IntegrateManifest
    from ft_dcc.publish.integrate.commit import IntegrateOutcome
    from ft_dcc.publish.request.settled_publish import SettledPublish as Settled

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
    :func:`~ft_dcc.publish.request.request.request_from_options` as the CLI's.
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
    problem. One pyblish context, one review instance per reviewable: every reviewable is
    collected and validated before any is captured, and all are written in ONE commit: any
    failure publishes none of them. Collect; validate what a plugin did not turn off; then
    extract and integrate; stop at the first failed stage."""
    started = time.monotonic()
    runtime = runtime or PublishRuntime()
    try:
        settled = _settle(host, request, runtime)
    except FtDccError as exc:  # e.g. a broken settings file: nothing was sent
        return PublishReport(errors=[str(exc)])
    with _publish_context(host, request, runtime, settled) as context:
        plugins = with_settings(discover_plugins(), context.publish.request.settings.plugins)
        progress = runtime.progress
        steps = run_stages(context, plugins, progress, stages=COLLECT)
        if all(step.ok for step in steps) and publishing(context):
            steps += _validate(context, plugins)
            if all(step.ok for step in steps):
                steps += run_stages(context, plugins, progress, stages=LATE)
        report = build_report(context, steps)
    if settled is not None and settled.note:
        report.warnings.append(settled.note)  # once per publish
    report.duration_s = round(time.monotonic() - started, 3)
    return report


def _settle(host: Host, request: PublishRequest, runtime: PublishRuntime) -> Optional[Settled]:
    """With ``runtime.studio_settings`` (a host's UI publish), ``request`` settled with the
    studio settings of ``host``, its task and scene: once, here, on the publish's session
    (``settled_publish.settle``); None otherwise (the request is published as it came)."""
    if not runtime.studio_settings:
        return None
    from ft_dcc.publish.request.settled_publish import settle

    scene = host.scene_path()
    found = settle(request, host.name, None if scene is None else str(scene), runtime)
    if runtime.on_settings is not None:
        runtime.on_settings(found.resolved)
    return found


def decide_queued(
    host: Host, request: PublishRequest, session: IntegrateSession, task: EntityLike
) -> Tuple[pyblish.api.Context, List[StepResult]]:
    """Collect and validate ``request`` on ``host`` (a queued publish's, recorded) as a live
    publish does, with the plugins that decide a queued publish again (pyblish's target
    ``QUEUED``), on ``session`` and its read ``task``; the context and the steps."""
    register_plugins(host.name)
    work = WorkDir.for_publish(None)  # what a collector names for the capture: never written
    context = PublishingContext(PublishContext(host=host, request=request, session=session,
                                               task=task, work_dir=work.path))  # fmt: skip
    plugins = with_settings(discover_plugins(), request.settings.plugins)
    try:
        steps = run_stages(context, plugins, stages=COLLECT, targets=[QUEUED])
        if all(step.ok for step in steps):
            steps += run_stages(context, plugins, stages=VALIDATE, targets=[QUEUED])
    finally:
        work.release()
    return context, steps


class PublishingContext(pyblish.api.Context):
    """A pyblish ``Context`` handed the :class:`PublishContext` of the publish it runs."""

    def __init__(self, publish: PublishContext) -> None:
        super().__init__()
        self.publish = publish


@contextlib.contextmanager
def _publish_context(
    host: Host, request: PublishRequest, runtime: PublishRuntime, settled: Optional[Settled]
) -> Iterator[PublishingContext]:
    """The publish's one pyblish ``Context``, handed its :class:`PublishContext` (which
    ``CollectFtDccState`` records): the ``settled`` request beside the artist's own, else
    ``request`` as it came beside ``runtime.asked`` (the artist's own, when the caller settled
    it; else the request itself); in its work folder. After it, the session it (or the
    settling) opened is closed and the work folder removed (a given one stays)."""
    asked = request if runtime.asked is None else runtime.asked
    if settled is not None:
        asked, request, runtime = request, settled.request, settled.runtime
    register_plugins(host.name)
    work = WorkDir.for_publish(request.work_dir)  # sweeps the folders of killed publishes
    publish = PublishContext(
        host=host, request=request, asked=asked, progress=runtime.progress, work_dir=work.path,
        session=runtime.session, session_factory=runtime.session_factory,
        task=runtime.task if runtime.session is not None else None,
    )  # fmt: skip
    context = PublishingContext(publish)
    try:
        yield context
    finally:
        session = connection_of(context.data).session
        if runtime.session is None and session is not None:  # one this publish opened
            _close(session)
        if settled is not None:
            settled.close()
        work.release()  # a given work_dir stays


def _validate(context: pyblish.api.Context, plugins: List[type]) -> List[StepResult]:
    """Run the validators; asked to repair (``--repair``, or by the artist in the host during a
    check), run the repairs of those that failed and check again once (the first check's
    failures then stay out of the report: the repairs say what ran)."""
    publish = publish_of(context)
    steps = run_stages(context, plugins, publish.progress, stages=VALIDATE)
    asked = repairs_asked(context)
    failed = [step for step in steps if step.plugin in asked
              or (publish.request.repair and not step.ok and step.repairs)]  # fmt: skip
    if not failed:
        return steps
    context.data.pop(ASKED_KEY, None)  # asked once: the second check does not ask again
    agreed = run_repairs(context, plugins, [step for step in failed if step.plugin in asked])
    told = run_repairs(context, plugins, [step for step in failed if step.plugin not in asked])
    repairs = agreed + told
    if not all(step.ok for step in repairs):
        return steps + repairs
    warnings_of(context.data).extend(f"{step.label}: ran before checking again" for step in told)
    return repairs + run_stages(context, plugins, publish.progress, stages=VALIDATE)


def _request_of(context: pyblish.api.Context) -> PublishRequest:
    """The publish's request, also when its collectors failed before recording it."""
    handed = getattr(context, "publish", None)
    return handed.request if isinstance(handed, PublishContext) else publish_of(context).request


def build_report(context: pyblish.api.Context, steps: List[StepResult]) -> PublishReport:
    """The :class:`PublishReport` of a finished publish."""
    items = [item_of(each) for each in context if each.data.get(STATE_KEY) is not None]
    several = len(_request_of(context).reviewables) > 1
    steps = [_labelled(step, several) for step in steps]
    warnings = warnings_of(context.data) + _turned_off(context)
    report = PublishReport(steps=steps, warnings=list(dict.fromkeys(warnings)))
    facts = task_facts_of(context.data)
    report.task = facts.task_path or facts.task_id
    report.task_id = facts.task_id
    report.asset_name = items[0].asset_name if items else None
    report.review_session_name = context.data.get(SESSION_NAME_KEY) or None
    if items and items[0].spec is not None:
        report.capture = items[0].spec.to_dict()
    report.errors = [_error_text(step) for step in steps if not step.ok]
    if not report.errors:
        _outcome(report, context)
    return report


def _outcome(report: PublishReport, context: pyblish.api.Context) -> None:
    result = result_of(context.data)
    if result.queue_entry is not None and result.manifest is not None:
        _queued(report, result.queue_entry.path, result.manifest)
    elif result.outcome is not None:
        _published(report, result.outcome)
    elif not publishing(context) and len(context):
        report.errors.append(
            "nothing was published: a publish plugin turned every reviewable off "
            "(instance.data['publish'] False; check the studio's plugins on PYBLISHPLUGINPATH)"
        )
    else:
        report.errors.append(
            "nothing was published: the publish plugins did not run to the end "
            "(check PYBLISHPLUGINPATH for a plugin that deactivates ours)"
        )


def _turned_off(context: pyblish.api.Context) -> List[str]:
    """A warning for each reviewable a plugin turned off (``instance.data["publish"]``)."""
    return [
        f"{item_of(each).asset_name}: not published (a publish plugin set publish to False)"
        for each in context
        if each.data.get(STATE_KEY) is not None and not publishes(each.data)
    ]


def _labelled(step: StepResult, several: bool) -> StepResult:
    """In a several-reviewable publish, each step of a reviewable says which one it ran for."""
    if not several or not step.instance:
        return step
    return attr.evolve(step, label=f"{step.instance}: {step.label}")


def _error_text(step: StepResult) -> str:
    hint = step.hint
    if step.repairs:
        offered = ", ".join(repr(label) for label in step.repairs)
        hint = f"{hint}; " if hint else ""
        hint += f"repair: {offered}"  # the CLI says how to ask for it, a host shows a button
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
