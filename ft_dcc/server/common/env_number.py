"""A positive number from the server's environment (``FT_DCC_*`` limits), else its default."""

from __future__ import annotations

import os
from typing import TypeVar

_Number = TypeVar("_Number", int, float)


def positive_number(name: str, default: _Number) -> _Number:
    """``name``'s value, read as the type of ``default``; ``default`` when it is unset, not such
    a number, or not above 0."""
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = type(default)(text)
    except ValueError:
        return default
    return value if value > 0 else default
