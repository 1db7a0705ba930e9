"""``ft-dcc publish SCENE.blend --host blender --still --frame N``: one frame of the scene
through the playblast's own capture, published as a still (an ``ftrackreview-image``, its
thumbnail and the captured frame as its original; no movie), read back with the genuine
``ftrack_api`` client."""

from __future__ import annotations

import io
import json
import uuid

import pytest
import requests
from blender_helpers import needs_bpy, needs_gui_blender, server_env
from gui_window import build_scene_34
from support import make_task, open_session
from support.entities import genuine_sessions
from test_headless import publish

from ft_dcc.host.feedback import captured_cameras

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]
SERVER_LOCATION_ID = "3a372bde-05bc-11e4-8908-20c9d081909b"


@needs_gui_blender
def test_a_scene_still_of_frame_n(tmp_path, blender_env, embedded_server):
    from PIL import Image

    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blst{uuid.uuid4().hex[:8]}", 1001, 1012)
    env = server_env(blender_env, embedded_server)
    blend = build_scene_34(tmp_path)  # 1001-1012 at 25 fps, 320x180, saved by Blender 3.4

    process = publish(env, blend, task, "--still", "--frame", "1005")
    assert process.returncode == 0, process.stderr[-3000:]
    report = json.loads(process.stdout)
    assert report["ok"] and sorted(report["component_ids"]) == [
        "ftrackreview-image", "original", "thumbnail"]  # fmt: skip
    with genuine_sessions(embedded_server, tmp_path / "cache") as make:
        genuine = make()
        review = genuine.query(
            "select metadata, version.thumbnail_id from FileComponent "
            f'where id is "{report["component_ids"]["ftrackreview-image"]}"'
        ).one()
        assert json.loads(review["metadata"]["ftr_meta"]) == {
            "format": "image", "width": 320, "height": 180}  # fmt: skip
        capture = json.loads(review["metadata"]["ft_dcc_capture"])
        frames = (capture["frame_start"], capture["frame_end"], capture["still"])
        assert frames == (1005, 1005, True)
        version_id = report["asset_version_id"]
        # the host's feedback panel names the camera a still was captured through
        assert capture["camera"] and captured_cameras(session, [version_id]) == {
            version_id: capture["camera"]}  # fmt: skip
        assert review["version"]["thumbnail_id"] == report["component_ids"]["thumbnail"]
        location = genuine.get("Location", SERVER_LOCATION_ID)
        url = location.get_url(genuine.get("FileComponent", review["id"]))
        image = Image.open(io.BytesIO(requests.get(url, timeout=60).content))
        assert (image.format, image.size) == ("PNG", (320, 180))
