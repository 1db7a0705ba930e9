"""Publish through the installed add-on's operator, as an artist's click does.

Args: a JSON file with blend, zip, task, review_session, comment, case (ok | nocamera | unsaved)
and invoke (bool: call with INVOKE_DEFAULT from a window and wait for the modal operator);
address: the texts of the open notes to tick in the "Addresses" box before publishing.
Prints RESULT {...}. With invoke, one window may do several publishes one after the other (a
windowed start costs seconds of software-GL CPU): checkpoint (a path: once this publish has
ended, print ``CHECKPOINT <path>`` and wait for that file, so that the test can look at the
server between) and then (a list of the later publishes' own blend, task, case, screenshots
and checkpoint, each opening its own scene); RESULT is then {"publishes": [{...}, ...]}.
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
from ui_clicks import (  # noqa: E402
    checkpoint,
    grab_window,
    open_then,
    show_ftrack_tab,
    view3d,
)

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


def panel_settings():
    """The panel's settings of the scene open now (looked up each time: a scene opened since
    has its own)."""
    return bpy.context.scene.ftrack_publish


def wm():
    """The window manager (looked up each time, as :func:`panel_settings`)."""
    return bpy.context.window_manager


def set_panel(case):
    """The task, session and comment typed in the panel; "save first" unless ``case`` is the
    unsaved edit's."""
    settings = panel_settings()
    settings.task = options["task"]
    settings.review_session = options["review_session"]
    settings.comment = options.get("comment", "")
    settings.save_first = case != "unsaved"


set_panel(case)
settings = panel_settings()
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
    for item in panel_settings().open_notes:
        if item.text in wanted:
            item.addressed = True
    notes["listed"] = [[i.heading, i.text, i.addressed] for i in panel_settings().open_notes]


def _panel_connection():
    """What the panel's connection row draws (the add-on's ``connection.STATE``)."""
    name = next((m for m in sys.modules if m.endswith("ft_dcc_blender.connection")), None)
    return dict(sys.modules[name].STATE) if name else {}


def result_of(returned):
    """What the publish left: the operator's return, the panel's outcome, the scene after."""
    manager = wm()
    return {
        "returned": sorted(returned) if returned else None,
        "outcome": manager.ftdcc_outcome,
        "status": manager.ftdcc_status,
        "headline": manager.ftdcc_headline,
        "review_url": manager.ftdcc_review_url,
        "report": json.loads(manager.ftdcc_report) if manager.ftdcc_report else None,
        "background": bpy.app.background,
        "blender": bpy.app.version_string,
        "dirty_after": bpy.data.is_dirty,
        "camera_after": bpy.context.scene.camera.name if bpy.context.scene.camera else None,
        "engine_after": bpy.context.scene.render.engine,
        "refreshed": refreshed,
        "connection_after": _panel_connection(),
        "notes": notes,
        "notes_after": [[i.text, i.addressed] for i in panel_settings().open_notes],
        "progress_seen": state.get("progress", []) if options.get("invoke") else [],
        "dirty_before": state["dirty_before"] if options.get("invoke") else None,
    }


if not options.get("invoke"):
    tick_open_notes()
    try:
        returned = bpy.ops.ftdcc.publish()
    except RuntimeError:  # an operator that reports an error raises in a script
        returned = {"CANCELLED"}
    state = {}
    print("RESULT " + json.dumps(result_of(returned)), flush=True)
else:
    #: the publishes after the first, each in a scene of its own opened in this window
    later = list(options.get("then", []))
    results = []
    state = {}

    def begin():
        """A record of the next publish's own; waited for until it ends, or for 600 s at most
        (a busy machine is slow)."""
        state.clear()
        state.update(returned=None, give_up_at=time.monotonic() + 600, dirty_before=None)
        notes.clear()

    def screenshot(name):
        if options.get("screenshots"):  # not bpy.ops.screen.screenshot: see grab_window
            grab_window(Path(options["screenshots"]) / name)

    def setup():
        _window, area, _sidebar = view3d()
        show_ftrack_tab()
        if options.get("case") == "unsaved":
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
        if wm().ftdcc_busy and time.monotonic() < state["give_up_at"]:
            state.setdefault("progress", []).append(wm().ftdcc_progress)
            return 0.05
        view3d()[1].tag_redraw()
        bpy.app.timers.register(finish, first_interval=1.0)
        return None

    def finish():
        screenshot("panel-after-publish.png")
        if options.get("screenshots"):  # the details popup, over the panel
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
        results.append(result_of(state["returned"]))
        if options.get("checkpoint"):
            checkpoint(Path(options.pop("checkpoint")), next_publish)
        else:
            next_publish()

    def next_publish():
        """The next publish of ``then`` in its own scene, or the RESULT: the one publish's, or
        ``{"publishes": [...]}`` when there were several."""
        if not later:
            print("RESULT " + json.dumps(results[0] if len(results) == 1 else
                                         {"publishes": results}), flush=True)  # fmt: skip
            os._exit(0)
        options.update(later.pop(0))
        begin()
        open_then(options["blend"], setup_opened)

    def setup_opened():
        """The next publish's scene is open: the panel as the artist fills it in, then as the
        first publish."""
        for name in ("ftdcc_outcome", "ftdcc_status", "ftdcc_headline", "ftdcc_report"):
            setattr(wm(), name, "")  # the last publish's, kept by the window: empty as at start
        set_panel(options.get("case", "ok"))
        setup()

    begin()
    bpy.app.timers.register(setup, first_interval=1.0)
