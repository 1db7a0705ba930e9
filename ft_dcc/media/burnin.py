"""Burn-ins and a slate drawn into review movies by ffmpeg's ``drawtext`` (issue 15).

A studio describes them in a small JSON *template* (``FT_DCC_BURNIN_TEMPLATE`` or
``--burnin-template``; without one the shipped ``burnin_default.json``)::

    {"mode": "on",
     "burnin": {"top_left": "{project} / {shot} / {task}", "bottom_right": "{frame:04d}"},
     "slate": ["{project}", "Shot {shot}  v{version:03d}", "{comment}"],
     "font": "/path/font.ttf", "font_size": 24, "slate_font_size": 40, "color": "white"}

Texts are Python format strings over :data:`FIELDS`. Modes: ``off``; ``on`` (burn-ins on every
frame); ``slate`` (one slate frame before the first frame, no burn-ins); ``both``. The slate is
an *added* frame: the movie holds ``frames + 1`` frames, the sound is delayed by one frame, and
the slate stands for the frame before the first one (``frame_start - 1``), so review frame
``i`` stays source frame ``first - slate_frames + i``. The font is the template's, else the
DejaVu Sans Mono shipped in ``fonts/`` (Bitstream Vera licence, next to it), so the text looks
the same in every host's ffmpeg (imageio-ffmpeg's has ``drawtext``).
"""

from __future__ import annotations

import json
import os
import string
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, TypedDict

import attr

from ft_dcc.exceptions import MediaError

ENV_TEMPLATE = "FT_DCC_BURNIN_TEMPLATE"
MODES = ("off", "on", "slate", "both")
FIELDS = {
    "project": "the project's name",
    "shot": "the shot's (the task's parent's) name",
    "task": "the task's name",
    "version": "the version number (an int; 'next' when publishing offline)",
    "artist": "the publishing user",
    "date": "the publish date, YYYY-MM-DD",
    "frame": "the frame number, per frame (on the slate: the first frame)",
    "frame_range": "FIRST-LAST",
    "camera": "the capture camera",
    "focal_length": "the camera's focal length, e.g. 35mm (empty when unknown)",
    "comment": "the publish comment",
}
POSITIONS = {
    "top_left": ("{m}", "{m}"),
    "top_center": ("(w-text_w)/2", "{m}"),
    "top_right": ("w-text_w-{m}", "{m}"),
    "bottom_left": ("{m}", "h-text_h-{m}"),
    "bottom_center": ("(w-text_w)/2", "h-text_h-{m}"),
    "bottom_right": ("w-text_w-{m}", "h-text_h-{m}"),
}
TEMPLATE_KEYS = ("mode", "burnin", "slate", "font", "font_size", "slate_font_size", "color")
DEFAULT_TEMPLATE = Path(__file__).with_name("burnin_default.json")
FONT = Path(__file__).parent / "fonts" / "DejaVuSansMono.ttf"
_SAMPLE = {"version": 1, "frame": 1}  # the int fields (format specs are checked on these)


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class BurninTemplate:
    """A studio's burn-in/slate template, checked (see :func:`load_template`)."""

    source: str  # the template file, for messages and the capture metadata
    mode: Optional[str] = None  # the template's default mode
    burnin: Dict[str, str] = attr.Factory(dict)  # position -> text
    slate: Tuple[str, ...] = ()
    font: Optional[str] = None
    font_size: Optional[int] = None
    slate_font_size: Optional[int] = None
    color: str = "white"


class BurninChoiceDict(TypedDict):
    """:meth:`BurninChoice.to_dict`: what the capture metadata records of the burn-in."""

    mode: str
    template: str  # the template file
    slate_frames: int


@attr.s(frozen=True, auto_attribs=True)
class BurninChoice:
    """The mode and template a publish uses (validated before anything is captured)."""

    mode: str
    template: BurninTemplate

    @property
    def slate_frames(self) -> int:
        """The frames added before the first frame (1 with a slate)."""
        return 1 if self.mode in ("slate", "both") else 0

    def to_dict(self) -> BurninChoiceDict:
        return {
            "mode": self.mode,
            "template": self.template.source,
            "slate_frames": self.slate_frames,
        }


@attr.s(frozen=True, auto_attribs=True)
class Burnin:
    """What the encoder draws: a choice plus the publish's field values."""

    choice: BurninChoice
    values: Mapping[str, object]  # field name -> value (formatted with the field's spec)

    @property
    def slate_frames(self) -> int:
        return self.choice.slate_frames


