"""Stills: one picture published for review as ftrack publishes an image, on the real server.

``ft-dcc publish concept.png --host files --task T`` (an image with no frame number) or any one
image with ``--still``: an AssetVersion with an ``ftrackreview-image`` in ``ftrack.server``
(``ftr_meta`` ``{"format": "image", "width": W, "height": H}``), a thumbnail and the original as
a component of its own; no movie. Read back with the genuine ``ftrack_api`` client.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests
from support import make_task, open_session
from support.entities import genuine_sessions
from test_several_reviewables import _commits

from ft_dcc.cli import main
from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.publish.offline.queue import OfflineQueue
from ft_dcc.publish.request.request import PublishRequest, Reviewable

Image = pytest.importorskip("PIL.Image")
SERVER_LOCATION_ID = "3a372bde-05bc-11e4-8908-20c9d081909b"


def _ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-v", "error", *args],
                   check=True)  # fmt: skip


def make_still(path: Path, size: str = "320x200", pix_fmt: str = "", source: str = "") -> Path:
    """One picture of ffmpeg's test pattern (``source``: another lavfi graph)."""
    graph = source or f"testsrc2=size={size}"
    extra = ["-pix_fmt", pix_fmt] if pix_fmt else []
    if path.suffix == ".exr":
        extra = ["-pix_fmt", pix_fmt or "gbrpf32le", "-c:v", "exr"]
    _ffmpeg("-f", "lavfi", "-i", graph, "-frames:v", "1", *extra, str(path))
    return path


def make_psd(path: Path, width: int = 64, height: int = 40) -> Path:
    """A minimal flattened Photoshop file (RGB, 8 bits, raw image data: a red-to-green ramp),
    written by hand: neither ffmpeg nor Pillow writes PSD."""
    red = bytes(int(255 * x / (width - 1)) for x in range(width)) * height
    green = bytes(255 - v for v in red)
    blue = bytes([40]) * (width * height)
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    sections = struct.pack(">III", 0, 0, 0)  # no colour data, resources, layers
    path.write_bytes(header + sections + struct.pack(">H", 0) + red + green + blue)
    return path


def _components(session: Any, version_id: str) -> Dict[str, Any]:
    rows = session.query(
        "select name, file_type, metadata, component_locations.location_id from FileComponent "
        f'where version_id is "{version_id}"'
    ).all()
    return {row["name"]: row for row in rows}


def _download(session: Any, component: Any) -> bytes:
    location = session.get("Location", SERVER_LOCATION_ID)
    reply = requests.get(location.get_url(component), timeout=60)
    reply.raise_for_status()
    return reply.content


def _pixels(data: bytes) -> Any:
    return Image.open(io.BytesIO(data))


def test_stills_of_every_format_publish_as_ftrack_images_in_one_commit(
    embedded_server, ftrack_env: Any, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path / "s")
    task = make_task(session)
    stills: List[Path] = [
        make_still(tmp_path / "concept.png"),
        make_still(tmp_path / "photo.jpg", "300x180"),
        make_still(tmp_path / "lookdev.tiff", "256x160", "rgb48le"),
        make_still(tmp_path / "matte.exr", "200x120"),
        make_still(
            tmp_path / "cutout.png",
            source="testsrc2=size=160x90,format=rgba,colorchannelmixer=aa=0.5",
        ),
        make_psd(tmp_path / "paint.psd"),
    ]
    name = f"Stills {tmp_path.name}"
    report_file = tmp_path / "report.json"
    mark = embedded_server.log_mark()
    code = main(["publish", *map(str, stills), "--task", task, "--review-session", name,
                 "--report", str(report_file)])  # fmt: skip
    assert code == 0, report_file.read_text() if report_file.exists() else code
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert [v["asset_name"] for v in report["versions"]] == [p.stem for p in stills]
    (commit,) = _commits(embedded_server.requests_since(mark))  # every still: ONE batch
    assert commit
    sizes = {"concept": (320, 200), "photo": (300, 180), "lookdev": (256, 160),
             "matte": (200, 120), "cutout": (160, 90), "paint": (64, 40)}  # fmt: skip

    with genuine_sessions(embedded_server, tmp_path / "cache") as make:
        genuine = make()
        ids = ", ".join(f'"{v["asset_version_id"]}"' for v in report["versions"])
        versions = genuine.query(
            "select id, thumbnail_id, thumbnail_url, asset.name, review_session_objects"
            f".review_session.name from AssetVersion where id in ({ids})"
        ).all()
        assert all(v["review_session_objects"][0]["review_session"]["name"] == name
                   for v in versions)  # fmt: skip
        assert sorted(v["asset"]["name"] for v in versions) == sorted(sizes)
        for version in versions:
            asset = version["asset"]["name"]
            source = next(p for p in stills if p.stem == asset)
            components = _components(genuine, version["id"])
            assert sorted(components) == ["ftrackreview-image", "original", "thumbnail"], asset
            review = components["ftrackreview-image"]
            meta = json.loads(review["metadata"]["ftr_meta"])
            width, height = sizes[asset]
            assert meta == {"format": "image", "width": width, "height": height}, asset
            locations = {c["location_id"] for c in review["component_locations"]}
            assert SERVER_LOCATION_ID in locations
            assert version["thumbnail_id"] == components["thumbnail"]["id"]
            assert version["thumbnail_url"]["value"] == components["thumbnail"]["id"]
            # the original, byte for byte; the review image a PNG of the same size
            original = _download(genuine, components["original"])
            assert original == source.read_bytes(), asset
            image = _pixels(_download(genuine, review))
            assert (image.format, image.size) == ("PNG", (width, height)), asset
            assert image.mode == ("RGBA" if asset == "cutout" else "RGB"), asset
            if asset == "paint":  # the PSD's composite: red ramps up left to right
                left, right = image.getpixel((0, 20)), image.getpixel((63, 20))
                assert left[0] < 10 and right[0] > 245 and left[1] > 245, (left, right)
            if asset == "concept":  # a PNG's pixels are the review image's, exactly
                assert image.tobytes() == _pixels(source.read_bytes()).convert("RGB").tobytes()


