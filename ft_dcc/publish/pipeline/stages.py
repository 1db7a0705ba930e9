"""Run pyblish plugins stage by stage, stopping as soon as a stage failed.

pyblish keeps its "stop after a failed validator" state per call and never stops after a failed
extractor (host-apis.md §1.4), so this runner gates each stage itself: every validator runs (the
artist sees all problems at once) but nothing is captured or written after any of them failed,
and an extractor or integrator error stops the run at once. Success is decided from
``context.data["results"]``, never from exceptions.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Type, TypeVar

import attr
import pyblish.api
import pyblish.lib
import pyblish.logic
import pyblish.plugin

from ft_dcc.exceptions import FtDccError
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.common.report import WARNED, StepResult
from ft_dcc.publish.shared.state import (
    STATE_KEY,
    PublishContext,
    PyblishContext,
    item_of,
    skipped_of,
    warnings_of,
)
from ft_dcc.settings.plugins import PluginSettings

#: a pyblish plugin class (pyblish ships no type information)
PluginClass = Type[pyblish.api.Plugin]
_R = TypeVar("_R")
#: ``run(work)``: runs ``work`` where it may call its host (``Host.run_in_host``)
Runner = Callable[[Callable[[], Any]], Any]

log = logging.getLogger(__name__)

PLUGIN_DIR = Path(__file__).resolve().parents[1] / "plugins"

STAGES: Tuple[Tuple[str, float], ...] = (
    ("collect", pyblish.api.CollectorOrder),
    ("validate", pyblish.api.ValidatorOrder),
    ("extract", pyblish.api.ExtractorOrder),
    ("integrate", pyblish.api.IntegratorOrder),
)
#: the stages that look (every reviewable of a publish is checked before any is captured) and
#: those that make (capture, encode, write)
EARLY: Tuple[str, ...] = ("collect", "validate")
LATE: Tuple[str, ...] = ("extract", "integrate")
COLLECT: Tuple[str, ...] = ("collect",)
#: the pyblish target of the plugins that decide a queued publish again at its flush, on the
#: recorded request and host (``flush_decision``): ``targets = ["default", QUEUED]``
QUEUED = "queued"
VALIDATE: Tuple[str, ...] = ("validate",)
_SIGNALS = {"collect": "collected", "validate": "validated", "extract": "extracted"}


def register_plugins(host_name: Optional[str] = None) -> None:
    """Register ft_dcc's plugin folder (and ``host_name``) with pyblish; safe to call repeatedly."""
    registered = {os.path.normpath(p) for p in pyblish.api.registered_paths()}
    if os.path.normpath(str(PLUGIN_DIR)) not in registered:
        pyblish.api.register_plugin_path(str(PLUGIN_DIR))
    if host_name and host_name not in pyblish.api.registered_hosts():
        pyblish.api.register_host(host_name)


def discover_plugins() -> List[type]:
    """ft_dcc's plugins, registered plugins and those on ``PYBLISHPLUGINPATH``, sorted by order."""
    return list(pyblish.api.discover())


def stage_of(order: float) -> str:
    for name, base in STAGES:
        if pyblish.lib.inrange(order, base):
            return name
    return "integrate" if order >= 3.5 else "collect"


def _step_from_result(
    result: Dict[str, Any], context: Optional[PyblishContext] = None
) -> StepResult:
    plugin = result["plugin"]
    skipped = skipped_of(context.data).get(plugin.__name__) if context is not None else None
    error = result.get("error")
    stage = stage_of(plugin.order)
    studio = is_studio_plugin(plugin)
    messages = [r.getMessage() for r in result.get("records") or [] if r.levelno >= logging.INFO]
    instance = result.get("instance")
    return StepResult(
        plugin=plugin.__name__,
        label=plugin.label or plugin.__name__,
        stage=stage,
        ok=error is None,
        duration_ms=float(result.get("duration") or 0.0),
        instance=str(instance) if instance is not None else None,
        messages=messages,
        error=(getattr(error, "message", None) or str(error)) if error is not None else None,
        hint=getattr(error, "hint", None) or None if error is not None else None,
        error_type=type(error).__name__ if error is not None else None,
        skipped=skipped if error is None else None,
        studio=studio,
        repairs=_repairs(plugin) if error is not None else [],
        refused=error is not None and refuses(error, studio, stage),
    )


