"""A settings document (a file, or the JSON stored on the ftrack server), read and validated.

JSON (TOML too where the standard library has ``tomllib``, Python 3.11+)::

    {
      "settings": {"capture.scale": 0.5, "naming.review_session": "Dailies {date}"},
      "profiles": [
        {"name": "anim", "hosts": ["maya", "blender"], "task_types": ["Animation"],
         "settings": {"checks.frame_range": "warn"}}
      ],
      "projects": {"demo": {"settings": {...}, "profiles": [...]}}
    }

``plugins`` (in a document or a profile) gives pyblish plugins' attributes
(``{"ValidateSceneSaved": {"enabled": false}}``: ``ft_dcc.settings.plugins``).
``settings`` may also nest (``{"capture": {"scale": 0.5}}``). ``projects`` is for files only
(the server keeps a project's document on the project). Every key and value is checked: a
document is either entirely valid or refused, naming the first thing to fix.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

import attr

from ft_dcc.exceptions import SettingsError
from ft_dcc.settings import layers
from ft_dcc.settings.keys import key_named
from ft_dcc.settings.kinds import SettingValue
from ft_dcc.settings.plugins import PluginSettings
from ft_dcc.settings.plugins import parse as parse_plugins

TOP_LEVEL = ("version", "settings", "profiles", "projects", "plugins")
PROFILE_FIELDS = ("name", "hosts", "task_types", "asset_types", "settings", "plugins")
FILTERS = ("hosts", "task_types", "asset_types")


@attr.s(auto_attribs=True, frozen=True)
class Profile:
    """Settings that apply when every non-empty filter matches (names compare case-blind)."""

    name: str
    settings: Dict[str, SettingValue]
    hosts: Tuple[str, ...] = ()
    task_types: Tuple[str, ...] = ()
    asset_types: Tuple[str, ...] = ()
    plugins: PluginSettings = attr.Factory(dict)  # pyblish plugin class -> attribute -> value

    @property
    def specificity(self) -> int:
        """How many filters it sets: a profile naming more wins over one naming fewer."""
        return sum(1 for name in FILTERS if getattr(self, name))

    def matches(
        self, host: Optional[str], task_type: Optional[str], asset_type: Optional[str]
    ) -> bool:
        wanted = {"hosts": host, "task_types": task_type, "asset_types": asset_type}
        for name, value in wanted.items():
            allowed = getattr(self, name)
            if allowed and (value is None or value.lower() not in {a.lower() for a in allowed}):
                return False
        return True

    def to_dict(self) -> Dict[str, object]:
        data: Dict[str, object] = {"name": self.name}
        data.update({name: list(getattr(self, name)) for name in FILTERS if getattr(self, name)})
        data["settings"] = dict(self.settings)
        if self.plugins:
            data["plugins"] = dict(self.plugins)
        return data


@attr.s(auto_attribs=True, frozen=True)
class Document:
    """One level's settings and profiles (plus, in a file, per-project documents)."""

    settings: Dict[str, SettingValue] = attr.Factory(dict)
    profiles: Tuple[Profile, ...] = ()
    projects: Dict[str, Document] = attr.Factory(dict)
    plugins: PluginSettings = attr.Factory(dict)  # pyblish plugin class -> attribute -> value

    def to_dict(self) -> Dict[str, object]:
        data: Dict[str, object] = {"version": 1, "settings": dict(self.settings)}
        if self.plugins:
            data["plugins"] = dict(self.plugins)
        if self.profiles:
            data["profiles"] = [profile.to_dict() for profile in self.profiles]
        if self.projects:
            data["projects"] = {name: doc.to_dict() for name, doc in self.projects.items()}
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)


def _unknown(what: str, name: str, valid: Tuple[str, ...], where: str) -> SettingsError:
    near = difflib.get_close_matches(name, valid, n=1, cutoff=0.5)
    hint = f"did you mean {near[0]!r}?" if near else f"use {', '.join(valid)}"
    return SettingsError(f"{where}: unknown {what} {name!r}", hint=hint)


