"""Image sequences on disk: ``shot.%04d.png``, ``shot.####.png`` or any one of their frames."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import attr

from ft_dcc.exceptions import MediaError

MOVIE_EXTENSIONS = frozenset(
    {".mov", ".mp4", ".m4v", ".mkv", ".avi", ".webm", ".mxf", ".mpg", ".mpeg", ".wmv", ".flv",
     ".ts", ".m2ts", ".ogv", ".3gp", ".nut", ".y4m"}
)  # fmt: skip

IMAGE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".exr", ".tif", ".tiff", ".dpx", ".tga", ".bmp", ".webp", ".hdr",
     ".sgi", ".rgb", ".jp2", ".psd"}
)  # fmt: skip

_PRINTF = re.compile(r"%(0?)(\d*)d")
_HASHES = re.compile(r"#+|@+")
_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)(\D*)$")


def is_movie(path: Union[str, Path]) -> bool:
    """True when ``path`` names a movie container (by extension), not a still image."""
    return Path(path).suffix.lower() in MOVIE_EXTENSIONS


def is_image(path: Union[str, Path]) -> bool:
    """True when ``path`` names a still image, a frame of a sequence or a sequence pattern."""
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


def is_still_image(path: Union[str, Path]) -> bool:
    """True when ``path`` is one existing image with no frame number in its name (a still: a
    concept painting, a lookdev frame), not a frame of a sequence nor a pattern."""
    path = Path(path)
    name = path.name
    if not is_image(path) or _PRINTF.search(name) or _HASHES.search(name):
        return False
    return path.is_file() and frame_number(path) is None


@attr.s(frozen=True, auto_attribs=True)
class FrameSequence:
    """Numbered frame files ``directory/head<frame padded to padding>tail``, with gaps allowed."""

    directory: Path = attr.ib(converter=Path)
    head: str
    padding: int
    tail: str
    frames: List[int] = attr.ib(converter=lambda values: sorted(set(values)))

    @property
    def first(self) -> int:
        return self.frames[0]

    @property
    def last(self) -> int:
        return self.frames[-1]

    @property
    def pattern(self) -> str:
        """The full path in printf form, e.g. ``/renders/shot.%04d.png``."""
        number = f"%0{self.padding}d" if self.padding > 1 else "%d"
        return str(self.directory / f"{self.head}{number}{self.tail}")

    @property
    def hash_pattern(self) -> str:
        """The full path in hash form, e.g. ``/renders/shot.####.png``."""
        return str(self.directory / f"{self.head}{'#' * max(self.padding, 1)}{self.tail}")

    def path_for(self, frame: int) -> Path:
        """The file name frame ``frame`` has (or would have) in this sequence."""
        return self.directory / f"{self.head}{frame:0{self.padding}d}{self.tail}"

    def files(self) -> List[Path]:
        """The existing frame files, in frame order."""
        return [self.path_for(frame) for frame in self.frames]

    def missing_frames(self) -> List[int]:
        """Frames between :attr:`first` and :attr:`last` with no file."""
        present = set(self.frames)
        return [f for f in range(self.first, self.last + 1) if f not in present]

    def files_for_range(self, start: int, end: int) -> Tuple[List[Path], List[int]]:
        """One file per frame of ``start..end``, holding the nearest earlier frame over gaps.

        Frames before the first existing one hold that first frame. Returns the files and the
        frames that had to be held (missing on disk).
        """
        in_range = [f for f in self.frames if start <= f <= end]
        if not in_range:
            raise MediaError(
                f"No frame of {start}-{end} exists in {self.hash_pattern} "
                f"(frames on disk: {self.first}-{self.last}).",
                hint="render the frames first, or publish the range that exists",
            )
        present = set(in_range)
        files: List[Path] = []
        held: List[int] = []
        current = in_range[0]
        for frame in range(start, end + 1):
            if frame in present:
                current = frame
            else:
                held.append(frame)
            files.append(self.path_for(current))
        return files, held

    def __str__(self) -> str:
        text = f"{self.hash_pattern} [{self.first}-{self.last}]"
        missing = self.missing_frames()
        if missing:
            text += f" missing {describe_frames(missing)}"
        return text

    @classmethod
    def from_path(cls, path: Union[str, Path]) -> FrameSequence:
        """The sequence named by ``shot.%04d.png``, ``shot.####.png`` or one existing frame file.

        Raises :class:`MediaError` when no frame of the sequence exists.
        """
        path = Path(path)
        directory, name = path.parent, path.name
        head, padding, tail = _split_name(name, path)
        matches = _scan(directory, head, tail)
        if padding is None:
            # Given one frame: infer the padding from what is on disk.
            padded = [digits for digits in matches if len(digits) > 1 and digits[0] == "0"]
            padding = len(padded[0]) if padded else min(len(d) for d in matches) if matches else 1
        frames = [int(digits) for digits in matches if _fits(digits, padding)]
        if not frames:
            shown = directory / f"{head}{'#' * max(padding, 1)}{tail}"
            where = "its folder does not exist" if not directory.is_dir() else "no file matches"
            raise MediaError(
                f"No frames found for the image sequence {shown} ({where}).",
                hint="check the path; give a pattern like shot.%04d.png, shot.####.png "
                "or the path of one existing frame",
            )
        return cls(directory, head, padding, tail, frames)


