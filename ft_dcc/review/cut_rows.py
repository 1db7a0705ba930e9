"""How a review session keeps the cut it was made from, in ftrack's own entities: the wire
format of :mod:`ft_dcc.protocol.cut_timing` (shared with the server's review page), and
:func:`frames_of`, which refuses a timecode it cannot read with a :class:`CutError`.
"""

from __future__ import annotations

from ft_dcc.exceptions import CutError
from ft_dcc.protocol.cut_timing import GROUP, SESSION_ROW, TIMING_KEYS, frame_of, timecode

__all__ = ["GROUP", "SESSION_ROW", "TIMING_KEYS", "frames_of", "timecode"]


def frames_of(text: str, rate: float) -> int:
    """The frame a SMPTE non-drop timecode names at ``rate`` (``;`` drop-frame read as ``:``)."""
    frame = frame_of(text, rate)
    if frame is None:
        raise CutError(f"{text!r} is not a timecode (HH:MM:SS:FF)")
    return frame
