"""Fake ``maya.mel``: only reading the UI globals the adapter uses (``$gMainProgressBar``,
``$gPlayBackSlider``, both declared by Maya's UI start-up scripts) is modelled."""

from __future__ import annotations

import re
from typing import Any

from . import _fake

_GLOBAL_READ = re.compile(r"^\s*\$\w+\s*=\s*\$(\w+)\s*;?\s*$")


def eval(command: str) -> Any:
    _fake.state.calls.append(("mel.eval", (command,), {}))
    match = _GLOBAL_READ.match(command)
    if match and match.group(1) == "gMainProgressBar":
        if _fake.state.batch:
            # Maya's UI start-up scripts declare it; mayapy never runs them.
            raise RuntimeError(
                'Error occurred during execution of MEL script\nLine 1: "$gMainProgressBar" '
                "is an undeclared variable."
            )
        return _fake.MAIN_PROGRESS_BAR
    if match and match.group(1) == "gPlayBackSlider":
        if _fake.state.batch:
            raise RuntimeError(
                'Error occurred during execution of MEL script\nLine 1: "$gPlayBackSlider" '
                "is an undeclared variable."
            )
        return _fake.TIME_SLIDER
    raise NotImplementedError(f"fake: mel.eval({command!r}) is not modelled")
