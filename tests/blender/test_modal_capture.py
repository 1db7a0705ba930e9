"""Debian's Blender 3.4 with a window (Xvfb): the publish captures frame by frame from its modal
operator, so the window keeps redrawing (the sidebar draws "Capturing frame k/N" for several k,
and two screenshots taken during the capture show different progress), and a real Esc event
cancels it: nothing on the server, nothing queued, every scene and 3D view value as before."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from blender_helpers import (
    build_addon_zip,
    needs_bpy,
    needs_gui_blender,
    run_blender,
    run_bpy,
    server_env,
    write_json,
)
from support import count_entities, make_task, open_session
from test_gui import build_scene_34

pytestmark = [pytest.mark.slow, pytest.mark.blender]

#: the cancelled capture's length: Esc comes after the second screenshot (frame 5 at the
#: earliest), well before its end
FRAMES = 24
#: the whole capture's length: every frame is captured, streamed and drawn in the sidebar, so
#: each costs a software-GL redraw of the window; 12 show it as 24 did (and share test_gui.py's
#: cached scene)
WHOLE_FRAMES = 12
CAPTURING = re.compile(r"Capturing frame (\d+)/(\d+)")


def region_pixels(png: Path, window, region) -> bytes:
    """The RGB bytes of a region (Blender's x, y from the window's bottom left) of a screenshot."""
    x, y, width, height = region
    top = window[1] - (y + height)
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(png), "-vf", f"crop={width}:{height}:{x}:{top}",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip


def captured_frames(texts):
    return sorted({int(m.group(1)) for m in map(CAPTURING.match, texts) if m})


def run_case(tmp_path, server, blender_env, case, frames, second_view=False):
    session = open_session(server, tmp_path)
    task = make_task(session, f"blmodal{uuid.uuid4().hex[:8]}", 1001, 1000 + frames)
    env = server_env(blender_env, server)
    blend = build_scene_34(tmp_path, env, frames=frames)
    shots = tmp_path / "shots"
    shots.mkdir()
    options = {
        "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": task,
        "review_session": "Modal dailies",
        "case": case,
        "shots": str(shots),
        "second_view": second_view,
    }
    before = count_entities(session)
    result = run_blender(
        "modal_capture_gui.py",
        [write_json(tmp_path / "modal.json", options)],
        env,
        gui=True,
        blend=blend,
    )
    assert result["error"] is None, result["error"]
    assert result["blender"].startswith("3.4") and result["returned"] == ["RUNNING_MODAL"]
    assert result["busy_loops"] > 0  # another Python thread ran beside the capture
    result["entities_before"] = before
    result["entities_after"] = count_entities(open_session(server, tmp_path / "again"))
    result["queue"] = sorted(p.name for p in (Path(env["FT_DCC_QUEUE_DIR"])).glob("**/*"))
    return result


def assert_redrawn_during_capture(result):
    # the sidebar was drawn again and again while frames were captured
    drawn = captured_frames(result["drawn"])
    assert len(drawn) >= 3, result["drawn"]
    # two screenshots during the capture, each taken when the panel said another frame
    first, second = (s for s in result["shots"] if s["name"].startswith("capturing-"))
    assert captured_frames([first["progress"]]) < captured_frames([second["progress"]])
    pixels = [region_pixels(Path(s["path"]), s["window"], s["ui_region"]) for s in (first, second)]
    assert pixels[0] and pixels[1] and pixels[0] != pixels[1]  # the panel was repainted


def keep(result, artifacts_dir, prefix):
    for shot in result["shots"]:
        shutil.copy(shot["path"], artifacts_dir / f"{prefix}-{shot['name']}")


@needs_gui_blender
def test_esc_cancels_the_capture_and_leaves_nothing(
    tmp_path, blender_env, fresh_server, artifacts_dir
):
    result = run_case(tmp_path, fresh_server, blender_env, "cancel", FRAMES)
    keep(result, artifacts_dir, "blender-modal-cancel")
    assert_redrawn_during_capture(result)

    assert result["esc_at"] is not None
    assert result["outcome"] == "cancelled", result["status"]
    assert result["headline"] == "Publish cancelled"
    errors = " ".join(result["report"]["errors"])
    stopped = re.search(r"cancelled \(Esc\) after (\d+) of (\d+) frames", errors)
    assert stopped, errors
    assert int(stopped.group(1)) < FRAMES == int(stopped.group(2))
    assert max(captured_frames(result["seen"])) < FRAMES  # it never captured the last frame
    assert not result["busy"]
    assert result["entities_after"] == result["entities_before"]  # nothing on the server
    assert result["queue"] == []  # nothing queued for later
    assert result["diff"] == []  # every scene, render and 3D view value as before


@needs_gui_blender
def test_modal_capture_publishes_every_frame(tmp_path, blender_env, embedded_server, artifacts_dir):
    result = run_case(tmp_path, embedded_server, blender_env, "ok", WHOLE_FRAMES)
    keep(result, artifacts_dir, "blender-modal-ok")
    assert_redrawn_during_capture(result)
    assert result["outcome"] == "published", result["status"]
    assert captured_frames(result["seen"])[-1] == WHOLE_FRAMES
    # encoded while capturing: each frame went to the streaming encoder as soon as it was
    # written, the first one while the rest were still to be captured
    assert result["streamed"] == list(range(1, WHOLE_FRAMES + 1)), result["streamed"]
    assert (
        result["report"]["capture"]["frame_end"] - result["report"]["capture"]["frame_start"]
        == WHOLE_FRAMES - 1
    )
    assert result["queue"] == []
    assert result["diff"] == []  # restored after a whole capture too


@needs_gui_blender
def test_a_publish_from_a_second_3d_view_captures_that_view(
    tmp_path, blender_env, embedded_server, artifacts_dir
):
    """Two 3D views; Publish clicked in the smaller one's sidebar: that view is captured (in
    Blender's own context, no override), with another Python thread at work meanwhile."""
    result = run_case(tmp_path, embedded_server, blender_env, "ok", WHOLE_FRAMES, second_view=True)
    keep(result, artifacts_dir, "blender-modal-second-view")
    assert result["outcome"] == "published", result["status"]
    assert captured_frames(result["seen"])[-1] == WHOLE_FRAMES
    clicked, captured = result["clicked_area"], result["captured_area"]
    assert captured == clicked, (captured, clicked)
    first = result["shots"][0]["window"]
    assert clicked[0] < first[0] / 2  # the smaller of the two views, not the window's largest
    assert result["diff"] == []


@needs_bpy
def test_esc_stops_a_publish_until_its_upload_starts(tmp_path, blender_env):
    result = run_bpy("cancel_logic.py", [tmp_path / "out"], blender_env)
    assert result["background"] and result["streams_frames"]
    assert result["before_cancel"] == [None, None, None]
    # once cancelled: the steps before the upload stop (the runner's own stages never raise)
    publish, validate, capture, encode, thumbnail = result["after_cancel"]
    assert publish is None and validate is None
    for error in (capture, encode, thumbnail):
        assert "cancelled (Esc) before its upload: nothing was published" in error
    # from the upload on a publish runs to its end: never half a version on the server
    assert result["late"] == [None, None, None, None]
    assert result["seen"][-4:] == ["upload", "encode", "integrate", "review"]
    assert "cancelled (Esc) after 0 frames" in result["cancelled_capture"]
    assert result["written"] == []
    assert "no 3D Viewport" in result["no_window"]