def resolve_burnin(
    mode: Optional[str], template: Optional[str], environ: Optional[Mapping[str, str]] = None
) -> Optional[BurninChoice]:
    """The burn-in a publish asked for, or None for none.

    ``mode`` (off/on/slate/both) wins; without it a template (``template`` or
    ``$FT_DCC_BURNIN_TEMPLATE``) turns burn-ins on (or to the template's own ``mode``).
    A mode without a template uses the shipped default. Raises :class:`MediaError` for an
    unknown mode or a template that cannot be read or names unknown fields.
    """
    env = os.environ if environ is None else environ
    if mode is not None and mode not in MODES:
        raise MediaError(f"Unknown burn-in mode {mode!r}.", hint=f"use one of {', '.join(MODES)}")
    path = template or env.get(ENV_TEMPLATE) or None
    if mode is None and path is None:
        return None
    loaded = load_template(path)
    chosen = mode or loaded.mode or "on"
    return None if chosen == "off" else BurninChoice(chosen, loaded)


def load_template(path: Optional[str]) -> BurninTemplate:
    """Read and check a template file (None: the shipped default)."""
    file = Path(path) if path else DEFAULT_TEMPLATE
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MediaError(
            f"The burn-in template {file} cannot be read: {error}.",
            hint=_template_hint(),
        ) from error
    if not isinstance(data, dict):
        raise MediaError(
            f"The burn-in template {file} is not a JSON object.", hint=_template_hint()
        )
    return _checked(data, str(file))


def _checked(data: Dict[str, Any], source: str) -> BurninTemplate:
    unknown = sorted(set(data) - set(TEMPLATE_KEYS))
    burnin = data.get("burnin") or {}
    slate = data.get("slate") or []
    if not isinstance(burnin, dict) or not isinstance(slate, list):
        unknown.append("burnin must map positions to texts, slate must list lines")
    unknown += sorted(f"burnin.{key}" for key in set(burnin) - set(POSITIONS))
    if unknown:
        raise MediaError(
            f"The burn-in template {source} has unknown keys: {', '.join(unknown)}.",
            hint=_template_hint(),
        )
    mode = data.get("mode")
    if mode is not None and mode not in MODES:
        raise MediaError(
            f"The burn-in template {source} has an unknown mode {mode!r}.",
            hint=f"use one of {', '.join(MODES)}",
        )
    texts = [str(text) for text in (*burnin.values(), *slate)]
    for text in texts:
        _check_fields(text, source)
    return BurninTemplate(
        source=source,
        mode=mode,
        burnin={key: str(value) for key, value in burnin.items() if value},
        slate=tuple(str(line) for line in slate),
        font=data.get("font"),
        font_size=_int_or_none(data.get("font_size")),
        slate_font_size=_int_or_none(data.get("slate_font_size")),
        color=str(data.get("color") or "white"),
    )


