"""Sound for review movies: an AAC track placed on the picture's time line, cut or padded to it.

A host gives a sound file and the movie time at which its first sample plays
(:class:`AudioInput`); a sound that starts before the movie is cut, one that starts later is
delayed with silence, and the track always ends with the last frame. No sound, no track.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import List

import attr

AAC = ["-c:a", "aac", "-b:a", "192k"]


@attr.s(frozen=True, auto_attribs=True)
class AudioInput:
    """A sound file whose first sample plays at ``start`` seconds of the movie (may be < 0)."""

    path: Path
    start: Fraction = Fraction(0)


def fitted_audio_filter(start: Fraction, duration: Fraction) -> str:
    """An audio filter putting sample 0 at ``start`` seconds, ending at ``duration``."""
    if start > 0:
        placed = f"adelay=delays={float(start) * 1000:.3f}:all=1"
    elif start < 0:
        placed = f"atrim=start={float(-start):.6f},asetpts=PTS-STARTPTS"
    else:
        placed = "anull"
    return f"{placed},apad,atrim=end={float(duration):.6f}"


def audio_arguments(index: int, start: Fraction, duration: Fraction) -> List[str]:
    """Map input ``index``'s first sound stream as AAC placed by :func:`fitted_audio_filter`."""
    return ["-map", f"{index}:a:0", *AAC, "-af", fitted_audio_filter(start, duration)]
