"""Debian's Blender 3.4 with a window (Xvfb): the publish captures frame by frame from its modal
operator, so the window keeps redrawing (the sidebar draws "Capturing frame k/N" for several k,
and two screenshots taken during the capture show different progress), and a real Esc event
cancels it: nothing on the server, nothing queued, every scene and 3D view value as before.

The three windowed publishes are one Blender run (``modal_window``; a windowed start costs
seconds of software-GL CPU), each from its own scene and task; each test checks its own part."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from blender_helpers import (
    blender_environment,
    build_addon_zip,
    needs_bpy,
    needs_gui_blender,
    on_own_server,
    run_blender,
    run_bpy,
    server_env,
    write_json,
)
from gui_window import build_scene_34
from support import count_entities, make_task, open_session

pytestmark = [pytest.mark.slow, pytest.mark.blender]

#: the cancelled capture's length: Esc comes after the second screenshot (frame 5 at the
#: earliest), well before its end
FRAMES = 24
#: the whole capture's length: every frame is captured, streamed and drawn in the sidebar, so
#: each costs a software-GL redraw of the window (~0.2 CPU-s); 8 leave 3 frames after the second
#: screenshot (frame 5 at the earliest), as 24 did
WHOLE_FRAMES = 8
#: the length of the capture from a second 3D view (which view is captured is what its test
#: looks at, not the progress drawn): both views redraw for each frame
SECOND_VIEW_FRAMES = 4
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


#: the publishes of the one windowed run, in order: (name, case, frames, second_view); the
#: cancelled one first, so that the server and the queue are looked at before the others
PUBLISHES = (
    ("cancel", "cancel", FRAMES, False),
    ("ok", "ok", WHOLE_FRAMES, False),
    ("second-view", "ok", SECOND_VIEW_FRAMES, True),
)


@pytest.fixture(scope="module")
def modal_window(tmp_path_factory):
    """The module's one windowed Blender run (``modal_capture_gui.py``), on a server of its own:
    the publishes of :data:`PUBLISHES` one after the other, each from its own copy of a scene
    and on its own task; after the cancelled one (a checkpoint) the server's entities and the
    offline queue are counted. {name: its part of the RESULT, with what was counted}."""
    yield from on_own_server(tmp_path_factory, "modal-window", run_modal_window)


def run_modal_window(folder, server):
    session = open_session(server, folder)
    env = server_env(blender_environment(folder), server)
    queue = Path(env["FT_DCC_QUEUE_DIR"])
    publishes = [publish_options(folder / name, session, name, case, frames, second)
                 for name, case, frames, second in PUBLISHES]  # fmt: skip
    publishes[0]["checkpoint"] = str(folder / "cancel-looked-at")
    seen = {"entities_before": count_entities(session)}

    def look(_path):  # the cancelled publish has ended: what it left
        seen["entities_after"] = count_entities(open_session(server, folder / "again"))
        seen["queue"] = queued(queue)

    arguments = {"zip": str(build_addon_zip(folder / "dist")), "publishes": publishes}
    result = run_blender(
        "modal_capture_gui.py", [write_json(folder / "modal.json", arguments)], env, gui=True,
        blend=Path(publishes[0]["blend"]), checkpoint=look,
    )  # fmt: skip
    parts = {name: result.get(name) for name, *_rest in PUBLISHES}
    parts["cancel"] = dict(parts["cancel"] or {}, **seen)
    for name in ("ok", "second-view"):
        parts[name] = dict(parts[name] or {}, queue=queued(queue))
    return {name: dict(part, _output=result["_output"]) for name, part in parts.items()}


def publish_options(folder, session, name, case, frames, second_view):
    """One publish of the run: its task (of a project of its own), scene and screenshots. Each
    scene is gui_window.py's demo scene of 12 frames; the script sets its last frame
    (``frame_end``) before the publish, as an artist sets the shot's range, and the publish
    saves that edit first."""
    folder.mkdir()
    (folder / "shots").mkdir()
    return {
        "name": name,
        "task": make_task(session, f"blmodal{uuid.uuid4().hex[:8]}", 1001, 1000 + frames),
        "review_session": "Modal dailies",
        "case": case,
        "blend": str(build_scene_34(folder)),
        "frame_end": 1000 + frames,
        "shots": str(folder / "shots"),
        "second_view": second_view,
    }


def queued(queue):
    return sorted(p.name for p in queue.glob("**/*"))


def published_part(modal_window, name):
    """A publish's part of the run, checked as every part is: it ran in Blender 3.4 from the
    modal operator, with another Python thread at work beside the capture and during the
    render of some of its frames."""
    result = modal_window[name]
    stopped = f"the run stopped before this publish; its output:\n{result['_output'][-4000:]}"
    assert result.get("blender"), stopped
    assert result["error"] is None, result["error"]
    assert result["blender"].startswith("3.4") and result["returned"] == ["RUNNING_MODAL"]
    assert result["busy_loops"] > 0  # another Python thread ran beside the capture
    # and while frames were rendered (Blender lets go of the GIL there: the moment of the crash)
    assert result["overlapped"] and result["renders"] >= 1, result["overlapped"]
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
def test_esc_cancels_the_capture_and_leaves_nothing(modal_window, artifacts_dir):
    result = published_part(modal_window, "cancel")
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
def test_modal_capture_publishes_every_frame(modal_window, artifacts_dir):
    result = published_part(modal_window, "ok")
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
def test_a_publish_from_a_second_3d_view_captures_that_view(modal_window, artifacts_dir):
    """Two 3D views; Publish clicked in the smaller one's sidebar: that view is captured (in
    Blender's own context, no override), with another Python thread at work meanwhile."""
    result = published_part(modal_window, "second-view")
    keep(result, artifacts_dir, "blender-modal-second-view")
    assert result["outcome"] == "published", result["status"]
    assert captured_frames(result["seen"])[-1] == SECOND_VIEW_FRAMES
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
