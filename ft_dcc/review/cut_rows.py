"""How a review session keeps the cut it was made from, in ftrack's own entities.

``ReviewSessionObject`` has no metadata, so the cut lives in the session's ``EntitySetting`` rows
of group :data:`GROUP`: one per item (``name`` the object's id, ``value`` JSON with ``event`` and
the :data:`TIMING_KEYS`, SMPTE timecodes at the cut's rate, outs exclusive) and the session's own
(``name`` :data:`SESSION_ROW`: the cut's name, file, revision and rate). Timecodes are non-drop:
frame N at R fps is timecode N (frame 1001 at 24 fps is ``00:00:41:17``).
"""

from __future__ import annotations

import re

from ft_dcc.exceptions import CutError

GROUP = "cut"
SESSION_ROW = "cut"
TIMING_KEYS = ("source_in", "source_out", "record_in", "record_out")


def timecode(frame: int, rate: float) -> str:
    """SMPTE non-drop timecode of ``frame`` at ``rate`` (frame 1001 at 24 fps: 00:00:41:17)."""
    fps = round(rate)
    frames, seconds = frame % fps, frame // fps
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{frames:02d}"


def frames_of(text: str, rate: float) -> int:
    """The frame a SMPTE non-drop timecode names at ``rate`` (``;`` drop-frame read as ``:``)."""
    parts = re.split(r"[:;]", text.strip())
    if len(parts) != 4 or not all(part.isdigit() for part in parts):
        raise CutError(f"{text!r} is not a timecode (HH:MM:SS:FF)")
    hours, minutes, seconds, frames = (int(part) for part in parts)
    return ((hours * 60 + minutes) * 60 + seconds) * round(rate) + frames
