"""Helpers for publish tests only (shared ones live in ``tests/support``)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any, List


def top_level_boxes(path: Path) -> List[str]:
    """The MP4 top-level box names in file order (``moov`` before ``mdat`` = faststart)."""
    boxes: List[str] = []
    data = path.read_bytes()
    offset = 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        boxes.append(kind)
        if size < 8:
            break
        offset += size
    return boxes


def rate(text: str) -> Fraction:
    num, den = text.split("/")
    return Fraction(int(num), int(den))


def quick_session() -> Any:
    """An ``ft_dcc.Session`` from the environment that gives up at once (no retries, 5 s)."""
    from ft_dcc.session import RetryPolicy, Session

    return Session(timeout=5, retry=RetryPolicy(retries=0))


def quick_publish(host: Any, **kwargs: Any) -> Any:
    """``ft_dcc.publish.publish(host, **kwargs)`` with a :func:`quick_session`: a lost server
    is found out at once (the publish is queued, not retried)."""
    from ft_dcc.publish import publish

    return publish(host, session_factory=quick_session, **kwargs)
