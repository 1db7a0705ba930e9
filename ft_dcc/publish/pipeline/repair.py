"""Repairs: the pyblish ``Action``s of a failed validator, run when the artist asks for them.

A validator (ft_dcc's or a studio's) may carry ``actions = [SomeRepair]`` (pyblish's
``Action``, shown on a failed plugin: ``on = "failed"`` or ``"all"``). A failed publish offers
them in its error (``--repair`` on the CLI); a publish asked to repair runs, after its checks
failed, each failed validator's repairs in the host, then checks again once. A validator only
looks: when the artist agrees, in the host, to a fix it offers (``ValidateSceneSaved``: "Save it
now and publish?"), it asks for its own repairs (:func:`ask_for_repair`) instead of fixing.
"""

from __future__ import annotations

from typing import Any, List, Sequence, Set

from ft_dcc.publish.common.report import StepResult
from ft_dcc.publish.pipeline.stages import (
    PluginClass,
    in_host,
    is_studio_plugin,
    refuses,
    repair_actions,
)
from ft_dcc.publish.shared.state import PyblishContext

#: ``context.data``: the validators whose repairs the artist asked for during the checks
ASKED_KEY = "ft_dcc.repairs_asked"


def ask_for_repair(context: Any, plugin: type) -> None:
    """The artist agreed to ``plugin``'s repairs: run them after the checks, then check again."""
    context.data.setdefault(ASKED_KEY, []).append(plugin.__name__)


def repairs_asked(context: Any) -> Set[str]:
    """The validators whose repairs the artist asked for (:func:`ask_for_repair`)."""
    return set(context.data.get(ASKED_KEY) or ())


def run_repairs(
    context: PyblishContext, plugins: Sequence[PluginClass], failed: Sequence[StepResult]
) -> List[StepResult]:
    """Run the repairs of each ``failed`` validator step; one step per repair run."""
    by_name = {plugin.__name__: plugin for plugin in plugins}
    steps: List[StepResult] = []
    for step in failed:
        plugin = by_name.get(step.plugin)
        for action in repair_actions(plugin):
            steps.append(_run(action, context, plugin, step.label))
    return steps


def _run(action: type, context: PyblishContext, plugin: object, label: str) -> StepResult:
    name = getattr(action, "label", None) or action.__name__
    step = StepResult(
        plugin=action.__name__, label=f"Repair {name!r} ({label})", stage="validate", ok=True,
        studio=is_studio_plugin(action),
    )  # fmt: skip
    try:
        in_host(context, action, lambda: action().process(context, plugin))
    except Exception as error:  # a repair that fails is reported as its validator would be
        step.ok = False
        step.error = getattr(error, "message", None) or str(error)
        step.hint = getattr(error, "hint", None) or None
        step.error_type = type(error).__name__
        step.refused = refuses(error, step.studio, "validate")
    return step