def describe_frames(frames: List[int]) -> str:
    """Compact text for a frame list: ``[3, 4, 5, 9]`` becomes ``3-5, 9``."""
    parts: List[str] = []
    for frame in sorted(frames):
        if parts and frame == _last_end(parts) + 1:
            start = parts[-1].split("-")[0]
            parts[-1] = f"{start}-{frame}"
        else:
            parts.append(str(frame))
    return ", ".join(parts)


def _last_end(parts: List[str]) -> int:
    return int(parts[-1].split("-")[-1])


def frame_number(path: Union[str, Path]) -> Optional[int]:
    """The frame number in a frame file's name (its last group of digits), or None."""
    match = _TRAILING_NUMBER.match(Path(path).name)
    return int(match.group(2)) if match else None


def _split_name(name: str, path: Path) -> Tuple[str, Optional[int], str]:
    """(head, padding or None when inferred from disk, tail) of a pattern or frame name."""
    printf = list(_PRINTF.finditer(name))
    if printf:
        token = printf[-1]
        padding = int(token.group(2)) if token.group(2) else 1
        return name[: token.start()], padding, name[token.end() :]
    hashes = list(_HASHES.finditer(name))
    if hashes:
        token = hashes[-1]
        return name[: token.start()], len(token.group(0)), name[token.end() :]
    match = _TRAILING_NUMBER.match(name)
    if not match:
        if path.is_file():
            raise MediaError(
                f"{path} has no frame number in its name, so it is not part of a sequence.",
                hint="give a pattern like shot.%04d.png or a numbered frame like shot.1001.png",
            )
        raise MediaError(
            f"{path} does not exist and is not a sequence pattern.",
            hint="give a pattern like shot.%04d.png, shot.####.png or an existing frame file",
        )
    if not path.is_file():
        raise MediaError(
            f"The frame {path} does not exist.",
            hint="give the path of an existing frame, or a pattern like shot.%04d.png",
        )
    return match.group(1), None, match.group(3)


def _scan(directory: Path, head: str, tail: str) -> List[str]:
    """Digit strings of the files named ``head<digits>tail`` in ``directory``."""
    if not directory.is_dir():
        return []
    regex = re.compile(re.escape(head) + r"(\d+)" + re.escape(tail) + r"\Z")
    found: Dict[str, str] = {}
    with os.scandir(directory) as entries:
        for entry in entries:
            match = regex.match(entry.name)
            if match and entry.is_file():
                found[entry.name] = match.group(1)
    return list(found.values())


def _fits(digits: str, padding: int) -> bool:
    """True when ``digits`` is how ``%0<padding>d`` writes its number."""
    return f"{int(digits):0{padding}d}" == digits
