"""The extract steps: capture through the host, encode + verify the review, make the thumbnail."""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from ft_dcc.exceptions import CaptureError, FtDccError
from ft_dcc.media.audio import AudioInput
from ft_dcc.media.burnin import Burnin
from ft_dcc.progress import scaled
from ft_dcc.publish.extract.streaming import finish_stream, stream_encoder
from ft_dcc.publish.host_port import CaptureResult
from ft_dcc.publish.shared.state import ReviewScope

if TYPE_CHECKING:
    from ft_dcc.media.stream import StreamEncoder

log = logging.getLogger(__name__)


def _work_dir(state: ReviewScope) -> Path:
    path = state.work_folder()
    path.mkdir(parents=True, exist_ok=True)
    return path


def capture(state: ReviewScope) -> CaptureResult:
    """Run the host's capture into ``<work>/capture``; CaptureError when nothing came out.
    A host that hands frames over as it writes them is encoded meanwhile (``streaming.py``)."""
    out_dir = _work_dir(state) / "capture"
    out_dir.mkdir(parents=True, exist_ok=True)
    state.progress("capture", 0.0, "capturing")
    encoder = stream_encoder(state, _review_path(state))
    try:
        result = _captured(state, out_dir, encoder)
    except BaseException:
        if encoder is not None:
            encoder.abort()
        raise
    state.item.capture = result
    state.progress("capture", 1.0, f"captured {len(result.files)} file(s)")
    if encoder is not None:
        finish_stream(state, encoder, _audio(result, state))
    return result


def _captured(state: ReviewScope, out_dir: Path, encoder: Optional[StreamEncoder]) -> CaptureResult:
    spec = state.capture_spec()
    try:
        if encoder is None:
            result = state.host.capture(spec, out_dir, state.progress)
        else:
            result = state.host.capture_streaming(spec, out_dir, encoder.add, state.progress)
    except FtDccError:
        raise
    except Exception as exc:
        raise CaptureError(
            f"{state.host.name or 'the host'} could not capture the playblast: {exc}",
            hint="check the camera and frame range; see the log for the host's own error",
        ) from exc
    missing = [f for f in result.files if not Path(f).is_file()]
    if not result.files or missing:
        raise CaptureError(
            "the capture produced no frames"
            if not result.files
            else f"{len(missing)} captured file(s) are missing, e.g. {missing[0]}",
            hint="check that the output folder is writable and the host can render the view",
        )
    return result


def _review_path(state: ReviewScope) -> Path:
    return _work_dir(state) / f"{state.item.asset_name}_review.mp4"


def encode_and_verify(state: ReviewScope) -> Path:
    """Encode the capture to ``<work>/<asset>_review.mp4`` and verify it; set ``ftr_meta``."""
    from ft_dcc.media.colour import ColourTransform
    from ft_dcc.media.encode import encode_review
    from ft_dcc.media.probe import review_metadata, verify_review_movie

    spec = state.capture_spec()
    result = state.capture_result()
    output = _review_path(state)
    frames: Any = result.files[0] if result.is_movie else list(result.files)
    item = state.item
    if item.review_movie is None:  # else encoded while capturing
        encode_review(
            frames,
            output,
            spec.fps,
            first_frame=result.first_frame,
            size=(spec.width, spec.height),
            colour=ColourTransform(item.colour) if item.colour is not None else None,
            audio=_audio(result, state),
            sound=state.item.rules.sound,
            crf=state.item.rules.quality,
            burnin=_burnin(state),
            progress=scaled(state.progress, "encode", 0.0, 1.0),
        )
    state.progress("verify", 0.0, "checking the movie")
    frame_count = spec.frame_count + item.slate_frames()  # a slate is one frame more
    info = verify_review_movie(output, frame_count=frame_count, fps=spec.fps)
    item.movie_info = info
    item.ftr_meta = dict(review_metadata(info, 0))  # the movie's own frames; the source range
    # is kept in the capture metadata (ft_dcc_capture)
    item.review_movie = output
    state.progress("verify", 1.0, "movie verified")
    return output


def _burnin(state: ReviewScope) -> Optional[Burnin]:
    """What to draw (the validated choice with this publish's field values), or None."""
    item = state.item
    if item.burnin is None:
        return None
    from ft_dcc.publish.extract.burnin_values import burnin_values

    item.burnin_values = burnin_values(state)
    return Burnin(item.burnin, item.burnin_values)


def _audio(result: CaptureResult, state: ReviewScope) -> Optional[AudioInput]:
    """The captured sound placed on the review's time line (its first frame is time 0); None
    without one or when the settings want a silent review (``encode.sound``)."""
    if result.audio is None or not state.item.rules.sound:
        return None
    fps = state.capture_spec().fps
    start = result.audio_start_frame
    offset = 0 if start is None else start - result.first_frame
    return AudioInput(Path(result.audio), Fraction(offset) / fps)


def thumbnail(state: ReviewScope) -> Path:
    """A JPEG from the review movie, ``<work>/thumbnail.jpg``."""
    from ft_dcc.media.thumbnail import make_thumbnail

    state.progress("thumbnail", 0.0, "making the thumbnail")
    item = state.item
    frame = item.thumbnail_frame
    # the movie's frame index: a slate before the first frame shifts it
    index = None if frame is None else frame - state.capture_spec().frame_start
    index = None if index is None else index + item.slate_frames()
    path = make_thumbnail(
        state.review_movie_path(),
        _work_dir(state) / "thumbnail.jpg",
        frame=index,
        info=item.movie_info,  # probed when the movie was verified
    )
    item.thumbnail = Path(path)
    state.progress("thumbnail", 1.0, "thumbnail made")
    return item.thumbnail
