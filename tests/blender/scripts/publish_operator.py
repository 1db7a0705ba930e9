"""Publish through the installed add-on's operator, as an artist's click does.

Args: a JSON file with blend, zip, task, review_session, comment, case (ok | nocamera | unsaved)
and invoke (bool: call with INVOKE_DEFAULT from a window and wait for the modal operator).
Prints RESULT {...}.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent.parent))

import bpy

from hosts.blender import demo_scene

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
case = options.get("case", "ok")

if options.get("build", True):
    demo_scene.build(
        options["blend"],
        frame_start=1001,
        frame_end=1012,
        fps=25,
        width=320,
        height=180,
        camera=case != "nocamera",
    )
if case == "unsaved":
    bpy.data.objects["hero"].location.x += 1.0  # an edit after the save

if options.get("zip"):
    installed = (
        bpy.ops.extensions.package_install_files(
            filepath=options["zip"], repo="user_default", enable_on_install=True
        )
        if bpy.app.version >= (4, 2, 0)
        else None
    )
    if installed is None:
        import addon_utils

        bpy.ops.preferences.addon_install(filepath=options["zip"])
        addon_utils.enable("ft_dcc_blender", default_set=True)

settings = bpy.context.scene.ftrack_publish
settings.task = options["task"]
settings.review_session = options["review_session"]
settings.comment = options.get("comment", "")
settings.save_first = case != "unsaved"
wm = bpy.context.window_manager


def result_and_exit(returned):
    print(
        "RESULT "
        + json.dumps(
            {
                "returned": sorted(returned) if returned else None,
                "outcome": wm.ftdcc_outcome,
                "status": wm.ftdcc_status,
                "review_url": wm.ftdcc_review_url,
                "report": json.loads(wm.ftdcc_report) if wm.ftdcc_report else None,
                "background": bpy.app.background,
                "blender": bpy.app.version_string,
                "dirty_after": bpy.data.is_dirty,
                "camera_after": bpy.context.scene.camera.name if bpy.context.scene.camera else None,
                "engine_after": bpy.context.scene.render.engine,
            }
        ),
        flush=True,
    )


if not options.get("invoke"):
    try:
        returned = bpy.ops.ftdcc.publish()
    except RuntimeError:  # an operator that reports an error raises in a script
        returned = {"CANCELLED"}
    result_and_exit(returned)
else:
    state = {"returned": None, "ticks": 0}

    def start():
        window = wm.windows[0]
        area = next(a for a in window.screen.areas if a.type == "VIEW_3D")
        with bpy.context.temp_override(window=window, area=area):
            state["returned"] = bpy.ops.ftdcc.publish("INVOKE_DEFAULT")
        bpy.app.timers.register(wait, first_interval=0.5)

    def wait():
        state["ticks"] += 1
        if wm.ftdcc_busy and state["ticks"] < 1200:
            return 0.25
        result_and_exit(state["returned"])
        os._exit(0)

    bpy.app.timers.register(start, first_interval=1.0)
