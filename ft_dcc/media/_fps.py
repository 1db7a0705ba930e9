"""Frame rates as exact rationals (media must not import ft_dcc.publish, so this lives here)."""

from __future__ import annotations

from fractions import Fraction
from typing import Union

#: a frame rate as given: 25, 23.976, "24000/1001" or an exact Fraction
Fps = Union[Fraction, float, str]


def as_fraction(value: Fps) -> Fraction:
    """An fps as an exact rational: 23.976 becomes 24000/1001, "30000/1001" stays itself."""
    if isinstance(value, Fraction):
        fps = value
    elif isinstance(value, str) and "/" in value:
        num, den = value.split("/", 1)
        if int(den) == 0:
            raise ValueError(f"fps must be positive, got {value!r}")
        fps = Fraction(int(num), int(den))
    else:
        number = float(value)
        fps = Fraction(number).limit_denominator(1001)
        for base in (24, 30, 48, 60, 120):
            ntsc = Fraction(base * 1000, 1001)
            if abs(number - float(ntsc)) < 0.0015:
                fps = ntsc
                break
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {value!r}")
    return fps


def fps_arg(fps: Fraction) -> str:
    """ffmpeg's spelling of an exact rate: ``24000/1001`` or ``25``."""
    return str(fps.numerator) if fps.denominator == 1 else f"{fps.numerator}/{fps.denominator}"
