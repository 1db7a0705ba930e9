"""Repairs: the pyblish ``Action``s of a failed validator, run when the artist asks for them.

A validator (ft_dcc's or a studio's) may carry ``actions = [SomeRepair]`` (pyblish's
``Action``, shown on a failed plugin: ``on = "failed"`` or ``"all"``). A failed publish offers
them in its error (``--repair`` on the CLI); a publish asked to repair runs, after its checks
failed, each failed validator's repairs in the host, then checks again once.
"""

from __future__ import annotations

from typing import List, Sequence

from ft_dcc.publish.pipeline import (
    PluginClass,
    in_host,
    is_studio_plugin,
    refuses,
    repair_actions,
)
from ft_dcc.publish.report import StepResult
from ft_dcc.publish.state import PyblishContext


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
