"""A part of the server the app mounts (the JSON API, uploads and downloads, sign-in, the review
room, the desk): where its paths start, the most bytes each of its request bodies may hold, and
how it answers a refusal. Each part declares its own (``PART`` beside its routes); the app only
gathers them, it keeps no table of paths of its own."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Tuple

import attr
from starlette.requests import Request
from starlette.responses import Response

from ft_dcc.server.common.errors import ServerError

#: a body limit: ``(path start, path end, bytes)`` (``body_limit.BodyLimits``: the first a path
#: starts and ends with wins)
Limit = Tuple[str, str, int]
#: a part's refusal of ``ServerError`` (``None``: the app's own, in ftrack's shape)
Refuse = Callable[[Request, ServerError], Response]


def _no_limits(config: Any) -> Sequence[Limit]:
    return ()


@attr.s(frozen=True, auto_attribs=True)
class Part:
    """One mounted part: the path starts it owns, its limits given the server's configuration
    (``runtime.config.ServerConfig``), and its refusal."""

    starts: Tuple[str, ...]
    limits: Callable[[Any], Sequence[Limit]] = _no_limits
    refuse: Optional[Refuse] = None

    def owns(self, path: str) -> bool:
        return path.startswith(self.starts)


def body_limits(parts: Sequence[Part], config: Any) -> Sequence[Limit]:
    """Every part's limits, in the parts' order."""
    return [limit for part in parts for limit in part.limits(config)]


def refusal_of(parts: Sequence[Part], path: str) -> Optional[Refuse]:
    """The refusal of the first part owning ``path`` that has one of its own."""
    for part in parts:
        if part.refuse is not None and part.owns(path):
            return part.refuse
    return None
