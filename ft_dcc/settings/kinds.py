"""The types a setting's value may have: each checks a value and names what it expected."""

from __future__ import annotations

import re
import string
from typing import Callable, List, Optional, Tuple, Union

import attr

from ft_dcc.exceptions import SettingsError

#: a checked setting's value: what the declared kinds allow (which one: the key's kind)
SettingValue = Union[None, bool, int, float, str, List[str]]

_SIZE = re.compile(r"^\s*(\d{1,5})\s*[xX]\s*(\d{1,5})\s*$")


def _shown(value: object) -> str:
    return f"{type(value).__name__} {value!r}"


def refuse(key: str, expected: str, value: object) -> SettingsError:
    return SettingsError(
        f"setting {key}: expected {expected}, got {_shown(value)}",
        hint=f"give {key} {expected}",
    )


def template_fields(key: str, text: str) -> List[str]:
    """The ``{field}`` names of ``text`` (``{date:%Y}`` names ``date``); SettingsError when
    ``text`` is not a valid template."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise SettingsError(
            f"setting {key}: {text!r} is not a valid template ({exc})",
            hint="write fields as {name}, and a literal brace as {{ or }}",
        ) from exc
    names = []
    for _literal, name, _spec, _conversion in parsed:
        if name is None:
            continue
        base = re.split(r"[.\[]", name, maxsplit=1)[0]
        names.append(base)
    return names


@attr.s(auto_attribs=True, frozen=True)
class Kind:
    """A value type: ``name`` as the docs show it; ``check`` returns the (normalised) value."""

    name: str
    py_types: Tuple[type, ...] = ()
    choices: Tuple[str, ...] = ()
    fields: Tuple[str, ...] = ()  # the fields a template may name
    nullable: bool = False
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    #: a further check of a text value (raises SettingsError), e.g. a regular expression's
    text_check: Optional[Callable[[str, str], None]] = None

    def check(self, key: str, value: object) -> SettingValue:
        if value is None:
            if self.nullable:
                return None
            raise refuse(key, self.name, value)
        if self.choices:
            return self._check_choice(key, value)
        if self.name.startswith("size"):
            return self._check_size(key, value)
        if self.fields:
            return self._check_templates(key, value)
        if isinstance(value, bool) and bool not in self.py_types:
            raise refuse(key, self.name, value)
        if not isinstance(value, self.py_types) or not isinstance(value, (bool, int, float, str)):
            raise refuse(key, self.name, value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if float in self.py_types:
                value = float(value)
            self._check_bounds(key, value)
        if isinstance(value, str) and self.text_check is not None:
            self.text_check(key, value)
        return value

    def _check_bounds(self, key: str, value: float) -> None:
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            raise refuse(key, f"{self.name} from {low:g} to {high:g}", value)

    def _check_choice(self, key: str, value: object) -> str:
        if isinstance(value, str) and value in self.choices:
            return value
        raise refuse(key, f"one of {', '.join(self.choices)}", value)

    def _check_size(self, key: str, value: object) -> str:
        match = _SIZE.match(value) if isinstance(value, str) else None
        if match is None or 0 in (int(match.group(1)), int(match.group(2))):
            raise refuse(key, 'a size like "1920x1080"', value)
        return f"{int(match.group(1))}x{int(match.group(2))}"

    def _check_templates(self, key: str, value: object) -> Union[str, List[str]]:
        many = list in self.py_types
        texts = value if many else [value]
        if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
            raise refuse(key, self.name, value)
        for text in texts:
            unknown = [name for name in template_fields(key, text) if name not in self.fields]
            if unknown:
                raise SettingsError(
                    f"setting {key}: the template {text!r} names the unknown field "
                    f"{{{unknown[0]}}}",
                    hint=f"use only {', '.join('{' + f + '}' for f in self.fields)}",
                )
        return list(texts) if many else texts[0]


def size(nullable: bool = True) -> Kind:
    return Kind('size "WxH"' + (" or null" if nullable else ""), nullable=nullable)


def one_of(*choices: str) -> Kind:
    return Kind(" | ".join(choices), choices=choices)


def template(*fields: str, nullable: bool = False) -> Kind:
    name = "template" + (" or null" if nullable else "")
    return Kind(name, py_types=(str,), fields=fields, nullable=nullable)


def path_templates(*fields: str) -> Kind:
    return Kind("list of path templates", py_types=(list,), fields=fields)


TEXT = Kind("string", py_types=(str,))
OPTIONAL_TEXT = Kind("string or null", py_types=(str,), nullable=True)
FLAG = Kind("boolean", py_types=(bool,))
SEVERITY = one_of("block", "warn", "off")


def integer(minimum: float, maximum: float) -> Kind:
    return Kind("integer", py_types=(int,), minimum=minimum, maximum=maximum)


def number(minimum: float, maximum: float) -> Kind:
    return Kind("number", py_types=(int, float), minimum=minimum, maximum=maximum)


#: what ``cut.shot_from`` names: a clip's name, its reel, or a regular expression
SHOT_FROM_FIELDS = ("clip_name", "reel")


def _check_shot_from(key: str, value: str) -> None:
    if value in SHOT_FROM_FIELDS:
        return
    try:
        groups = re.compile(value).groupindex
    except re.error as error:
        raise SettingsError(
            f"setting {key}: {value!r} is not a regular expression ({error})",
            hint='e.g. "(?P<shot>sh\\d+)" (or clip_name, or reel)',
        ) from None
    if "shot" not in groups:
        raise SettingsError(
            f"setting {key}: the regular expression {value!r} has no group (?P<shot>…)",
            hint='name the shot\'s part, e.g. "(?P<shot>sh\\d+)_comp"',
        )


SHOT_FROM = Kind(
    "clip_name, reel, or a regular expression with a group (?P<shot>…)",
    py_types=(str,),
    text_check=_check_shot_from,
)
