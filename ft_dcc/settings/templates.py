"""Fill the naming templates, and find the ftrack task of a scene from the path templates."""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Union

from ft_dcc.exceptions import SettingsError
from ft_dcc.settings.keys import PATH_FIELDS


def fill(key: str, template: str, values: Dict[str, Any]) -> str:
    """``template`` with ``values``; SettingsError naming a field this publish has no value for."""
    missing = [name for name, value in values.items() if value in (None, "")]

    class _Values(dict):
        def __missing__(self, name: str) -> Any:
            raise KeyError(name)

    try:
        text = template.format_map(_Values({k: v for k, v in values.items() if k not in missing}))
    except KeyError as exc:
        raise SettingsError(
            f"setting {key}: this publish has no value for {{{exc.args[0]}}} in {template!r}",
            hint=f"give the name on the command line, or change {key} in the settings",
        ) from None
    except (ValueError, TypeError) as exc:
        raise SettingsError(f"setting {key}: cannot fill {template!r} ({exc})") from None
    return text.strip()


def review_session_name(
    template: str, project: Optional[str] = None, user: Optional[str] = None,
    today: Optional[_dt.date] = None,
) -> str:  # fmt: skip
    """e.g. ``"Dailies {date}"`` -> ``"Dailies 2026-11-23"``; ``{week}`` is the ISO week."""
    day = today or _dt.date.today()
    values = {
        "date": day, "year": day.year, "month": f"{day.month:02d}", "day": f"{day.day:02d}",
        "week": f"{day.isocalendar()[1]:02d}", "project": project, "user": user,
    }  # fmt: skip
    return fill("naming.review_session", template, values)


def _pattern(template: str) -> re.Pattern[str]:
    """A path template as a regular expression: ``{field}`` is one folder level, ``*`` any
    text within a level, ``**`` any number of levels; matched against the path's end."""
    parts = re.split(r"(\{[a-z_]+\}|\*\*|\*)", template.replace("\\", "/").strip("/"))
    out = []
    for part in parts:
        if part == "**":
            out.append(".*")
        elif part == "*":
            out.append("[^/]*")
        elif part.startswith("{") and part[1:-1] in PATH_FIELDS:
            out.append(f"(?P<{part[1:-1]}>[^/]+)")
        else:
            out.append(re.escape(part))
    return re.compile("(?:^|/)" + "".join(out) + "$")


def task_from_path(templates: Sequence[str], path: Union[str, Path]) -> str:
    """The ``Project/…/Task`` path of the first template ``path`` matches; SettingsError when
    none does (or the match names no project or task)."""
    text = str(Path(path).expanduser().absolute()).replace("\\", "/")
    for template in templates:
        match = _pattern(template).search(text)
        if match is None:
            continue
        found = match.groupdict()
        if not found.get("project") or not found.get("task"):
            raise SettingsError(
                f"setting paths.task_templates: {template!r} names no {{project}} or {{task}}",
                hint="every path template needs {project} and {task}",
            )
        return "/".join(found[name] for name in PATH_FIELDS if found.get(name))
    tried = "; ".join(templates) if templates else "none are set"
    raise SettingsError(
        f"{path} matches no path template (paths.task_templates: {tried})",
        hint="give the task with --task, or save the scene under a folder a template describes",
    )
