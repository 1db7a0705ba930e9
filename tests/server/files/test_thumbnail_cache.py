"""Sized thumbnails are cached beside the store and go with the component's file when it is
removed, whatever their format (a PNG's thumbnail is a PNG, anything else's a JPEG)."""

from __future__ import annotations

import io
import uuid
from typing import Any, List

import pytest
import requests

from .test_upload_download import download, thumbnail, upload_metadata

Image = pytest.importorskip("PIL.Image")


def _cached(server: Any, cid: str) -> List[str]:
    return sorted(p.name for p in server.data_dir.rglob(f".thumbnails/{cid}-*") if p.is_file())


@pytest.mark.parametrize("name, image_format", [("still.png", "PNG"), ("still.jpg", "JPEG")])
def test_removing_a_component_removes_its_cached_thumbnails(embedded_server, name, image_format):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 90)).save(buffer, format=image_format)
    data, cid = buffer.getvalue(), str(uuid.uuid4())
    meta = upload_metadata(embedded_server, cid, data, name=name)
    assert requests.put(meta["url"], data=data, headers=meta["headers"], timeout=30).ok
    assert thumbnail(embedded_server, cid, "32").status_code == 200
    assert _cached(embedded_server, cid)  # the cache the removal must clear
    removed = download(embedded_server, cid, path="/component/remove")
    assert removed.status_code == 200 and removed.json()["removed"] is True
    assert _cached(embedded_server, cid) == []
