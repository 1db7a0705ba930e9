"""An image's size: a PNG's from its header (no ffmpeg started: every publish of PNG frames,
every farm scene, asks it), the same numbers ffmpeg reads; any other image through ffmpeg, and
what is not an image refused as before."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, List

import pytest
from support import make_sequence

from ft_dcc.exceptions import MediaError
from ft_dcc.media import probe, still
from ft_dcc.media.ffmpeg import ffmpeg_executable


def _ffmpeg_says(path: Path) -> str:
    done = subprocess.run([ffmpeg_executable(), "-hide_banner", "-nostdin", "-i", str(path)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    return done.stderr


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> List[Any]:
    """The commands run from here on (each still run); a test clears it once its media are made."""
    ran: List[Any] = []
    real = subprocess.run

    def recording(command: Any, *args: Any, **kwargs: Any) -> Any:
        ran.append(command)
        return real(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", recording)
    probe._image_size.cache_clear()
    return ran


@pytest.mark.parametrize("size", ["320x240", "96x30"])
def test_a_pngs_size_comes_from_its_header_without_ffmpeg(
    tmp_path: Path, started: List[Any], size: str
) -> None:
    frame = Path(str(make_sequence(tmp_path, frames=1, start=1, size=size)) % 1)
    width, height = (int(v) for v in size.split("x"))
    started.clear()
    assert probe.image_size(frame) == (width, height)
    assert started == []
    assert f", {width}x{height}" in _ffmpeg_says(frame)  # what ffmpeg reads of it: the same


def test_other_images_are_read_by_ffmpeg(tmp_path: Path, started: List[Any]) -> None:
    jpeg = tmp_path / "frame.jpg"
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=64x48", "-frames:v", "1", str(jpeg)], check=True)  # fmt: skip
    started.clear()
    assert probe.image_size(jpeg) == (64, 48)
    assert len(started) == 1


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", b"not an image at all"])
def test_a_png_name_on_what_is_not_one_is_refused_as_before(
    tmp_path: Path, started: List[Any], content: bytes
) -> None:
    fake = tmp_path / "frame.0001.png"
    fake.write_bytes(content)
    started.clear()
    with pytest.raises(MediaError):
        probe.image_size(fake)
    assert len(started) == 1  # ffmpeg's word


@pytest.mark.parametrize(("filters", "pixel_format"), [("", "rgb24"), ("format=rgba,", "rgba")])
def test_the_review_image_just_written_is_read_from_its_header(
    tmp_path: Path, started: List[Any], filters: str, pixel_format: str
) -> None:
    """A still's review PNG (rgb24, or rgba with alpha) is what ffmpeg reads of it: size,
    pixel format and codec come from its header: the source is read by ffmpeg, the encode is
    ffmpeg's (a ``Popen``, not counted here), the review PNG is not read again."""
    source = tmp_path / "still.png"
    subprocess.run([ffmpeg_executable(), "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=96x30", "-frames:v", "1", "-vf", f"{filters}null",
                    str(source)], check=True)  # fmt: skip
    source_info = still.still_info(source)
    started.clear()
    written = still.encode_review_image(source, tmp_path / "review.png")
    assert len(started) == 1 and "still.png" in started[0][-1]  # the source's reading
    assert (
        written
        == still.still_info(tmp_path / "review.png")
        == still.StillInfo(96, 30, pixel_format, "png")
    )
    assert source_info.pixel_format == pixel_format
