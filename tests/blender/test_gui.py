"""Debian's Blender 3.4 with a window (Xvfb): the sidebar panel draws, and the operator's real
viewport playblast (``render.opengl``, frame by frame) publishes; an unsaved edit is refused.

Both publishes are parts of one windowed Blender run on a server of its own (``gui_window``,
gui_window.py; a windowed start costs seconds of software-GL CPU), each from its own copy of the
scene and on its own task: the refused one first, the server's entities counted after it (a
checkpoint), then the one that publishes."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from blender_helpers import needs_gui_blender
from gui_window import GROUP, gui_part
from support import download_component, ffprobe, open_session

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_gui_blender, GROUP]


def test_panel_draws_and_viewport_playblast_publishes(gui_window, tmp_path, artifacts_dir):
    server = gui_window["server"]
    session = open_session(server, tmp_path)
    result, shots = gui_part(gui_window, "ok")

    assert not result["background"] and result["blender"].startswith("3.4")
    assert result["returned"] == ["RUNNING_MODAL"]  # the UI stayed live during the publish
    assert result["outcome"] == "published", result["status"]
    # Blender's own timers kept running while the operator was busy: the UI was live (how many
    # ticks land after the capture depends on the machine's speed, so only their presence is
    # asserted; test_modal_capture.py shows the viewport redrawing frame by frame).
    seen = result["progress_seen"]
    assert seen and all(isinstance(text, str) and text for text in seen), seen
    report = result["report"]
    assert report["capture"]["display"]["method"] == "viewport"  # render.opengl
    movie = download_component(
        server, report["component_ids"]["ftrackreview-mp4"], tmp_path / "gui.mp4"
    )
    stream = ffprobe(movie)
    assert (stream["codec_name"], stream["pix_fmt"]) == ("h264", "yuv420p")
    assert int(stream["nb_read_frames"]) == 12 and stream["r_frame_rate"] == "25/1"
    frame = artifacts_dir / "blender-gui-playblast-frame6.png"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(movie), "-vf", "select=eq(n\\,5)",
         "-frames:v", "1", str(frame)],
        check=True,
    )  # fmt: skip
    print("progress seen:", result["progress_seen"])
    assert result["dirty_after"] is False  # saved first; the restored settings leave it clean
    objects = session.query(
        "select version_id from ReviewSessionObject "
        f'where review_session_id is "{report["review_session_id"]}"'
    ).all()
    assert report["asset_version_id"] in [o["version_id"] for o in objects]

    assert result["headline"] == "Published v001"  # one short line in the sidebar
    for name in ("panel-before-publish.png", "panel-after-publish.png", "panel-details.png"):
        shot = shots / name
        assert shot.is_file() and shot.stat().st_size > 10_000
        shutil.copy(shot, artifacts_dir / f"blender-gui-{name}")


def test_unsaved_edit_is_refused(gui_window, artifacts_dir):
    result, shots = gui_part(gui_window, "unsaved")

    assert result["dirty_before"] is True
    assert result["outcome"] == "failed"
    assert result["headline"] == "Not published"
    assert "unsaved changes" in result["status"], result["status"]
    for name in ("panel-after-publish.png", "panel-details.png"):
        shot = shots / name
        assert shot.is_file() and shot.stat().st_size > 10_000
        shutil.copy(shot, artifacts_dir / f"blender-gui-error-{name}")
    assert gui_window["after_refused"] == gui_window["before"]