def flatten(values: Mapping[str, object], prefix: str = "") -> Dict[str, object]:
    """``{"capture": {"scale": 0.5}}`` -> ``{"capture.scale": 0.5}`` (declared keys stay)."""
    flat: Dict[str, object] = {}
    for name, value in values.items():
        full = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(flatten(value, full + "."))
        else:
            flat[full] = value
    return flat


def check_settings(values: object, where: str) -> Dict[str, SettingValue]:
    """The validated (and normalised) ``{key: value}`` of a ``settings`` mapping."""
    if not isinstance(values, dict):
        raise SettingsError(f"{where}: 'settings' must be an object of key: value")
    checked = {}
    for name, value in flatten(values).items():
        try:
            checked[name] = key_named(name).check(value)
        except SettingsError as error:
            raise SettingsError(f"{where}: {error.message}", hint=error.hint) from None
    return checked


def _names(value: object, field: str, where: str) -> Tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SettingsError(f"{where}: {field} must be a list of names, got {value!r}")
    return tuple(value)


def parse_profile(data: object, where: str) -> Profile:
    if not isinstance(data, dict):
        raise SettingsError(f"{where}: a profile must be an object, got {data!r}")
    for name in data:
        if name not in PROFILE_FIELDS:
            raise _unknown("profile field", name, PROFILE_FIELDS, where)
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise SettingsError(f"{where}: the profile has no name", hint='add "name": "…"')
    where = f"{where} ({name})"
    filters = {field: _names(data.get(field), field, where) for field in FILTERS}
    settings = check_settings(data.get("settings", {}), where)
    layers.check_hosts(filters["hosts"], where)
    layers.check_profile(list(settings), filters["task_types"], filters["asset_types"], where)
    plugins = parse_plugins(data.get("plugins", {}), where)
    return Profile(name=name, settings=settings, plugins=plugins, **filters)


def parse(data: object, where: str, allow_projects: bool = True) -> Document:
    """The validated :class:`Document` of decoded JSON ``data``; ``where`` names its source."""
    if not isinstance(data, dict):
        raise SettingsError(f"{where}: a settings document is a JSON object, got {data!r}")
    for name in data:
        if name not in TOP_LEVEL:
            raise _unknown("section", name, TOP_LEVEL, where)
    if data.get("version", 1) != 1:
        raise SettingsError(f"{where}: version {data['version']!r} is not 1")
    profiles = data.get("profiles") or []
    if not isinstance(profiles, list):
        raise SettingsError(f"{where}: 'profiles' must be a list")
    projects = data.get("projects") or {}
    if projects and not allow_projects:
        raise SettingsError(
            f"{where}: 'projects' belongs in a settings file",
            hint="push each project's own document with --project NAME",
        )
    if not isinstance(projects, dict):
        raise SettingsError(f"{where}: 'projects' must be an object of name: document")
    return Document(
        settings=check_settings(data.get("settings", {}), where),
        profiles=tuple(
            parse_profile(p, f"{where} profile {i + 1}") for i, p in enumerate(profiles)
        ),
        projects={
            str(name): parse(doc, f"{where} project {name}", allow_projects=False)
            for name, doc in projects.items()
        },
        plugins=parse_plugins(data.get("plugins", {}), where),
    )


def parse_text(text: str, where: str, allow_projects: bool = True) -> Document:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SettingsError(
            f"{where} is not valid JSON: {exc}", hint="fix the file (a JSON linter shows where)"
        ) from None
    return parse(data, where, allow_projects)


def read_file(path: Path) -> Document:
    """The validated document in ``path`` (``.json``, or ``.toml`` on Python 3.11+)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SettingsError(
            f"cannot read the settings file {path}: {exc.strerror or exc}",
            hint="check the path (and $FT_DCC_SETTINGS)",
        ) from None
    if Path(path).suffix.lower() == ".toml":
        return parse(_toml(raw, path), str(path))
    return parse_text(raw.decode("utf-8", errors="replace"), str(path))


def _toml(raw: bytes, path: Path) -> Dict[str, object]:
    try:
        import tomllib  # novermin - Python 3.11+; JSON works everywhere
    except ImportError:
        raise SettingsError(
            f"{path}: TOML settings need Python 3.11 or newer", hint="write the file as JSON"
        ) from None
    try:
        return tomllib.loads(raw.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}", hint="fix the file") from None
