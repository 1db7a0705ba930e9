"""What a host panel shows of the resolved settings: which profile applies (or why none does)
and where the values that shape a publish came from, in a few short lines (a narrow sidebar
shows them)."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence

from ft_dcc.settings.resolve import DEFAULT, Resolved

#: the keys a panel names the origin of (the ones an artist notices in the review)
SHOWN_KEYS = ("paths.task_templates", "naming.review_session", "capture.resolution")
_PROFILE = re.compile(r"^profile (?P<name>'.*?'|\".*?\") \((?P<origin>.*)\)$")
_WHY_NOT = re.compile(r"^profile (?P<name>'.*?'|\".*?\") \(.*\) (?P<why>wants .*)$")


def short_origin(origin: str) -> str:
    """``file /studio/ft_dcc.json`` -> ``file ft_dcc.json``; other origins unchanged."""
    if origin.startswith("file "):
        return "file " + re.split(r"[\\/]", origin[5:])[-1]
    return origin


def profile_lines(resolved: Resolved) -> List[str]:
    """``Profile 'anim'`` and where it was read, for the profile that wins; or the levels the
    values come from when no profile applies, and why each profile does not."""
    if resolved.profiles:
        found = _PROFILE.match(resolved.profiles[-1])
        if found is None:
            return [resolved.profiles[-1]]
        return [f"Profile {found['name']}", f"from {short_origin(found['origin'])}"]
    levels = sorted({v.level for v in resolved.values.values()} - {DEFAULT})
    values = "values: " + (", ".join(levels) if levels else "defaults")
    return ["No profile applies", values, *(_short_why(why) for why in resolved.unmatched)]


def _short_why(why: str) -> str:
    """``'anim' wants task types Animation ('Compositing')`` (the origin left out)."""
    found = _WHY_NOT.match(why)
    return f"{found['name']} {found['why']}" if found is not None else why


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


def publish_settings_lines(
    host: str, task: Optional[str], scene: Optional[str] = None
) -> List[str]:
    """The :func:`panel_lines` of the settings a publish from ``host`` to ``task`` (an id or
    path; None: the one ``scene``'s path gives through the path templates) will use: its
    project, task type and host profiles. A problem with them is one line saying it."""
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.publish.request.settings_options import settings_for_publish

    try:
        resolved = settings_for_publish(host, task, scene).resolved
    except FtDccError as exc:
        return [f"Settings: {exc}"]
    return panel_lines(resolved)
