"""How a review session keeps the cut it was made from, in ftrack's own entities: the wire
format of :mod:`ft_dcc.protocol.cut_timing` (shared with the server's review page), and
:func:`~ft_dcc.cut.timing.frames_of`, which refuses a timecode it cannot read with a
:class:`CutError`.
"""

from __future__ import annotations

from ft_dcc.cut.timing import frames_of
from ft_dcc.protocol.cut_timing import GROUP, SESSION_ROW, TIMING_KEYS, timecode

__all__ = ["GROUP", "SESSION_ROW", "TIMING_KEYS", "frames_of", "timecode"]
