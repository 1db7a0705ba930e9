"""A still (an ``ftrackreview-image``) under the session's watermark, over HTTP: an invitee's
copy has their mark burned into its pixels (bytes differ from the stored image; the upper half
of the picture is untouched, the lower left carries the mark), the owner's own link receives the
image as stored, and a watch-only session refuses the still's original to the invitee."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterator

import pytest

from .media_world import HEIGHT, MediaWorld, ffmpeg, media_get, watermarked_world

Image = pytest.importorskip("PIL.Image")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaWorld]:
    with watermarked_world(tmp_path_factory.mktemp("still-watermark")) as made:
        yield made


def test_a_still_is_marked_in_its_pixels_and_watch_only_refuses_its_original(
    world: MediaWorld, tmp_path: Path
) -> None:
    still = tmp_path / "concept.png"
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=320x{HEIGHT}", "-frames:v", "1", str(still))
    version = world.dailies.objects[1]["asset_version"]
    image_id = world.component(version, still, "ftrackreview-image")
    original_id = world.component(version, still, "original")

    ann = media_get(world.invitee("ann"), image_id)
    assert ann.status_code == 200, ann.text[:300]
    assert ann.headers["content-type"] == "image/png"
    assert ann.content != still.read_bytes()
    theirs = Image.open(io.BytesIO(ann.content)).convert("RGB")
    ours = Image.open(still).convert("RGB")
    assert theirs.size == ours.size
    upper = (0, 0, ours.width, HEIGHT // 2)
    assert theirs.crop(upper).tobytes() == ours.crop(upper).tobytes()  # only the mark changed
    corner = (0, HEIGHT // 2, ours.width // 2, HEIGHT)
    assert theirs.crop(corner).tobytes() != ours.crop(corner).tobytes()
    again = media_get(world.invitee("ann"), image_id)
    assert again.content == ann.content  # one copy per viewer and day
    bob = media_get(world.invitee("bob"), image_id)
    assert bob.content not in (ann.content, still.read_bytes())  # each viewer's own mark

    owner = media_get(world.personal(), image_id)
    assert owner.status_code == 200 and owner.content == still.read_bytes()

    refused = media_get(world.invitee("ann"), original_id)
    assert refused.status_code == 403, refused.text[:300]
    assert still.read_bytes() not in refused.content