def test_an_exr_still_goes_through_the_ocio_view(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path
) -> None:
    """A scene-linear EXR still: its review image is the config's display/view of its pixels,
    as a sequence's frames are."""
    ocio = pytest.importorskip("PyOpenColorIO")
    session = open_session(ftrack_env, tmp_path / "s")
    task = make_task(session)
    still = make_still(tmp_path / "grey.exr", source="color=c=0x2e2e2e:size=64x32")
    linear = 0.18
    # overwrite with a flat scene-linear 0.18 (ffmpeg's colour source is display-referred)
    _ffmpeg("-f", "lavfi", "-i", "color=c=gray:size=64x32", "-frames:v", "1", "-vf",
            "format=gbrpf32le,geq=r=0.18:g=0.18:b=0.18", "-c:v", "exr", str(still))  # fmt: skip
    report = publish(FilesHost(still), PublishRequest(task=task, work_dir=tmp_path / "work"))
    assert report.ok, report.errors
    config = ocio.Config.CreateFromFile("ocio://studio-config-latest")
    display = config.getDefaultDisplay()
    view = config.getDefaultView(display)
    processor = config.getProcessor(
        ocio.DisplayViewTransform(src="scene_linear", display=display, view=view)
    ).getDefaultCPUProcessor()
    expected = processor.applyRGB([linear, linear, linear])
    image = Image.open(tmp_path / "work" / "grey_review.png")
    got = image.getpixel((10, 10))
    assert all(abs(g - round(e * 255)) <= 2 for g, e in zip(got, expected)), (got, expected)
    assert abs(got[0] - round(linear * 255)) > 20  # not the linear value shown as is


def test_a_numbered_image_given_still_is_a_still_and_plain_frames_stay_a_sequence(
    ftrack_env: Any, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(ftrack_env, tmp_path / "s")
    task = make_task(session)
    frame = make_still(tmp_path / "keyart.1001.png")
    assert not FilesHost(frame).is_still()  # a frame of a sequence without --still
    code = main(["publish", str(frame), "--still", "--task", task, "--json"])
    assert code == 0
    version = session.query(
        'select id, asset.name from AssetVersion where asset.name is "keyart" '
        f'and task.name is "comp" and asset.parent.name is "sh010" '
        f'and asset.parent.project.name is "{task.split("/")[0]}"'
    ).one()
    names = sorted(c["name"] for c in session.query(
        f'select name from Component where version_id is "{version["id"]}"').all())  # fmt: skip
    assert names == ["ftrackreview-image", "original", "thumbnail"]


def test_still_refusals_say_what_to_do(tmp_path: Path) -> None:
    movie = tmp_path / "clip.mov"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x32:duration=0.2", str(movie))
    for given, said in ((movie, "not an image"), (tmp_path / "nope.png", "not an existing")):
        with pytest.raises(Exception) as refused:
            FilesHost(given, still=True)
        assert said in str(refused.value)
    with pytest.raises(Exception) as refused:
        FilesHost(make_still(tmp_path / "a.png"), audio=str(movie))
    assert "is a still" in str(refused.value)


def test_an_offline_still_is_queued_and_the_flush_publishes_it(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    from ft_dcc.session import RetryPolicy, Session

    setup = open_session(fresh_server, tmp_path / "setup")
    task = make_task(setup)
    left, right = make_still(tmp_path / "left.png"), make_still(tmp_path / "right.jpg")
    fresh_server.stop()
    report = publish(
        FilesHost(left),
        PublishRequest(
            task=task,
            review_session_name="Offline stills",
            reviewables=[Reviewable(source=str(left)), Reviewable(source=str(right))],
        ),
        session_factory=lambda: Session(
            server_url=fresh_server.url, api_key=fresh_server.api_key,
            api_user=fresh_server.api_user, retry=RetryPolicy(retries=0),
        ),
    )  # fmt: skip
    assert report.ok and report.queued, str(report)
    (entry,) = OfflineQueue(queue_dir).entries()
    assert len(list(entry.media_dir.iterdir())) == 6  # review image, original, thumbnail each
    fresh_server.start()
    result = OfflineQueue(queue_dir).flush(open_session(fresh_server, tmp_path / "flush"))
    assert result.ok and result.flushed == 1, result.to_dict()
    session = open_session(fresh_server, tmp_path / "read")
    for name in ("left", "right"):
        version = session.query(
            f'select id from AssetVersion where asset.name is "{name}"').one()  # fmt: skip
        components = {c["name"] for c in session.query(
            f'select name from Component where version_id is "{version["id"]}"').all()}  # fmt: skip
        assert components == {"ftrackreview-image", "original", "thumbnail"}, name
