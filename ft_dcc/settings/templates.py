"""Fill the naming templates, and find the ftrack task of a scene from the path templates."""

from __future__ import annotations

import datetime as _dt
import os
import re
import string
from pathlib import Path
from typing import Collection, Dict, Iterator, Mapping, NoReturn, Optional, Sequence, Union

from ft_dcc.exceptions import SettingsError
from ft_dcc.settings.keys import PATH_FIELDS

#: ``FT_DCC_TODAY=YYYY-MM-DD`` is "today" for the naming templates (tests publish on another
#: day with it; a studio may re-run a day's publishes into that day's session)
ENV_TODAY = "FT_DCC_TODAY"


def current_date() -> _dt.date:
    """The local date, or the one ``$FT_DCC_TODAY`` names (SettingsError when it is no date)."""
    text = os.environ.get(ENV_TODAY, "").strip()
    if not text:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise SettingsError(
            f"{ENV_TODAY}={text!r} is not a date", hint=f"give YYYY-MM-DD, or unset {ENV_TODAY}"
        ) from None


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
    day = today or current_date()
    values = {
        "date": day, "year": day.year, "month": f"{day.month:02d}", "day": f"{day.day:02d}",
        "week": f"{day.isocalendar()[1]:02d}", "project": project, "user": user,
    }  # fmt: skip
    return fill("naming.review_session", template, values)


#: what each field of ``naming.review_session`` fills in, as text (any other field: any text),
#: and whether a value read back is one it gives (a day of the calendar, a month, ...)
_FIELD_TEXT = {"date": r"\d{4}-\d{2}-\d{2}", "year": r"\d{4}", "month": r"\d{2}",
               "day": r"\d{2}", "week": r"\d{2}"}  # fmt: skip
_FIELD_RANGE = {"month": (1, 12), "day": (1, 31), "week": (1, 53)}


def made_by(template: str, name: str) -> bool:
    """True when ``template`` fills in to ``name`` for some values of its fields (``"Dailies
    {date}"`` makes ``"Dailies 2026-11-26"``, not ``"Dailies 2026-11-2"`` nor ``"dailies
    2026-11-26"``): names it makes for different values are different sessions, no typos."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return False
    pattern, fields = [], []
    for literal, field, spec, conversion in parts:
        pattern.append(re.escape(literal))
        if field is not None:
            plain = not spec and not conversion
            pattern.append(f"({_FIELD_TEXT.get(field, '.+') if plain else '.+'})")
            fields.append(field if plain else "")
    found = re.fullmatch("".join(pattern), name.strip(), re.DOTALL)
    return found is not None and all(map(_field_value, fields, found.groups()))


def _field_value(field: str, text: str) -> bool:
    """Whether ``text`` is a value the template's ``field`` takes."""
    if field == "date":
        try:
            _dt.date.fromisoformat(text)
        except ValueError:
            return False
    bounds = _FIELD_RANGE.get(field)
    return bounds is None or bounds[0] <= int(text) <= bounds[1]


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
