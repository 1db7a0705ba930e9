"""In Blender with a window: set an artist's 3D view, capture through BlenderHost's viewport path,
and compare every value of the view (and the scene) with its value before.

Args: a JSON file with python_paths (ft_dcc and its dependencies), out_dir and cases, run one
after the other in the one window (a GUI Blender start is seconds of software-GL CPU), each
{name, mode ("host": the whole capture in one call; "cancel": the frame-by-frame capture of the
GUI, cancelled after two frames), perspective (PERSP/ORTHO)}: each sets the artist's view
afresh and compares with its own "before". Prints RESULT {blender, background, cases: {name:
{...}}}.
"""

import json
import os
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
sys.path.insert(0, str(HERE))
sys.path.extend(options["python_paths"])  # after Blender's own: its numpy stays first

import bpy  # noqa: E402

from ft_dcc.host.pythonpath import ensure_hosts_package  # noqa: E402

ensure_hosts_package()
from ft_dcc_hosts.blender.host import BlenderHost  # noqa: E402
from gui_view import after_a_draw, artist_view  # noqa: E402
from snapshot import differences, snapshot  # noqa: E402

out_dir = Path(options["out_dir"])


def case():
    """The case running now."""
    return options["cases"][state["index"]]


def case_result():
    return state["result"]["cases"].setdefault(case()["name"], {})


def run_capture(host, spec, folder):
    if case()["mode"] == "host":
        return host.capture(spec, folder / "host")
    from ft_dcc_hosts.blender.modal_capture import ViewportCapture

    capture = ViewportCapture(spec, folder / "cancel", host.scene)
    capture.begin()
    capture.step()
    capture.step()
    capture.cancel()
    return None


state = {
    "result": {"blender": bpy.app.version_string, "background": bpy.app.background, "cases": {}},
    "index": 0,
}


def guarded(step):
    def run():
        try:
            return step()
        except Exception:
            case_result()["error"] = traceback.format_exc()
            finish()
        return None

    return run


@guarded
def set_view():
    artist_view(case()["perspective"])
    # the view matrix is computed when the view is drawn
    after_a_draw(guarded(capture), failed)


def capture():
    result = case_result()
    folder = out_dir / case()["name"]
    scene = bpy.context.scene
    state["before"] = before = snapshot(scene)
    host = BlenderHost(use_viewport=True)
    spec = host.default_spec(frame_start=scene.frame_start, frame_end=scene.frame_start + 4)
    captured = run_capture(host, spec, folder)
    result["files"] = [str(p) for p in captured.files] if captured else []
    result["left_in_folder"] = sorted(p.name for p in folder.rglob("*.png"))
    result["compared"] = sorted(k for k in before if ".region_3d." in k or "].shading" in k)
    result["diff"] = differences(before, snapshot(scene))
    after_a_draw(guarded(after_redraw), failed)


def after_redraw():
    case_result()["diff_after_redraw"] = differences(state["before"], snapshot(bpy.context.scene))
    state["index"] += 1
    if state["index"] < len(options["cases"]):
        after_a_draw(set_view, failed)  # the next case, in the same window
    else:
        finish()


def failed(message):
    case_result()["error"] = message
    finish()


def finish():
    print("RESULT " + json.dumps(state["result"]), flush=True)
    os._exit(0)


after_a_draw(set_view, failed)  # once the window is up and has drawn
