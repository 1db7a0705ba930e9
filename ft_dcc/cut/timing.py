"""A cut's timecodes read strictly (:func:`frames_of` refuses what it cannot read with a
:class:`CutError`), and OpenTimelineIO, imported only when a timeline is read or written (an
optional package: ``pip install 'ft-dcc[review]'``), so the core imports without it."""

from __future__ import annotations

from types import ModuleType

from ft_dcc.exceptions import ConfigurationError, CutError
from ft_dcc.protocol.cut_timing import frame_of


def frames_of(text: str, rate: float) -> int:
    """The frame a SMPTE non-drop timecode names at ``rate`` (``;`` drop-frame read as ``:``)."""
    frame = frame_of(text, rate)
    if frame is None:
        raise CutError(f"{text!r} is not a timecode (HH:MM:SS:FF)")
    return frame


def load_otio() -> ModuleType:
    """The ``opentimelineio`` module, or one clear line saying what to install (OTIO ships no
    type information: its members are untyped to mypy)."""
    try:
        import opentimelineio
    except ImportError:
        raise ConfigurationError(
            "reading or writing a timeline needs OpenTimelineIO, which is not installed",
            hint="pip install 'ft-dcc[review]' (or: pip install opentimelineio)",
        ) from None
    return opentimelineio
