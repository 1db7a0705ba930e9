"""Debian's Blender 3.4 with a window (Xvfb): the sidebar panel draws, and the operator's real
viewport playblast (``render.opengl``, frame by frame) publishes; an unsaved edit is refused.

Both publishes are one Blender run (``gui_window``; a windowed start costs seconds of software-GL
CPU), each from its own copy of the scene and on its own task: the refused one first, the
server's entities counted after it (a checkpoint), then the one that publishes."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from blender_helpers import (
    ROOT,
    blender_environment,
    build_addon_zip,
    cached_blend,
    needs_gui_blender,
    on_own_server,
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
    """One publish from the sidebar of a windowed Blender (``publish_operator.py``); its RESULT."""
    return run_blender(
        "publish_operator.py",
        [write_json(tmp_path / "gui.json", gui_options(tmp_path, blend, task, case, screenshots))],
        env,
        gui=True,
        blend=blend,
    )


def gui_options(tmp_path, blend, task, case, screenshots):
    """A publish's options; the add-on's zip built in ``tmp_path``."""
    return {
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


#: the publishes of the one windowed run, in order: the refused one first, so that the server
#: is looked at before the other publishes
CASES = ("unsaved", "ok")


@pytest.fixture(scope="module")
def gui_window(tmp_path_factory):
    """The module's one windowed Blender run, on a server of its own: the publishes of
    :data:`CASES`, each from its own copy of the scene and on its own task; after the refused
    one (a checkpoint) the server's entities are counted. {"server", "before", "after_refused",
    case: {"result", "shots"}}."""
    yield from on_own_server(tmp_path_factory, "gui-window", run_gui_window)


def run_gui_window(folder, server):
    session = open_session(server, folder)
    env = server_env(blender_environment(folder), server)
    publishes = []
    for case in CASES:  # each with a folder of its own (its scene, its copy of the zip)
        (folder / case / "shots").mkdir(parents=True)
        task = make_task(session, f"blgui{uuid.uuid4().hex[:8]}")
        blend = build_scene_34(folder / case, env)
        shots = str(folder / case / "shots")
        publishes.append(gui_options(folder / case, blend, task, case, shots))
    seen = {"server": server, "before": count_entities(session)}

    def look(_path):  # the refused publish has ended: what it left
        seen["after_refused"] = count_entities(open_session(server, folder / "again"))

    first = dict(publishes[0], checkpoint=str(folder / "refused-looked-at"), then=publishes[1:])
    result = run_blender(
        "publish_operator.py", [write_json(folder / "gui.json", first)], env, gui=True,
        blend=Path(first["blend"]), checkpoint=look,
    )  # fmt: skip
    parts = result.get("publishes", [])
    stopped = f"the run stopped before this publish; its output:\n{result['_output'][-4000:]}"
    for index, case in enumerate(CASES):
        part = parts[index] if index < len(parts) else None
        seen[case] = {"result": part, "shots": folder / case / "shots", "stopped": stopped}
    return seen


def gui_part(gui_window, case):
    """A publish's part of the run (its RESULT, its screenshots folder)."""
    part = gui_window[case]
    assert part["result"] is not None, part["stopped"]
    return part["result"], part["shots"]


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
