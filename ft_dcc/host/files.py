"""The files host: publish an existing image sequence or movie (a comp render, an edit), or
one still image (concept art, a lookdev frame, a matte painting).

No DCC is involved: the "scene" is the input itself, always saved. Frame range, fps and
resolution are read from the files (fps from a movie, or given, 24 for images by default).
It is a real host for the command line and the honest test double for the pipeline.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from typing import Any, List, Optional, Tuple, Union

import attr

from ft_dcc.exceptions import CaptureError, MediaError
from ft_dcc.media._fps import as_fraction
from ft_dcc.media.colour import ColourSettings
from ft_dcc.media.ffmpeg import run_ffmpeg
from ft_dcc.media.probe import MovieInfo, image_size, probe_movie
from ft_dcc.media.sequence import (
    FrameSequence,
    describe_frames,
    frame_number,
    is_image,
    is_movie,
    is_still_image,
)
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec, Host

log = logging.getLogger(__name__)

DEFAULT_IMAGE_FPS = Fraction(24)


def _refuse_folder(path: Path) -> None:
    """A folder is not a movie or a sequence: say so (an empty one is "empty")."""
    if not path.is_dir():
        return
    if not any(path.iterdir()):
        raise CaptureError(
            f"Cannot publish {path}: it is an empty folder.",
            hint="render or copy the frames into it first, then publish one of them or a "
            "pattern like shot.%04d.png",
        )
    raise CaptureError(
        f"Cannot publish {path}: it is a folder.",
        hint=f"give a movie or a sequence in it: a pattern like {path / 'shot.%04d.png'} or "
        "the path of one frame",
    )


class FilesHost(Host):
    """A movie or an image sequence on disk, seen as a host.

    ``input_path`` is a movie, a sequence pattern (``shot.%04d.exr``, ``shot.####.exr``) or any
    one frame of a sequence. ``fps`` overrides the rate (default: the movie's, or 24 for
    images; a publish gives images with no ``fps`` the shot's rate from ftrack: see
    :meth:`rate_source`). ``frame_range`` (start, end) overrides the range: for a sequence it
    picks frames by number (frames missing at either end hold the nearest existing one); a
    movie's frames are numbered 1..frame_count (or from the shot's start, see
    :meth:`number_frames_from`) and the range picks a part of them.

    Colour: EXR frames are scene-linear and go through ``colour`` (an OCIO config, input
    colourspace, display and view; None fields are the config's defaults); other inputs are
    display-referred and left alone unless ``colour.input_colorspace`` says what they are.
    Sound: ``audio`` (any file ffmpeg reads) starts ``audio_offset`` frames after the input's
    first frame (negative: its start is cut) and replaces a movie's own sound.

    A still: an image with no frame number in its name, or any one image with ``still`` True
    (a numbered image is then a still whatever its number): one frame, the image itself.
    """

    name = "files"
    uses_cameras = False
    renders_range = False

    def __init__(
        self,
        input_path: Union[str, Path],
        fps: Any = None,
        frame_range: Optional[Tuple[int, int]] = None,
        *,
        colour: Optional[ColourSettings] = None,
        audio: Union[str, Path, None] = None,
        audio_offset: int = 0,
        still: bool = False,
    ) -> None:
        self.input_path = Path(input_path)
        self._still = _still(self.input_path, still)
        self._colour = colour
        self._audio = _checked_audio(audio)
        self._audio_offset = int(audio_offset)
        self._movie: Optional[MovieInfo] = None
        self._sequence: Optional[FrameSequence] = None
        self._fps_given = fps is not None
        self._range_given = frame_range is not None
        self._movie_offset = 0  # a movie's frame i (1..N) is numbered i + offset
        _refuse_folder(self.input_path)
        try:
            if is_movie(self.input_path):
                self._movie = probe_movie(self.input_path)
            elif not self._still:
                self._sequence = FrameSequence.from_path(self.input_path)
        except MediaError as error:
            raise CaptureError(
                f"Cannot publish {self.input_path}: {error.message}", hint=error.hint
            ) from error
        if fps is not None:
            try:
                self._fps = as_fraction(fps)
            except (ValueError, ZeroDivisionError) as error:
                raise CaptureError(
                    f"Invalid frame rate {fps!r}.",
                    hint="give a rate like 24, 25, 23.976 or 24000/1001",
                ) from error
        elif self._movie is not None:
            self._fps = self._movie.fps
        else:
            self._fps = DEFAULT_IMAGE_FPS
        if self._still and self._audio is not None:
            raise CaptureError(
                f"{self.input_path.name} is a still: it has no sound.",
                hint="publish it without --audio",
            )
        if frame_range is None or self._still:  # a still is its one frame
            self._range = self._default_range()
        else:
            self._range = _checked(frame_range)
        if self._movie is not None and (
            self._range[0] < 1 or self._range[1] > self._movie.frame_count
        ):
            raise CaptureError(
                f"{self.input_path.name} has frames 1-{self._movie.frame_count}; "
                f"the range {self._range[0]}-{self._range[1]} is outside it.",
                hint=f"give a range within 1-{self._movie.frame_count}",
            )
        self._resolution: Optional[Tuple[int, int]] = None
        self._options = {"fps": fps, "frame_range": frame_range, "colour": colour,
                         "audio": audio, "audio_offset": audio_offset, "still": still}  # fmt: skip

    def for_source(self, source: str) -> FilesHost:
        """The files host of another input (``ft-dcc publish A B``), with the same options."""
        return FilesHost(source, **self._options)

    @staticmethod
    def handles(path: Union[str, Path]) -> bool:
        """True when ``path`` is media this host publishes (a movie, an image or a pattern)."""
        return is_movie(path) or is_image(path)

    # -- what the files are ------------------------------------------------------------------
    @property
    def sequence(self) -> Optional[FrameSequence]:
        """The image sequence, or None for a movie."""
        return self._sequence

    @property
    def movie_info(self) -> Optional[MovieInfo]:
        """The probed movie, or None for an image sequence."""
        return self._movie

    def is_still(self) -> bool:
        return self._still

    def _default_range(self) -> Tuple[int, int]:
        if self._still:
            number = frame_number(self.input_path)
            return (1, 1) if number is None else (number, number)
        if self._movie is not None:
            return 1 + self._movie_offset, self._movie.frame_count + self._movie_offset
        assert self._sequence is not None
        return self._sequence.first, self._sequence.last

    # -- Host interface ----------------------------------------------------------------------
    def scene_path(self) -> Optional[Path]:
        return self.input_path

    def has_unsaved_changes(self) -> bool:
        return False

    def save_scene(self) -> Path:
        return self.input_path

    def frame_range(self) -> Tuple[int, int]:
        return self._range

    def fps(self) -> Fraction:
        return self._fps

    def rate_source(self) -> Optional[str]:
        """``--fps`` when given, "the movie" for a movie, None for images (no rate of their own)."""
        if self._fps_given:
            return "--fps"
        return "the movie" if self._movie is not None else None

    def number_frames_from(self, first: int) -> bool:
        """A movie given no range is numbered from ``first`` (a shot's start) instead of 1."""
        if self._movie is None or self._range_given:
            return False
        self._movie_offset = int(first) - 1
        self._range = self._default_range()
        return True

    def resolution(self) -> Tuple[int, int]:
        if self._resolution is None:
            if self._movie is not None:
                self._resolution = (self._movie.width, self._movie.height)
            elif self._still:
                self._resolution = image_size(self.input_path)
            else:
                assert self._sequence is not None
                self._resolution = image_size(self._sequence.files()[0])
        return self._resolution

    def cameras(self) -> List[str]:
        return []

    def review_colour(self) -> Optional[ColourSettings]:
        """EXR input (scene-linear) or a given input colourspace: the OCIO transform to apply."""
        told = self._colour is not None and self._colour.input_colorspace
        if told or self.input_path.suffix.lower() == ".exr":
            return self._colour or ColourSettings()
        if self._colour is not None and self._colour != ColourSettings():
            self.tell(
                f"{self.input_path.name} is display-referred: the colour options are ignored "
                "(give --input-colorspace to convert it through OCIO)",
                level="warning",
            )
        return None

    def current_camera(self) -> Optional[str]:
        return None

    def capture(
        self, spec: CaptureSpec, out_dir: Path, progress: Progress = null_progress
    ) -> CaptureResult:
        """The existing frames of ``spec``'s range (gaps hold the previous frame), or the movie.

        Nothing is copied: the result lists the files in place, one entry per frame (a held
        frame's file appears again). A movie is returned as is when ``spec`` covers all of it,
        and cut losslessly into ``out_dir`` when ``spec`` asks for part of it.
        """
        progress("capture", 0.0, f"reading {self.input_path.name}")
        if self._movie is not None:
            result = self._capture_movie(spec, Path(out_dir), progress)
        elif self._still:
            result = CaptureResult(files=(self.input_path,), first_frame=spec.frame_start)
        else:
            result = self._capture_sequence(spec)
        progress("capture", 1.0, f"{spec.frame_count} frames ready")
        if self._audio is None:
            return result
        first = self._default_range()[0]  # the audio offset counts from the input's first frame
        return attr.evolve(result, audio=self._audio, audio_start_frame=first + self._audio_offset)

    # -- helpers -----------------------------------------------------------------------------
    def _capture_sequence(self, spec: CaptureSpec) -> CaptureResult:
        assert self._sequence is not None
        try:
            files, held = self._sequence.files_for_range(spec.frame_start, spec.frame_end)
        except MediaError as error:
            raise CaptureError(error.message, hint=error.hint) from error
        if held:
            self.tell(
                f"Frames {describe_frames(held)} of {self._sequence.hash_pattern} are missing; "
                "the review holds the previous frame over each gap.",
                level="warning",
            )
        return CaptureResult(files=tuple(files), first_frame=spec.frame_start)

    def _capture_movie(self, spec: CaptureSpec, out_dir: Path, progress: Progress) -> CaptureResult:
        assert self._movie is not None
        start, end = self._default_range()
        if spec.frame_start < start or spec.frame_end > end:
            raise CaptureError(
                f"{self.input_path.name} holds frames {start}-{end}; "
                f"{spec.frame_start}-{spec.frame_end} is outside it.",
                hint=f"publish a range within {start}-{end}",
            )
        if (spec.frame_start, spec.frame_end) == (start, end):
            return CaptureResult(files=(self.input_path,), first_frame=start, is_movie=True)
        first_index = spec.frame_start - start
        last_index = spec.frame_end - start
        out_dir.mkdir(parents=True, exist_ok=True)
        # NUT keeps the exact time base; FFV1 and PCM are lossless, so nothing is lost twice.
        cut = out_dir / f"{self.input_path.stem}.{spec.frame_start}-{spec.frame_end}.nut"
        video = f"trim=start_frame={first_index}:end_frame={last_index + 1},setpts=PTS-STARTPTS"
        args = ["-i", str(self.input_path), "-map", "0:v:0", "-vf", video, "-c:v", "ffv1"]
        if self._movie.has_audio:
            start_s = first_index / self._movie.fps
            end_s = (last_index + 1) / self._movie.fps
            args += ["-map", "0:a:0", "-c:a", "pcm_s16le",
                     "-af", f"atrim=start={float(start_s):.6f}:end={float(end_s):.6f},"
                     "asetpts=PTS-STARTPTS"]  # fmt: skip
        try:
            run_ffmpeg(
                [*args, str(cut)],
                what=f"Cutting frames {spec.frame_start}-{spec.frame_end} of "
                f"{self.input_path.name}",
                total_frames=spec.frame_count,
                progress=lambda fraction, message: progress("capture", fraction, message),
            )
        except MediaError as error:
            raise CaptureError(error.message, hint=error.hint) from error
        return CaptureResult(files=(cut,), first_frame=spec.frame_start, is_movie=True)


def _still(path: Path, asked: bool) -> bool:
    """Whether ``path`` is published as a still: an image with no frame number, or any one
    existing image when ``asked`` (``--still``); a movie or a pattern never is."""
    if not asked:
        return is_still_image(path)
    if not is_image(path) or not path.is_file():
        raise CaptureError(
            f"--still publishes one image; {path} is "
            + ("not an image" if path.is_file() or is_movie(path) else "not an existing file"),
            hint="give the path of one PNG, JPEG, TIFF, EXR or PSD file",
        )
    return True


def _checked_audio(audio: Union[str, Path, None]) -> Optional[Path]:
    if audio is None:
        return None
    path = Path(audio)
    if not path.is_file():
        raise CaptureError(f"The sound file {path} does not exist.", hint="check the --audio path")
    return path


def _checked(frame_range: Tuple[int, int]) -> Tuple[int, int]:
    start, end = (int(value) for value in frame_range)
    if end < start:
        raise CaptureError(
            f"The frame range {start}-{end} ends before it starts.",
            hint="give START-END with START <= END",
        )
    return start, end
