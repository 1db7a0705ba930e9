"""Layers of settings merged into one value per key, each remembering where it came from.

Lowest first: built-in defaults -> studio -> project -> profiles -> the artist's choice.
Within a level the server's document wins over the ``$FT_DCC_SETTINGS`` file's. Profiles (from
the studio's and the project's documents) apply when every filter they set matches; the most
specific (the one setting more of host, task type and asset type) wins; among equally specific
ones the project's wins over the studio's, and the later in its document over the earlier.
"""

from __future__ import annotations

import json
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Type, TypeVar

import attr

from ft_dcc.settings.document import Document, Profile
from ft_dcc.settings.keys import KEYS, key_named
from ft_dcc.settings.kinds import SettingValue
from ft_dcc.settings.plugins import PluginSettings, merged

DEFAULT = "default"


@attr.s(auto_attribs=True, frozen=True)
class Source:
    """One level's document and where it was read (``level``: studio or project)."""

    level: str
    origin: str  # e.g. "ftrack Setting ft_dcc/settings" or "file /studio/ft_dcc.json"
    document: Document


@attr.s(auto_attribs=True, frozen=True)
class Value:
    value: SettingValue
    level: str  # default, studio, project, profile, artist
    origin: str


@attr.s(auto_attribs=True, frozen=True)
class Filters:
    """What profiles are chosen by."""

    host: Optional[str] = None
    task_type: Optional[str] = None
    asset_type: Optional[str] = None


@attr.s(auto_attribs=True)
class Resolved:
    """Every key's value and its origin, and the profiles that applied (lowest first)."""

    values: Dict[str, Value]
    profiles: List[str] = attr.Factory(list)
    filters: Filters = attr.Factory(Filters)
    notes: List[str] = attr.Factory(list)  # e.g. "the server could not be reached"
    #: when no profile applies: why each one does not (e.g. it names another task type)
    unmatched: List[str] = attr.Factory(list)
    #: values set where they are not used, and why (e.g. review.* in the settings file)
    unused: List[str] = attr.Factory(list)
    #: the documents' ``plugins`` laid on each other (ft_dcc.settings.plugins)
    plugins: PluginSettings = attr.Factory(dict)
    #: where each of them came from: "Class.attribute" -> origin
    plugin_origins: Dict[str, str] = attr.Factory(dict)

    def __getitem__(self, name: str) -> SettingValue:
        """The value of ``name`` (its type: the key's kind; the readers below narrow it)."""
        return self.values[key_named(name).name].value

    def text(self, name: str) -> str:
        return _narrowed(name, self[name], str)

    def optional_text(self, name: str) -> Optional[str]:
        value = self[name]
        return None if value is None else _narrowed(name, value, str)

    def flag(self, name: str) -> bool:
        return _narrowed(name, self[name], bool)

    def integer(self, name: str) -> int:
        return _narrowed(name, self[name], int)

    def number(self, name: str) -> float:
        value = self[name]
        return float(value) if isinstance(value, int) else _narrowed(name, value, float)

    def texts(self, name: str) -> List[str]:
        return [_narrowed(name, text, str) for text in _narrowed(name, self[name], list)]

    def origin(self, name: str) -> str:
        return self.values[key_named(name).name].origin

    def level(self, name: str) -> str:
        return self.values[key_named(name).name].level

    def to_dict(self) -> Dict[str, object]:
        return {
            "filters": attr.asdict(self.filters),
            "profiles": list(self.profiles),
            "notes": list(self.notes),
            "unmatched": list(self.unmatched),
            "unused": list(self.unused),
            "values": {
                name: {"value": v.value, "level": v.level, "origin": v.origin}
                for name, v in self.values.items()
            },
            **({"plugins": self.plugins} if self.plugins else {}),
        }

    def lines(self) -> List[str]:
        """``origin<TAB>key = value`` lines, like ``git config --show-origin --list``."""
        shown = {name: _where(v) for name, v in self.values.items()}
        width = max(len(text) for text in shown.values())
        lines = [
            f"{shown[name]:<{width}}  {name} = {json.dumps(v.value)}"
            for name, v in self.values.items()
        ]
        return lines + [
            f"{self.plugin_origins.get(f'{name}.{key}', ''):<{width}}  plugins.{name}.{key} = "
            f"{json.dumps(value)}"
            for name, values in self.plugins.items()
            for key, value in values.items()
        ]


