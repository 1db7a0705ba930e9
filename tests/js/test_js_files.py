"""Uploads and thumbnails through ftrack's JavaScript client: single and multipart uploads (the
client PUTs through the XHR shim), its default thumbnail URL and sized thumbnails."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import requests
from js_helpers import make_hierarchy
from support import download_component

pytestmark = pytest.mark.jsclient


def _png(path: Path, width: int = 640, height: int = 360) -> Path:
    """A real PNG (a gradient) written with ffmpeg."""
    import subprocess

    from imageio_ffmpeg import get_ffmpeg_exe

    subprocess.run(
        [get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc2=size={width}x{height}", "-frames:v", "1", str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_single_part_upload(js, embedded_server, tmp_path) -> None:
    payload = tmp_path / "notes.bin"
    payload.write_bytes(os.urandom(200_000))
    mark = embedded_server.log_mark()
    made = js.run("upload", path=str(payload), name="notes.bin")
    component_id = made["component"]["data"]["id"]
    assert "urls" not in made["metadata"]
    puts = [r for r in embedded_server.requests_since(mark) if r["method"] == "PUT"]
    assert len(puts) == 1
    got = download_component(embedded_server, component_id, tmp_path / "back.bin")
    assert got.read_bytes() == payload.read_bytes()


def test_multipart_upload(js, embedded_server, tmp_path) -> None:
    payload = tmp_path / "plate.bin"
    payload.write_bytes(os.urandom(5 * 70_000 + 123))
    mark = embedded_server.log_mark()
    made = js.run("upload", path=str(payload), name="plate.bin", chunkSize=70_000)
    component_id = made["component"]["data"]["id"]
    assert made["metadata"]["upload_id"]  # (the client pops the part urls as it uploads them)
    logged = embedded_server.requests_since(mark)
    assert len([r for r in logged if r["method"] == "PUT"]) == 6
    assert any("complete_multipart_upload" in r.get("actions", []) for r in logged), logged
    got = download_component(embedded_server, component_id, tmp_path / "back.bin")
    assert got.read_bytes() == payload.read_bytes()


def test_default_thumbnail_is_an_image(js) -> None:
    url = js.run("thumbnail_url", componentId=None)
    assert url.endswith("/img/thumbnail2.png")
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "image/png"
    from PIL import Image

    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.width > 0 and image.height > 0


def test_no_thumbnail_reads_as_the_default_thumbnail(js, embedded_server) -> None:
    """A version or task without a thumbnail: its ``thumbnail_url`` is the URL the client's own
    ``thumbnailUrl(null)`` makes, never null."""
    ids = make_hierarchy(js)
    default = js.run("thumbnail_url", componentId=None)
    for entity_type, key in (("AssetVersion", "version"), ("Task", "task")):
        expression = f'select thumbnail_url from {entity_type} where id is "{ids[key]}"'
        found = js.call("query", expression)["data"]
        assert found[0]["thumbnail_url"] == {"url": default, "value": None}, entity_type


@pytest.mark.parametrize("width, height, size", [(360, 640, 100), (640, 360, 100), (20, 16, 10)])
def test_sized_thumbnail_is_a_palette_resize(js, tmp_path, width, height, size) -> None:
    """ftrack resizes the image to fit within size x size (aspect kept) and sends a palette PNG
    (colour type 3, as tests/compat/test_thumbnail_palette.py says); compared with Pillow's own
    Lanczos resize of the same image, on average per channel."""
    from PIL import Image, ImageChops, ImageStat

    source = _png(tmp_path / "frame.png", width, height)
    made = js.run("upload", path=str(source), name="frame.png")
    component_id = made["component"]["data"]["id"]
    url = js.run("thumbnail_url", componentId=component_id, size=size)
    response = requests.get(url, timeout=60)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    expected = Image.open(source).convert("RGB")
    expected.thumbnail((size, size), Image.Resampling.LANCZOS)
    assert (image.format, image.size) == ("PNG", expected.size)
    assert image.mode == "P"  # a palette PNG, as ftrack's
    assert b"pHYs" not in response.content
    difference = ImageChops.difference(image.convert("RGB"), expected)
    mean = max(ImageStat.Stat(difference).mean)
    assert mean <= 6, mean
