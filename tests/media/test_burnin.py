"""Burn-ins and the slate in encoded frames, decoded and compared, OCR-free.

The text a template's fields expand to is checked against the same text written literally
(rendered with the same shipped font, position and box): the decoded burn-in region of every
frame is nearest to the literal rendering of *its own* frame number and far from its
neighbours'. The slate is one added black frame with text; the picture frames after it are the
plain encode's frames.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import numpy
import pytest
from media_helpers import decode_rgb, make_frames

from ft_dcc.exceptions import MediaError
from ft_dcc.media.burnin import FIELDS, Burnin, BurninChoice, load_template, resolve_burnin
from ft_dcc.media.encode import encode_review
from ft_dcc.media.probe import probe_movie

SIZE = (320, 180)
FIRST, COUNT = 1001, 4
VALUES = {"shot": "sh010", "version": 4, "project": "Proj", "task": "anim"}
BOTTOM_RIGHT = (slice(160, 180), slice(270, 320))  # rows, columns of the frame counter


def _template(tmp_path: Path, name: str, **data: Any) -> BurninChoice:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    mode = data.pop("mode", "on")
    return BurninChoice(mode, load_template(str(path)))


def _frames(movie: Path) -> numpy.ndarray:
    raw = decode_rgb(movie, "null")
    return numpy.frombuffer(raw, dtype=numpy.uint8).reshape(-1, SIZE[1], SIZE[0], 3).astype(float)


def _encode(files: List[Path], out: Path, choice: Any, values: Dict[str, Any]) -> numpy.ndarray:
    burnin = None if choice is None else Burnin(choice, values)
    return _frames(encode_review(files, out, 25, first_frame=FIRST, burnin=burnin))


def _mad(a: numpy.ndarray, b: numpy.ndarray) -> float:
    return float(numpy.abs(a - b).mean())


def test_each_frame_shows_its_own_number_and_the_fields(tmp_path: Path) -> None:
    files = make_frames(tmp_path / "f", COUNT, size=SIZE, source="testsrc")
    fields = _template(
        tmp_path,
        "fields",
        burnin={"bottom_right": "{frame:04d}", "top_left": "{shot} v{version:03d}"},
    )
    burnt = _encode(files, tmp_path / "burnt.mp4", fields, VALUES)
    plain = _encode(files, tmp_path / "plain.mp4", None, {})
    assert burnt.shape == plain.shape  # no frame added without a slate
    region = BOTTOM_RIGHT
    for index in range(COUNT):
        assert _mad(burnt[index][region], plain[index][region]) > 10  # text is there
    literal = {}
    for number in range(FIRST, FIRST + COUNT):
        choice = _template(
            tmp_path,
            f"lit{number}",
            burnin={"bottom_right": f"{number:04d}", "top_left": "sh010 v004"},
        )
        literal[number] = _encode(files, tmp_path / f"lit{number}.mp4", choice, {})
    for index in range(COUNT):
        distances = {
            n: _mad(burnt[index][region], movie[index][region]) for n, movie in literal.items()
        }
        assert min(distances, key=distances.__getitem__) == FIRST + index, distances
        top = (slice(0, 30), slice(0, 160))
        assert _mad(burnt[index][top], literal[FIRST][index][top]) < 2.0  # "sh010 v004"
    outside = (slice(40, 130), slice(0, 320))
    assert _mad(burnt[:, outside[0], outside[1]], plain[:, outside[0], outside[1]]) < 1.0


def test_slate_is_one_added_frame_before_the_picture(tmp_path: Path, artifacts_dir: Path) -> None:
    files = make_frames(tmp_path / "f", COUNT, size=SIZE, source="testsrc")
    slate = _template(
        tmp_path,
        "slate",
        mode="slate",
        slate=["{project}", "Shot {shot}"],
        burnin={"bottom_right": "{frame}"},
    )
    movie = encode_review(
        files, tmp_path / "slate.mp4", 25, first_frame=FIRST, burnin=Burnin(slate, VALUES)
    )
    assert probe_movie(movie).frame_count == COUNT + 1
    frames = _frames(movie)
    plain = _encode(files, tmp_path / "plain.mp4", None, {})
    assert frames.shape[0] == plain.shape[0] + 1
    card = frames[0]
    assert card.max() > 200 and numpy.median(card) < 20  # white text on black
    for index in range(COUNT):  # slate mode draws no burn-ins on the picture
        assert _mad(frames[index + 1], plain[index]) < 2.0
    _save_png(movie, 0, artifacts_dir / "burnin_slate.png")


def test_default_template_both_saves_screenshots(tmp_path: Path, artifacts_dir: Path) -> None:
    files = make_frames(tmp_path / "f", 3, size=(640, 360), source="testsrc")
    choice = resolve_burnin("both", None, environ={})
    assert choice is not None and choice.slate_frames == 1
    values = dict(
        VALUES,
        artist="jane",
        date="2026-11-23",
        frame_range="1001-1003",
        camera="persp",
        focal_length="35mm",
        comment="blocking 100% done",
    )
    movie = encode_review(
        files, tmp_path / "both.mp4", 25, first_frame=FIRST, burnin=Burnin(choice, values)
    )
    assert probe_movie(movie).frame_count == 4
    _save_png(movie, 0, artifacts_dir / "burnin_default_slate.png")
    _save_png(movie, 2, artifacts_dir / "burnin_default_frame1002.png")


def _save_png(movie: Path, index: int, target: Path) -> None:
    from media_helpers import ffmpeg

    ffmpeg("-i", str(movie), "-vf", f"select=eq(n\\,{index})", "-frames:v", "1", str(target))


def test_modes_and_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_burnin(None, None, environ={}) is None  # nothing asked: no burn-in
    assert resolve_burnin("off", None, environ={}) is None
    path = tmp_path / "studio.json"
    path.write_text(json.dumps({"mode": "slate", "slate": ["{shot}"]}), encoding="utf-8")
    env = {"FT_DCC_BURNIN_TEMPLATE": str(path)}
    found = resolve_burnin(None, None, environ=env)
    assert found is not None and found.mode == "slate" and found.template.source == str(path)
    assert resolve_burnin("off", None, environ=env) is None  # the option wins
    on = resolve_burnin("on", None, environ=env)
    assert on is not None and on.mode == "on" and on.slate_frames == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"burnin": {"top_left": "{shot} {lens}"}}, "unknown field {lens}"),
        ({"burnin": {"middle": "x"}}, "unknown keys: burnin.middle"),
        ({"slates": []}, "unknown keys: slates"),
        ({"burnin": {"top_left": "{version:zz}"}}, "format {version:zz}"),
        ("{not json", "cannot be read"),
    ],
)
def test_bad_templates_name_the_valid_fields(tmp_path: Path, content: Any, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    with pytest.raises(MediaError, match=message) as caught:
        resolve_burnin(None, str(path), environ={})
    assert all(field in (caught.value.hint or "") for field in ("frame_range", "focal_length")) or (
        "format" in message
    )
    assert set(FIELDS) >= {
        "project",
        "shot",
        "task",
        "version",
        "artist",
        "date",
        "frame",
        "frame_range",
        "camera",
        "focal_length",
        "comment",
    }
    with pytest.raises(MediaError, match="cannot be read"):
        resolve_burnin("on", str(tmp_path / "missing.json"), environ={})