_T = TypeVar("_T")


def _narrowed(name: str, value: object, kind: Type[_T]) -> _T:
    """``value`` as ``kind``; TypeError when the key's declared kind is not that (a bug)."""
    if not isinstance(value, kind):
        raise TypeError(f"setting {name} is {type(value).__name__}, not {kind.__name__}")
    return value


def _where(value: Value) -> str:
    if value.level in (DEFAULT, "profile", "artist"):
        return value.origin
    return f"{value.level}: {value.origin}"


def matching_profiles(sources: Sequence[Source], filters: Filters) -> List[Tuple[Profile, str]]:
    """The profiles that apply, in the order they are laid on (the last one wins)."""
    found = []
    for rank, source in enumerate(sources):
        for position, profile in enumerate(source.document.profiles):
            if profile.matches(filters.host, filters.task_type, filters.asset_type):
                origin = f"profile {profile.name!r} ({source.origin})"
                found.append(((profile.specificity, rank, position), profile, origin))
    found.sort(key=lambda item: item[0])
    return [(profile, origin) for _order, profile, origin in found]


_WANTED = (("hosts", "host"), ("task_types", "task_type"), ("asset_types", "asset_type"))


def why_not(profile: Profile, origin: str, filters: Filters) -> str:
    """Why ``profile`` does not apply under ``filters``: each filter it sets that does not match."""
    reasons = []
    for field, name in _WANTED:
        allowed, given = getattr(profile, field), getattr(filters, name)
        if allowed and (given is None or given.lower() not in {a.lower() for a in allowed}):
            what = f"{given!r}" if given is not None else "none given"
            reasons.append(f"wants {field.replace('_', ' ')} {', '.join(allowed)} ({what})")
    return f"{origin} {'; '.join(reasons)}"


def unmatched_profiles(sources: Sequence[Source], filters: Filters) -> List[str]:
    """Why each profile of ``sources`` does not apply under ``filters``."""
    return [
        why_not(profile, f"profile {profile.name!r} ({source.origin})", filters)
        for source in sources
        for profile in source.document.profiles
        if not profile.matches(filters.host, filters.task_type, filters.asset_type)
    ]


def resolve(
    sources: Sequence[Source],
    filters: Optional[Filters] = None,
    artist: Optional[Mapping[str, object]] = None,
    artist_origin: str = "artist (command line)",
    notes: Iterable[str] = (),
    unused: Iterable[str] = (),
) -> Resolved:
    """Lay defaults, ``sources`` (lowest first), matching profiles and ``artist`` on each other."""
    filters = filters or Filters()
    values = {key.name: Value(key.default, DEFAULT, DEFAULT) for key in KEYS}
    for source in sources:
        for name, value in source.document.settings.items():
            values[name] = Value(value, source.level, source.origin)
    applied = []
    layered = [(source.document.plugins, f"{source.level}: {source.origin}") for source in sources]
    for profile, origin in matching_profiles(sources, filters):
        applied.append(origin)
        layered.append((profile.plugins, origin))
        for name, value in profile.settings.items():
            values[name] = Value(value, "profile", origin)
    for name, given in (artist or {}).items():
        key = key_named(name)
        values[key.name] = Value(key.check(given), "artist", artist_origin)
    unmatched = [] if applied else unmatched_profiles(sources, filters)
    return Resolved(
        values=values, profiles=applied, filters=filters, notes=list(notes),
        unmatched=unmatched, unused=list(unused), plugins=merged(p for p, _ in layered),
        plugin_origins={f"{name}.{key}": origin for plugins, origin in layered
                        for name, given in plugins.items() for key in given},
    )  # fmt: skip
