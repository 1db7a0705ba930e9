"""Publish through the installed add-on's operator, as an artist's click does.

Args: a JSON file with blend, zip, task, review_session, comment, case (ok | nocamera | unsaved)
and invoke (bool: call with INVOKE_DEFAULT from a window and wait for the modal operator);
address: the texts of the open notes to tick in the "Addresses" box before publishing.
Prints RESULT {...}.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent.parent))

import bpy

from ft_dcc.host.pythonpath import ensure_hosts_package

ensure_hosts_package()  # the repo's hosts/ folder imports as ft_dcc_hosts
from ft_dcc_hosts.blender import demo_scene  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ui_clicks import grab_window, show_ftrack_tab, view3d  # noqa: E402

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
case = options.get("case", "ok")

if options.get("build", True):
    demo_scene.build(
        "" if case == "neversaved" else options["blend"],
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

for name in options.get("cameras", []):  # several cameras, each ticked "Review" in the panel
    scene = bpy.context.scene
    camera = bpy.data.objects.new(name, scene.camera.data.copy())
    camera.matrix_world = scene.camera.matrix_world
    scene.collection.objects.link(camera)
    camera.ftrack_review = True
settings = bpy.context.scene.ftrack_publish
settings.task = options["task"]
settings.review_session = options["review_session"]
settings.comment = options.get("comment", "")
settings.save_first = case != "unsaved"
wm = bpy.context.window_manager
refreshed = {}
if options.get("refresh"):
    try:
        bpy.ops.ftdcc.refresh()
    except RuntimeError as exc:
        refreshed["error"] = str(exc)
    connection = sys.modules[
        next(m for m in sys.modules if m.endswith("ft_dcc_blender.connection"))
    ]
    props_module = sys.modules[next(m for m in sys.modules if m.endswith("ft_dcc_blender.props"))]
    refreshed.update(connection.STATE)
    refreshed["items"] = [item[0] for item in props_module.session_items(None, bpy.context)]
    if "Open dailies" in refreshed["items"]:
        settings.review_session_pick = "Open dailies"
        refreshed["picked"] = settings.review_session
        settings.review_session = options["review_session"]


notes = {}  # the "Open notes" box: read, the options' notes ticked in it


def tick_open_notes():
    """Press the box's refresh button, then tick the notes whose text ``address`` lists (as
    the artist's clicks on their checkboxes set them)."""
    wanted = options.get("address")
    if wanted is None:
        return
    notes["returned"] = sorted(bpy.ops.ftdcc.notes_refresh())
    for item in settings.open_notes:
        if item.text in wanted:
            item.addressed = True
    notes["listed"] = [[i.heading, i.text, i.addressed] for i in settings.open_notes]


def _panel_connection():
    """What the panel's connection row draws (the add-on's ``connection.STATE``)."""
    name = next((m for m in sys.modules if m.endswith("ft_dcc_blender.connection")), None)
    return dict(sys.modules[name].STATE) if name else {}


def result_and_exit(returned):
    print(
        "RESULT "
        + json.dumps(
            {
                "returned": sorted(returned) if returned else None,
                "outcome": wm.ftdcc_outcome,
                "status": wm.ftdcc_status,
                "headline": wm.ftdcc_headline,
                "review_url": wm.ftdcc_review_url,
                "report": json.loads(wm.ftdcc_report) if wm.ftdcc_report else None,
                "background": bpy.app.background,
                "blender": bpy.app.version_string,
                "dirty_after": bpy.data.is_dirty,
                "camera_after": bpy.context.scene.camera.name if bpy.context.scene.camera else None,
                "engine_after": bpy.context.scene.render.engine,
                "refreshed": refreshed,
                "connection_after": _panel_connection(),
                "notes": notes,
                "notes_after": [[i.text, i.addressed] for i in settings.open_notes],
                "progress_seen": state.get("progress", []) if options.get("invoke") else [],
                "dirty_before": state["dirty_before"] if options.get("invoke") else None,
            }
        ),
        flush=True,
    )


if not options.get("invoke"):
    tick_open_notes()
    try:
        returned = bpy.ops.ftdcc.publish()
    except RuntimeError:  # an operator that reports an error raises in a script
        returned = {"CANCELLED"}
    state = {}
    result_and_exit(returned)
else:
    #: the publish is waited for until it ends, or for 600 s at most (a busy machine is slow)
    state = {"returned": None, "give_up_at": time.monotonic() + 600, "dirty_before": None}
    shots = options.get("screenshots", "")


    def screenshot(name):
        if shots:
            grab_window(Path(shots) / name)  # not bpy.ops.screen.screenshot: see grab_window

    def setup():
        _window, area, _sidebar = view3d()
        show_ftrack_tab()
        if case == "unsaved":
            bpy.data.objects["hero"].location.x += 1.0
            bpy.ops.ed.undo_push(message="move the hero")
        state["dirty_before"] = bpy.data.is_dirty
        tick_open_notes()
        area.tag_redraw()
        bpy.app.timers.register(start, first_interval=1.0)

    def start():
        screenshot("panel-before-publish.png")
        window, area, sidebar = view3d()
        # as a click on the sidebar's button: the operator runs in the sidebar region (a publish
        # whose context has no region captures through an override: see modal_capture.py)
        with bpy.context.temp_override(window=window, area=area, region=sidebar):
            try:
                state["returned"] = bpy.ops.ftdcc.publish("INVOKE_DEFAULT")
            except RuntimeError:
                state["returned"] = {"CANCELLED"}
        bpy.app.timers.register(wait, first_interval=0.5)

    def wait():
        if wm.ftdcc_busy and time.monotonic() < state["give_up_at"]:
            state.setdefault("progress", []).append(wm.ftdcc_progress)
            return 0.05
        view3d()[1].tag_redraw()
        bpy.app.timers.register(finish, first_interval=1.0)
        return None

    def finish():
        screenshot("panel-after-publish.png")
        if shots:  # the details popup, over the panel
            window, area, _sidebar = view3d()
            with bpy.context.temp_override(window=window, area=area):
                bpy.ops.ftdcc.details("INVOKE_DEFAULT")
            bpy.app.timers.register(finish_details, first_interval=1.0)
            return None
        finish_details()
        return None

    def finish_details():
        screenshot("panel-details.png")
        print("DIRTY_BEFORE", state["dirty_before"])
        result_and_exit(state["returned"])
        os._exit(0)

    bpy.app.timers.register(setup, first_interval=1.0)
