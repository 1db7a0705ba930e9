"""Fill the naming templates, and find the ftrack task of a scene from the path templates."""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Collection, Dict, Iterator, Mapping, NoReturn, Optional, Sequence, Union

from ft_dcc.exceptions import SettingsError
from ft_dcc.settings.keys import PATH_FIELDS


def fill(key: str, template: str, values: Mapping[str, object]) -> str:
    """``template`` with ``values``; SettingsError naming a field this publish has no value for."""
    missing = [name for name, value in values.items() if value in (None, "")]

    class _Values(dict):
        def __missing__(self, name: str) -> NoReturn:
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
    text within a level, ``**`` any number of levels; matched from a folder to the path's end."""
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
    return re.compile("".join(out))


def _matches(template: str, text: str) -> Iterator[Dict[str, str]]:
    """Each way ``template`` matches ``text`` from one of its folders to its end, leftmost
    first (a template starting with a field fits at several folders)."""
    pattern = _pattern(template)
    for start in [0] + [m.end() for m in re.finditer("/", text)]:
        match = pattern.fullmatch(text, start)
        if match is None:
            continue
        found = match.groupdict()
        if not found.get("project") or not found.get("task"):
            raise SettingsError(
                f"setting paths.task_templates: {template!r} names no {{project}} or {{task}}",
                hint="every path template needs {project} and {task}",
            )
        yield found


def task_from_path(
    templates: Sequence[str],
    path: Union[str, Path],
    projects: Optional[Collection[str]] = None,
    own: Optional[Mapping[str, Sequence[str]]] = None,
) -> str:
    """The ``Project/…/Task`` path of the first match of the first template ``path`` matches;
    with ``projects`` (the server's project names), of the first match naming one of them.
    ``templates`` are the studio's; ``own`` holds the projects whose settings give other
    templates: a match naming such a project counts only when it is one of that project's.
    SettingsError when none does (or a template names no project or task)."""
    own = own or {}
    text = str(Path(path).expanduser().absolute()).replace("\\", "/")
    every = dict.fromkeys([*templates, *(t for texts in own.values() for t in texts)])
    unknown = []
    for template in every:
        for found in _matches(template, text):
            if template not in own.get(found["project"], templates):
                continue  # that project's settings give other templates
            if projects is None or found["project"] in projects:
                return "/".join(found[name] for name in PATH_FIELDS if found.get(name))
            unknown.append(found["project"])
    if unknown:
        raise SettingsError(
            f"{path}: the path templates' {{project}} names no project on the server "
            f"(tried {', '.join(dict.fromkeys(unknown))})",
            hint="give the task with --task, or save the scene under the project's folder",
        )
    raise SettingsError(
        f"{path} matches no path template (paths.task_templates: {_tried(templates, own)})",
        hint="give the task with --task, or save the scene under a folder a template describes",
    )


def _tried(templates: Sequence[str], own: Mapping[str, Sequence[str]]) -> str:
    """The templates that were tried, and whose they are when a project has its own."""
    studio = "; ".join(templates) if templates else "none are set"
    if not own:
        return studio
    rest = [f"project {name}: {'; '.join(texts) or 'none'}" for name, texts in own.items()]
    return "; ".join([f"studio: {studio}", *rest])
