"""The publish pipeline: host interface, pyblish plugins, offline queue, report.

The one call a host makes::

    from ft_dcc.publish import publish
    report = publish(host, task="Project/sq010/sh010/animation", comment="blocking")
    print(report)            # or report.to_json(); report.ok / report.queued

Names are loaded lazily so ``import ft_dcc.publish`` stays cheap inside a DCC.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "publish": "ft_dcc.publish.api",
    "PublishReport": "ft_dcc.publish.common.report",
    "StepResult": "ft_dcc.publish.common.report",
    "Host": "ft_dcc.publish.host_port",
    "CaptureSpec": "ft_dcc.publish.host_port",
    "CaptureResult": "ft_dcc.publish.host_port",
    "to_fraction": "ft_dcc.publish.host_port",
    "OfflineQueue": "ft_dcc.publish.offline.queue",
    "install": "ft_dcc.publish.pipeline.ui",
    "register_plugins": "ft_dcc.publish.pipeline.stages",
    "PLUGIN_DIR": "ft_dcc.publish.pipeline.stages",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ft_dcc.publish' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
