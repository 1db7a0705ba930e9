"""How a review session keeps the editor's cut it was made from, in ftrack's own entities: the
wire format the client writes (``ft-dcc review create --from-cut``) and the server's review page
reads ("Play cut").

``ReviewSessionObject`` has no metadata, so the cut lives in the session's ``EntitySetting`` rows
of group :data:`GROUP`: one per item (``name`` the object's id, ``value`` JSON with ``event`` and
the :data:`TIMING_KEYS`, SMPTE timecodes at the cut's rate, outs exclusive) and the session's own
(``name`` :data:`SESSION_ROW`: the cut's name, file, revision and rate). Timecodes are non-drop:
frame N at R fps is timecode N (frame 1001 at 24 fps is ``00:00:41:17``).
"""

from __future__ import annotations

import re
from typing import Optional

GROUP = "cut"
SESSION_ROW = "cut"
TIMING_KEYS = ("source_in", "source_out", "record_in", "record_out")
_TIMECODE = re.compile(r"^\s*(\d+)[:;](\d+)[:;](\d+)[:;](\d+)\s*$")


def timecode(frame: int, rate: float) -> str:
    """SMPTE non-drop timecode of ``frame`` at ``rate`` (frame 1001 at 24 fps: 00:00:41:17)."""
    fps = round(rate)
    frames, seconds = frame % fps, frame // fps
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{frames:02d}"


def frame_of(text: str, rate: float) -> Optional[int]:
    """The frame a SMPTE non-drop timecode names at ``rate`` (``;`` drop-frame read as ``:``);
    None when ``text`` is no timecode."""
    match = _TIMECODE.match(str(text))
    if match is None:
        return None
    hours, minutes, seconds, frames = (int(part) for part in match.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * round(rate) + frames
