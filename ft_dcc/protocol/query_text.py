"""Values written into ftrack query expressions (``... where name is "x"``): one quoting rule
for the client and the embedded server. Pure, stdlib only (imports on Python 3.9 with the core
dependencies)."""

from __future__ import annotations

from typing import Iterable, Union

#: what a query literal can be made of (anything else is written as its ``str``)
Literal = Union[None, bool, int, float, str, object]


def quote(value: Literal) -> str:
    """A value as a query literal: ``none``, ``true``/``false``, numbers as written, anything
    else double-quoted with inner backslashes and double quotes escaped."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def quoted_list(values: Iterable[Literal]) -> str:
    """``values`` as the inside of an ``in (...)`` list: quoted, comma separated, in order."""
    return ", ".join(quote(value) for value in values)