#: the ``on`` values of a pyblish action shown on a failed plugin: a repair
ON_FAILURE = ("failed", "all", "processed")


def repair_actions(plugin: Optional[PluginClass]) -> List[type]:
    """The repair actions ``plugin`` offers when it failed (``ft_dcc.publish.pipeline.repair`` runs
    them)."""
    found = getattr(plugin, "actions", None) or []
    return [
        action
        for action in found
        if isinstance(action, type)
        and issubclass(action, pyblish.api.Action)
        and getattr(action, "__type__", "action") == "action"
        and getattr(action, "on", "all") in ON_FAILURE
    ]


def _repairs(plugin: PluginClass) -> List[str]:
    """What the artist reads of each repair ``plugin`` offers."""
    return [getattr(action, "label", None) or action.__name__ for action in repair_actions(plugin)]


def is_studio_plugin(plugin: PluginClass) -> bool:
    """Whether ``plugin`` is the studio's (not loaded from ft_dcc's own plugin folder)."""
    return not str(plugin.__module__).startswith(str(PLUGIN_DIR))


def refuses(error: BaseException, studio: bool, stage: str) -> bool:
    """Whether ``error`` is a refusal the artist reads (not a crash): one of ft_dcc's errors,
    or any error of a studio validator (pyblish's way: a validator raises to refuse)."""
    return isinstance(error, FtDccError) or (studio and stage == "validate")


def is_refusal(step: StepResult) -> bool:
    """Whether a step passed or failed as a refusal (see :func:`refuses`)."""
    return step.ok or step.refused


def run_stages(
    context: PyblishContext,
    plugins: Sequence[PluginClass],
    progress: Progress = null_progress,
    targets: Optional[List[str]] = None,
    stages: Tuple[str, ...] = EARLY + LATE,
) -> List[StepResult]:
    """Run ``plugins`` on ``context`` stage by stage (only ``stages``); return one
    :class:`StepResult` per run."""
    steps: List[StepResult] = []
    active = [p for p in plugins if p.active]
    total = max(len(active), 1)
    done = sum(1 for p in active if STAGE_NAMES.index(stage_of(p.order)) < _first(stages))
    for stage in stages:
        stage_plugins = [p for p in active if stage_of(p.order) == stage]
        failed = False
        for plugin, instance in pyblish.logic.Iterator(stage_plugins, context, targets=targets):
            _progress_of(instance, progress)(
                "publish", done / total, plugin.label or plugin.__name__
            )
            step = _run_one(context, plugin, instance)
            done += 1 if instance is None or instance is _last(context, plugin) else 0
            steps.append(step)
            if not step.ok:
                failed = True
                if stage in ("extract", "integrate"):
                    break  # nothing after a failed extractor/integrator can be trusted
        if failed:
            progress("publish", 1.0, f"stopped: {stage} failed")
            return steps
        if stage in _SIGNALS:
            pyblish.api.emit(_SIGNALS[stage], context=context)
    if "integrate" in stages:
        pyblish.api.emit("published", context=context)
        progress("publish", 1.0, "done")
    return steps


def _run_one(context: PyblishContext, plugin: PluginClass, instance: Any) -> StepResult:
    """Run ``plugin`` (on ``instance``), as the settings' severity for it says."""
    severity = severity_of(plugin)
    if severity == "off":
        return _turned_off(plugin)
    work = functools.partial(pyblish.plugin.process, plugin, context, instance)
    runner = host_runner(context, plugin)
    with _quiet_pyblish():
        result = work() if runner is None else runner(work)
    step = _step_from_result(result, context)
    if severity == "warn" and not step.ok and step.stage == "validate":
        step = _as_warning(context, step, result["error"])
    if not step.ok:
        _log_failure(step.label, result["error"], is_refusal(step))
    return step


@contextlib.contextmanager
def _quiet_pyblish() -> Iterator[None]:
    """pyblish logs every plugin error with two tracebacks; expected errors (a failed
    validation) belong in the report, so only unexpected ones are logged, by us
    (:func:`_log_failure`)."""
    pyblish_log = logging.getLogger("pyblish.plugin")
    previous_level = pyblish_log.level
    pyblish_log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        pyblish_log.setLevel(previous_level)


