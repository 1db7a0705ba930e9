"""ft_dcc: publish playblasts from Maya, Nuke and Blender to ftrack for web review.

``ft_dcc.Session`` is the ftrack API client; ``ft_dcc.publish`` is the pipeline; ``hosts/`` hold
the thin adapters. The embedded server (``ft_dcc.server``) is an optional extra.
"""

from __future__ import annotations

from typing import Any

from ft_dcc.protocol.version import __version__

__all__ = ["Session", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy, so ``import ft_dcc`` stays cheap inside a DCC and never pulls the server in.
    if name == "Session":
        from ft_dcc.session import Session

        return Session
    raise AttributeError(f"module 'ft_dcc' has no attribute {name!r}")
