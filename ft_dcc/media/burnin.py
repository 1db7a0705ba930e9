"""Burn-in text (frame number, shot, artist...) drawn into review movies with ffmpeg's drawtext.

A burn-in is a dict of positions to text, plus optional style keys::

    {"top_left": "sh010 anim v003", "bottom_right": "{frame}", "font_size": 24}

Positions: top_left, top_center, top_right, bottom_left, bottom_center, bottom_right.
Tokens: ``{frame}`` (the frame number, padded to 4 digits), ``{first}``, ``{last}``, ``{fps}``.
Style: ``font`` (a .ttf/.otf path), ``font_size`` (pixels), ``color`` (ffmpeg colour).
"""

from __future__ import annotations

import os
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ft_dcc.exceptions import MediaError

POSITIONS = {
    "top_left": ("{m}", "{m}"),
    "top_center": ("(w-text_w)/2", "{m}"),
    "top_right": ("w-text_w-{m}", "{m}"),
    "bottom_left": ("{m}", "h-text_h-{m}"),
    "bottom_center": ("(w-text_w)/2", "h-text_h-{m}"),
    "bottom_right": ("w-text_w-{m}", "h-text_h-{m}"),
}
STYLE_KEYS = {"font", "font_size", "color"}

_FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "/Library/Fonts/Arial.ttf",
    "/System/Library/Fonts/Helvetica.ttc",
]


def find_font(explicit: Optional[str] = None) -> Optional[Path]:
    """A font file for burn-ins: ``explicit``, else a common system font; None if none found."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise MediaError(
                f"The burn-in font {path} does not exist.",
                hint="give the path of a .ttf or .otf file",
            )
        return path
    candidates = list(_FONT_CANDIDATES)
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        candidates = [os.path.join(windir, "Fonts", "arial.ttf"), *candidates]
    return next((Path(c) for c in candidates if Path(c).is_file()), None)


def burnin_filters(
    burnin: Dict[str, Any],
    scratch: Path,
    size: Tuple[int, int],
    first: int,
    last: int,
    fps: Fraction,
) -> List[str]:
    """drawtext filters for ``burnin`` (texts are written to files in ``scratch``)."""
    unknown = set(burnin) - set(POSITIONS) - STYLE_KEYS
    if unknown:
        raise MediaError(
            f"Unknown burn-in keys: {', '.join(sorted(unknown))}.",
            hint=f"use positions {', '.join(POSITIONS)} and style keys {', '.join(STYLE_KEYS)}",
        )
    font = find_font(burnin.get("font"))
    font_size = int(burnin.get("font_size") or max(12, size[1] // 30))
    color = str(burnin.get("color") or "white")
    margin = max(4, font_size // 2)
    filters = []
    for index, (position, (x, y)) in enumerate(POSITIONS.items()):
        text = burnin.get(position)
        if not text:
            continue
        text_file = scratch / f"burnin_{index}.txt"
        text_file.write_text(_expand(str(text), first, last, fps), encoding="utf-8")
        options = [
            f"textfile={_quote_path(text_file)}",
            "expansion=normal",
            f"fontsize={font_size}",
            f"fontcolor={color}",
            "box=1",
            "boxcolor=black@0.5",
            f"boxborderw={max(2, font_size // 5)}",
            "x=" + x.format(m=margin),
            "y=" + y.format(m=margin),
        ]
        if font is not None:
            options.insert(0, f"fontfile={_quote_path(font)}")
        filters.append("drawtext=" + ":".join(options))
    return filters


def _expand(text: str, first: int, last: int, fps: Fraction) -> str:
    """Escape drawtext's expansion characters, then put the tokens in."""
    text = text.replace("\\", "\\\\").replace("%", "\\%")
    rate = str(fps.numerator) if fps.denominator == 1 else f"{float(fps):.3f}"
    return (
        text.replace("{frame}", f"%{{eif:n+{first}:d:4}}")
        .replace("{first}", str(first))
        .replace("{last}", str(last))
        .replace("{fps}", rate)
    )


def _quote_path(path: Path) -> str:
    """A path as a quoted filtergraph option value (Windows drive colons escaped)."""
    text = path.resolve().as_posix().replace("'", "'\\''").replace(":", "\\:")
    return f"'{text}'"