def host_runner(context: PyblishContext, plugin: type) -> Optional[Runner]:
    """Where a studio plugin's (or action's) work runs: its host's main thread
    (``Host.run_in_host``), where the host's API may be called; None for ft_dcc's own plugins,
    which reach the host only through its port (which hands each call over itself)."""
    publish = context.data.get(STATE_KEY)
    if not is_studio_plugin(plugin) or not isinstance(publish, PublishContext):
        return None
    return publish.host.run_in_host


def in_host(context: PyblishContext, plugin: type, work: Callable[[], _R]) -> _R:
    """Run ``work`` of ``plugin`` (a repair action's) where :func:`host_runner` says."""
    runner = host_runner(context, plugin)
    return work() if runner is None else runner(work)


def _progress_of(instance: Any, progress: Progress) -> Progress:
    """A reviewable's own progress (it names the reviewable), else the publish's."""
    item = instance.data.get(STATE_KEY) if instance is not None else None
    return progress if item is None else item_of(instance).progress


def _last(context: Any, plugin: PluginClass) -> Any:
    """The last instance ``plugin`` runs on (a plugin step counts once, over its instances)."""
    found = [i for i in pyblish.logic.instances_by_plugin(context, plugin)
             if i.data.get("publish") is not False]  # fmt: skip
    return found[-1] if found else None


STAGE_NAMES = [name for name, _ in STAGES]


def _first(stages: Tuple[str, ...]) -> int:
    return min(STAGE_NAMES.index(stage) for stage in stages)


OFF = "turned off by the settings (checks.*)"


def severity_of(plugin: type) -> str:
    """``block`` (the default), ``warn`` or ``off``: the validator's own ``severity``, which the
    settings give it (``checks.*``: ``ft_dcc.settings.keys.PLUGIN_KEYS``)."""
    return str(getattr(plugin, "severity", "block"))


def severity_given(
    name: str, settings: PluginSettings, discovered: Optional[Sequence[type]] = None
) -> str:
    """What the check ``name`` does when ``settings`` (a request's ``plugins``) give its class
    their values, as a publish gives them: its :func:`severity_of`, ``off`` when they leave it
    out (``enabled: false``) or no publish loads it. For what decides outside a publish's run
    (a queued publish's journal, the farm's submit): the check is its severity's one reader.
    ``discovered``: the plugins a publish would run, when the caller has them (a farm batch
    discovers them once for all its scenes)."""
    from ft_dcc.settings.plugins import apply, discover

    plugins = discover() if discovered is None else discovered
    given = apply([plugin for plugin in plugins if plugin.__name__ == name][:1], settings)
    return severity_of(given[0]) if given else "off"


def _turned_off(plugin: PluginClass) -> StepResult:
    return StepResult(
        plugin=plugin.__name__,
        label=plugin.label or plugin.__name__,
        stage=stage_of(plugin.order),
        ok=True,
        duration_ms=0.0,
        skipped=OFF,
    )


def _as_warning(context: PyblishContext, step: StepResult, error: object) -> StepResult:
    """A failed check the settings turned to ``warn``: passed, its problem kept as a warning
    (a check's several findings each as its own, after its notes: ``ValidationError.findings``)."""
    if not is_refusal(step):
        return step  # a crash is never a warning
    findings = getattr(error, "findings", None) or []
    if findings:
        warnings = [*getattr(error, "notes", []),
                    *(WARNED.format(label=step.label, problem=f) for f in findings)]  # fmt: skip
    else:
        warnings = [WARNED.format(label=step.label, problem=step.error)]
    for warning in warnings:
        warnings_of(context.data).append(warning)
        log.warning(warning)
    return attr.evolve(step, ok=True, error=None, hint=None, error_type=None, refused=False,
                       messages=[*step.messages, *warnings])  # fmt: skip


def _log_failure(label: str, error: BaseException, refusal: bool) -> None:
    """A refusal (ours, or a studio validator's) is the report's to say; a crash is logged."""
    if refusal:
        log.info("%s failed: %s", label, error)
    else:
        log.error(
            "%s failed unexpectedly: %s\n%s",
            label,
            error,
            getattr(error, "formatted_traceback", ""),
        )


def context_failed(context: PyblishContext) -> bool:
    """True when any plugin result of ``context`` holds an error."""
    results = context.data.get("results")
    return isinstance(results, list) and any(r.get("error") for r in results)
