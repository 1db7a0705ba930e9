"""Media: H.264 review encodes, thumbnails and movie verification with ffmpeg.

Public API (importing this package is cheap; ffmpeg is only looked up when first needed)::

    from ft_dcc.media import encode_review, make_thumbnail, probe_movie, verify_review_movie
"""

from __future__ import annotations

from ft_dcc.media.encode import encode_review
from ft_dcc.media.ffmpeg import ffmpeg_executable
from ft_dcc.media.probe import MovieInfo, probe_movie, review_metadata, verify_review_movie
from ft_dcc.media.sequence import FrameSequence, is_movie
from ft_dcc.media.thumbnail import make_thumbnail

__all__ = [
    "FrameSequence",
    "MovieInfo",
    "encode_review",
    "ffmpeg_executable",
    "is_movie",
    "make_thumbnail",
    "probe_movie",
    "review_metadata",
    "verify_review_movie",
]
