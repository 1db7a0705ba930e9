"""Encode while capturing: for a host that hands each frame over as soon as it is written
(``Host.streams_frames``), the review movie is encoded during the capture by a
:class:`~ft_dcc.media.stream.StreamEncoder` and only finished and verified after it.

Frames that still need a colour transform, burn-ins or a slate go the serial way
(``encode_review``).
``FT_DCC_STREAM_ENCODE=0`` turns streaming off (capture, then encode), e.g. to compare.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ft_dcc.media.audio import AudioInput
from ft_dcc.progress import scaled
from ft_dcc.publish.shared.state import ReviewScope

if TYPE_CHECKING:
    from ft_dcc.media.stream import StreamEncoder

#: set to 0 to capture first and encode after, even where the host could stream
ENV_STREAM = "FT_DCC_STREAM_ENCODE"


def stream_encoder(state: ReviewScope, output: Path) -> Optional[StreamEncoder]:
    """A started encoder for ``output`` when this publish can encode while capturing."""
    item = state.item
    if not state.host.streams_frames or item.colour is not None or item.burnin is not None:
        return None  # colour transforms, burn-ins and slates are drawn by the serial encode
    if item.still:
        return None  # one picture: no movie
    if os.environ.get(ENV_STREAM, "1").strip() == "0":
        return None
    from ft_dcc.media.stream import StreamEncoder

    spec = state.capture_spec()
    size = (spec.width, spec.height)
    quality = state.item.rules.quality
    return StreamEncoder(output, spec.fps, spec.frame_count, size=size, crf=quality).start()


def finish_stream(state: ReviewScope, encoder: StreamEncoder, audio: Optional[AudioInput]) -> Path:
    """Finish the streamed encode (its sound added) and record it as the review movie."""
    movie = encoder.finish(audio, progress=scaled(state.progress, "encode", 0, 1))
    state.item.review_movie = movie
    return movie
