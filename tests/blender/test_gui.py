"""Debian's Blender 3.4 with a window (Xvfb): the sidebar panel draws, and the operator's real
viewport playblast (``render.opengl``, frame by frame) publishes; an unsaved edit is refused."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
from blender_helpers import (
    ROOT,
    build_addon_zip,
    cached_blend,
    needs_gui_blender,
    run_blender,
    server_env,
    write_json,
)
from support import count_entities, download_component, ffprobe, make_task, open_session

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_gui_blender]


def build_scene_34(tmp_path, env, frames=12):
    """A scene saved by Blender 3.4 (its reader cannot open files saved by 5.0); built once per
    test process for each length, each test gets its own copy."""

    def build(path):
        options = {
            "path": str(path),
            "frame_start": 1001,
            "frame_end": 1000 + frames,
            "fps": 25,
            "width": 320,
            "height": 180,
        }
        subprocess.run(
            ["blender", "-b", "--factory-startup", "--python-exit-code", "1", "-P", str(script),
             "--", str(write_json(path.with_suffix(".json"), options))],
            env=env, check=True, capture_output=True,
        )  # fmt: skip

    script = ROOT / "hosts" / "blender" / "demo_scene.py"
    blend = cached_blend(tmp_path / "shot34.blend", f"demo-{frames}", build)
    assert blend.read_bytes()[:12] == b"BLENDER-v304"
    return blend


def run_gui_publish(tmp_path, env, blend, task, case, screenshots=""):
    options = {
        "blend": str(blend),
        "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": task,
        "review_session": "GUI dailies",
        "comment": "from the sidebar",
        "case": case,
        "build": False,
        "invoke": True,
        "screenshots": screenshots,
    }
    return run_blender(
        "publish_operator.py",
        [write_json(tmp_path / "gui.json", options)],
        env,
        gui=True,
        blend=blend,
    )


def test_panel_draws_and_viewport_playblast_publishes(
    tmp_path, blender_env, embedded_server, artifacts_dir
):
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blgui{uuid.uuid4().hex[:8]}")
    env = server_env(blender_env, embedded_server)
    blend = build_scene_34(tmp_path, env)
    shots = tmp_path / "shots"
    shots.mkdir()
    result = run_gui_publish(tmp_path, env, blend, task, "ok", str(shots))

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
        embedded_server, report["component_ids"]["ftrackreview-mp4"], tmp_path / "gui.mp4"
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


def test_unsaved_edit_is_refused(tmp_path, blender_env, fresh_server, artifacts_dir):
    session = open_session(fresh_server, tmp_path)
    task = make_task(session, f"blgui{uuid.uuid4().hex[:8]}")
    env = server_env(blender_env, fresh_server)
    blend = build_scene_34(tmp_path, env)
    before = count_entities(session)
    shots = tmp_path / "shots"
    shots.mkdir()
    result = run_gui_publish(tmp_path, env, blend, task, "unsaved", str(shots))

    assert result["dirty_before"] is True
    assert result["outcome"] == "failed"
    assert result["headline"] == "Not published"
    assert "unsaved changes" in result["status"], result["status"]
    for name in ("panel-after-publish.png", "panel-details.png"):
        shot = shots / name
        assert shot.is_file() and shot.stat().st_size > 10_000
        shutil.copy(shot, artifacts_dir / f"blender-gui-error-{name}")
    assert count_entities(open_session(fresh_server, tmp_path / "again")) == before
