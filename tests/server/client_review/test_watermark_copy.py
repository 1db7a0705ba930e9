"""A viewer's copy made while it is served, in the server's own process (no HTTP: what the
media route asks of :class:`~ft_dcc.server.review.watermark.Watermarker`): its file is a
fragmented MP4 filled to the size announced before its first byte, and a copy that would come
out larger than announced is made again whole (never served cut short)."""

from __future__ import annotations

import types
import uuid
from pathlib import Path
from typing import Any

import pytest

from ft_dcc.server.review import watermark
from ft_dcc.server.review.watermark import Watermarker

from .media_world import FRAMES, decode_rgb, make_movie
from .test_watermark_streamed import top_boxes


def _marker(tmp_path: Path) -> Any:
    return Watermarker(types.SimpleNamespace(root=tmp_path / "files"))  # type: ignore[arg-type]


def test_a_copy_is_filled_to_its_announced_size(tmp_path: Path) -> None:
    source = make_movie(tmp_path / "review.mp4")
    marker = _marker(tmp_path)
    copy = marker.copy(str(uuid.uuid4()), source, "Ann Lee ann@client.example", "2026-11-24")
    whole = marker.read(copy, 0, copy.size - 1) if copy.growing else copy.path.read_bytes()
    while len(whole) < copy.size:  # a part carries what was written when it was asked for
        whole += marker.read(copy, len(whole), copy.size - 1)
    assert len(whole) == copy.size and copy.path.read_bytes() == whole
    boxes = top_boxes(whole)
    assert boxes[:4] == ["ftyp", "moov", "sidx", "moof"] and boxes[-1] == "free", boxes
    assert len(decode_rgb(whole, tmp_path / "frames")) == FRAMES


def test_a_copy_larger_than_announced_is_made_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_movie(tmp_path / "review.mp4")
    monkeypatch.setattr(watermark, "size_bound", lambda facts, head: head + 1024)
    marker = _marker(tmp_path)
    made = marker.marked(str(uuid.uuid4()), source, "Bob Roe bob@client.example", "2026-11-24")
    data = made.read_bytes()
    assert "sidx" not in top_boxes(data), "the streamed copy was kept cut short"
    assert len(decode_rgb(data, tmp_path / "frames")) == FRAMES
    assert sorted(p.name for p in made.parent.iterdir() if p.suffix != ".lock") == sorted(
        [made.name, "made.log"]
    )
