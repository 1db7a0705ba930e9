"""A picture of a host dialog the fakes hold (Maya's ``layoutDialog``, a Nuke panel): what its
controls say, drawn as the dialog lays them out (a title, then a line per control; a checkbox
as a box, ticked or not), so a person can look at what the artist is shown. The fakes have no
window to grab: this draws their recorded controls, nothing more."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

from PIL import Image, ImageDraw

#: one control: ("check", label, ticked) | ("text", label, False) | ("button", label, False)
Control = Tuple[str, str, bool]
LINE = 22


def draw_controls(path: Path, title: str, controls: List[Control], width: int = 640) -> Path:
    """Draw ``controls`` under ``title`` into the PNG ``path``."""
    height = LINE * (len(controls) + 2) + 16
    image = Image.new("RGB", (width, height), (68, 68, 68))
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, width, LINE + 4), fill=(43, 43, 43))
    pen.text((10, 6), title, fill=(230, 230, 230))
    y = LINE + 14
    for kind, label, ticked in controls:
        if kind == "check":
            pen.rectangle((10, y + 2, 22, y + 14), outline=(200, 200, 200), fill=(40, 40, 40))
            if ticked:
                pen.line((12, y + 8, 15, y + 12, 21, y + 3), fill=(120, 200, 255), width=2)
            pen.text((30, y + 2), label, fill=(220, 220, 220))
        elif kind == "button":
            box = pen.textbbox((0, 0), label)
            pen.rectangle((10, y, 26 + box[2], y + 17), fill=(93, 93, 93), outline=(120, 120, 120))
            pen.text((18, y + 3), label, fill=(235, 235, 235))
        else:
            pen.text((10, y + 2), label, fill=(200, 200, 200))
        y += LINE
    image.save(path)
    return path