def _check_fields(text: str, source: str) -> None:
    """Every ``{field:spec}`` of ``text`` is a known field with a usable spec."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise MediaError(
            f"The burn-in text {text!r} in {source} is malformed: {error}.", hint=_template_hint()
        ) from error
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in FIELDS or conversion:
            raise MediaError(
                f"The burn-in text {text!r} in {source} uses the unknown field {{{field}}}.",
                hint=f"valid fields: {', '.join(FIELDS)}",
            )
        try:
            format(_SAMPLE.get(field, "x"), spec or "")
        except ValueError as error:
            raise MediaError(
                f"The format {{{field}:{spec}}} in {source} is invalid: {error}.",
                hint="e.g. {version:03d} or {frame:04d}",
            ) from error


def _template_hint() -> str:
    return (
        f"a JSON object with keys {', '.join(TEMPLATE_KEYS)}; burnin positions "
        f"{', '.join(POSITIONS)}; fields {', '.join(FIELDS)}"
    )


def _int_or_none(value: Any) -> Optional[int]:
    return None if value in (None, "") else int(value)


def expand(text: str, values: Mapping[str, object], frame_offset: int) -> str:
    """``text`` for drawtext's ``expansion=normal``: values escaped, ``{frame}`` counting
    ``n + frame_offset`` (``n``: the movie's frame index)."""
    out = []
    for literal, field, spec, _ in string.Formatter().parse(text):
        out.append(_escape(literal))
        if field is None:
            continue
        if field == "frame":
            width = "".join(ch for ch in (spec or "") if ch.isdigit()).lstrip("0") or "0"
            out.append(
                f"%{{eif:n+{frame_offset}:d:{width}}}"
                if width != "0"
                else f"%{{eif:n+{frame_offset}:d}}"
            )
        else:
            out.append(_escape(_formatted(values.get(field), spec)))
    return "".join(out)


def _formatted(value: object, spec: Optional[str]) -> str:
    if value is None:
        return ""
    try:
        return format(value, spec or "")
    except (ValueError, TypeError):  # e.g. {version:03d} while offline ("next")
        return str(value)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%")


def burnin_filters(burnin: Burnin, scratch: Path, size: Tuple[int, int], first: int) -> List[str]:
    """The filters after the picture's own: a slate frame (``tpad``) and drawtext per text
    (``first``: the source frame number of the first picture frame)."""
    template, mode = burnin.choice.template, burnin.choice.mode
    slate = burnin.slate_frames
    font = find_font(template.font)
    filters: List[str] = []
    if slate:
        filters.append(f"tpad=start={slate}:start_mode=add:color=black")
        filters += _slate_filters(burnin, scratch, size, first, font)
    if mode in ("on", "both"):
        size_px = template.font_size or max(12, size[1] // 30)
        margin = max(4, size_px // 2)
        for index, (position, text) in enumerate(sorted(template.burnin.items())):
            if not _shown(text, burnin.values, first):
                continue  # every field empty (no camera for files): no text, no dark box
            x, y = POSITIONS[position]
            expanded = expand(text, burnin.values, first - slate)
            options = _text_options(
                scratch / f"burnin_{index}.txt",
                expanded,
                font,
                size_px,
                template.color,
                x.format(m=margin),
                y.format(m=margin),
            )
            options += ["box=1", "boxcolor=black@0.5", f"boxborderw={max(2, size_px // 5)}"]
            if slate:
                options.append(f"enable='gte(n,{slate})'")
            filters.append("drawtext=" + ":".join(options))
    return filters


def _slate_filters(
    burnin: Burnin, scratch: Path, size: Tuple[int, int], first: int, font: Path
) -> List[str]:
    """One drawtext per non-empty slate line, a block centred on the slate frame."""
    template = burnin.choice.template
    lines = [line for line in template.slate if _shown(line, burnin.values, first)]
    longest = max([len(_shown(line, burnin.values, first)) for line in lines] or [1])
    size_px = _fitted(template.slate_font_size or size[1] // 18, size, len(lines), longest)
    step = int(size_px * 1.5)
    top = max(0, (size[1] - step * len(lines)) // 2)
    filters = []
    for index, line in enumerate(lines):
        expanded = expand(line, burnin.values, first)  # n is 0 on the slate: the first frame
        options = _text_options(
            scratch / f"slate_{index}.txt",
            expanded,
            font,
            size_px,
            template.color,
            str(size[0] // 10),
            str(top + index * step),
        )
        options.append("enable='eq(n,0)'")
        filters.append("drawtext=" + ":".join(options))
    return filters


def _shown(line: str, values: Mapping[str, object], first: int) -> str:
    """The slate line as shown; '' when it has fields and all of them are empty (left out)."""
    shown = dict(values, frame=first)
    parsed = list(string.Formatter().parse(line))
    fields = [_formatted(shown.get(f), spec) for _, f, spec, _ in parsed if f is not None]
    if fields and not any(fields):
        return ""
    return "".join(
        literal + ("" if field is None else _formatted(shown.get(field), spec))
        for literal, field, spec, _ in parsed
    ).strip()


def _fitted(wanted: int, size: Tuple[int, int], lines: int, longest: int) -> int:
    """A slate font size that keeps ``lines`` lines of ``longest`` characters inside the frame
    (the shipped font is monospaced: a character is 0.6 em wide; a line is 1.5 em high)."""
    by_height = size[1] * 0.9 / (1.5 * max(1, lines))
    by_width = size[0] * 0.8 / (0.6 * max(1, longest))
    return max(6, int(min(wanted, by_height, by_width)))


def _text_options(
    text_file: Path, text: str, font: Path, size_px: int, color: str, x: str, y: str
) -> List[str]:
    text_file.write_text(text, encoding="utf-8")
    return [
        f"fontfile={_quote_path(font)}",
        f"textfile={_quote_path(text_file)}",
        "expansion=normal",
        f"fontsize={size_px}",
        f"fontcolor={color}",
        f"x={x}",
        f"y={y}",
    ]


def find_font(explicit: Optional[str] = None) -> Path:
    """The burn-in font: ``explicit`` (a .ttf/.otf path), else the shipped DejaVu Sans Mono."""
    path = Path(explicit) if explicit else FONT
    if not path.is_file():
        raise MediaError(
            f"The burn-in font {path} does not exist.", hint="give the path of a .ttf or .otf file"
        )
    return path


def _quote_path(path: Path) -> str:
    """A path as a quoted filtergraph option value (Windows drive colons escaped)."""
    text = path.resolve().as_posix().replace("'", "'\\''").replace(":", "\\:")
    return f"'{text}'"
