"""A viewer's copy made while it is served, in the server's own process (no HTTP: what the
media route asks of :class:`~ft_dcc.server.review.media.watermark.Watermarker`): its file is a
fragmented MP4 filled to the size announced before its first byte, concurrent first views get
parts of one copy, and a copy that would come out larger than announced is made again whole
(never served cut short)."""

from __future__ import annotations

import concurrent.futures
import threading
import types
import uuid
from pathlib import Path
from typing import Any, Tuple

import pytest
from support.waiting import wait_until

from ft_dcc.server.review.media import watermark, watermark_encode
from ft_dcc.server.review.media.ranged import span
from ft_dcc.server.review.media.watermark import Watermarker

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
    # its last byte can be read before the copy is renamed to its place
    wait_until(copy.path.is_file, "the copy renamed to its place", timeout=300)
    assert len(whole) == copy.size and copy.path.read_bytes() == whole
    boxes = top_boxes(whole)
    assert boxes[:4] == ["ftyp", "moov", "sidx", "moof"] and boxes[-1] == "free", boxes
    assert len(decode_rgb(whole, tmp_path / "frames")) == FRAMES


def test_a_copy_larger_than_announced_is_made_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_movie(tmp_path / "review.mp4")
    for module in (watermark, watermark_encode):  # what is streamed, and the size announced
        monkeypatch.setattr(module, "size_bound", lambda facts, head: head + 1024)
    marker = _marker(tmp_path)
    made = marker.marked(str(uuid.uuid4()), source, "Bob Roe bob@client.example", "2026-11-24")
    data = made.read_bytes()
    assert "sidx" not in top_boxes(data), "the streamed copy was kept cut short"
    assert len(decode_rgb(data, tmp_path / "frames")) == FRAMES
    assert sorted(p.name for p in made.parent.iterdir() if p.suffix != ".lock") == sorted(
        [made.name, "made.log"]
    )


def test_concurrent_first_views_get_parts_of_one_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two first views of one viewer while the copy is made, one part read while the copy's last
    write is half done (a file grows page by page while one ``write`` goes on, and a reader sees
    each page's new size), the other read after: the copy is made once, and each part is that
    copy's bytes from its start -- the part read mid-write shorter (a part carries what was written
    when it was read), never bytes of another copy."""
    source = make_movie(tmp_path / "review.mp4")
    halfway, go_on = threading.Event(), threading.Event()
    write = watermark_encode.Streamed._write

    def held_write(self: Any, out: Any, chunk: bytes, last: bool = False) -> None:
        if last:  # the free box: its first FIRST_BYTES written, the rest once the test says
            write(self, out, chunk[: watermark_encode.FIRST_BYTES])
            halfway.set()
            assert go_on.wait(timeout=300), "the test never let the copy go on"
            chunk = chunk[watermark_encode.FIRST_BYTES :]
        write(self, out, chunk, last)

    monkeypatch.setattr(watermark_encode.Streamed, "_write", held_write)
    marker, component = _marker(tmp_path), str(uuid.uuid4())
    viewer, day = "Ann Lee ann@client.example", "2026-11-24"

    def first_view() -> Tuple[watermark.Copy, Tuple[int, int]]:
        copy = marker.copy(component, source, viewer, day)
        assert copy.growing, "the copy was whole before its first part was served"
        asked = span("bytes=0-", copy.size)
        assert asked is not None
        return copy, asked

    def first_part() -> bytes:
        copy, (first, last) = first_view()
        return marker.read(copy, first, last)

    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            early = pool.submit(first_part)
            assert halfway.wait(timeout=300), "the copy's last write never began"
            mid_write = early.result(timeout=300)
        late, asked = first_view()  # a view while it is made, its part read once it is whole
    finally:
        go_on.set()
    made, made_log = late.path, late.path.parent / watermark.MADE_LOG
    wait_until(lambda: made_log.is_file() and made_log.read_text().splitlines(), "the copy made",
               timeout=300)  # fmt: skip
    after = marker.read(late, *asked)
    whole = made.read_bytes()
    assert whole.startswith(mid_write) and whole.startswith(after), "a part of another copy"
    assert len(mid_write) < len(after) == asked[1] + 1, "the part read mid-write carried it all"
    assert sorted(p.name for p in made.parent.glob("[!.]*.mp4")) == [made.name]
    assert made_log.read_text().splitlines() == [made.name], "made more than once"
