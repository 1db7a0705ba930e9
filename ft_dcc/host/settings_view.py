"""What a host panel shows of the resolved settings (#21): which profile applies and where the
values that shape a publish came from, in a few short lines (a narrow sidebar shows them)."""

from __future__ import annotations

import re
from typing import List, Sequence

from ft_dcc.settings.resolve import DEFAULT, Resolved

#: the keys a panel names the origin of (the ones an artist notices in the review)
SHOWN_KEYS = ("paths.task_templates", "naming.review_session", "capture.resolution")
_PROFILE = re.compile(r"^profile (?P<name>'.*?'|\".*?\") \((?P<origin>.*)\)$")


def short_origin(origin: str) -> str:
    """``file /studio/ft_dcc.json`` -> ``file ft_dcc.json``; other origins unchanged."""
    if origin.startswith("file "):
        return "file " + re.split(r"[\\/]", origin[5:])[-1]
    return origin


def profile_lines(resolved: Resolved) -> List[str]:
    """``Profile 'anim'`` and where it was read, for the profile that wins; or the levels the
    values come from when no profile applies."""
    if resolved.profiles:
        found = _PROFILE.match(resolved.profiles[-1])
        if found is None:
            return [resolved.profiles[-1]]
        return [f"Profile {found['name']}", f"from {short_origin(found['origin'])}"]
    levels = sorted({v.level for v in resolved.values.values()} - {DEFAULT})
    return ["No profile applies", "values: " + (", ".join(levels) if levels else "defaults")]


def origin_lines(resolved: Resolved, keys: Sequence[str] = SHOWN_KEYS) -> List[str]:
    """``task_templates: studio`` (default, studio, project, profile or artist) per key."""
    return [
        f"{name.split('.', 1)[-1]}: {resolved.values[name].level}"
        for name in keys
        if name in resolved.values
    ]


def panel_lines(resolved: Resolved) -> List[str]:
    """The profile lines, then the key origins, then any note (e.g. the server was not read)."""
    return [*profile_lines(resolved), *origin_lines(resolved), *resolved.notes]
