"""Click "Publish for review" in Blender's window and watch the frame-by-frame capture: the panel
is drawn again while frames are captured (two screenshots of the X display, each with the
progress it showed),
and with case "cancel" a real Esc event (``Window.event_simulate``) cancels it.

One windowed Blender does several publishes one after the other (a windowed start costs seconds
of software-GL CPU): the add-on is installed once, and each publish opens its own scene first
(the first one is the scene Blender was started with), as an artist opens the next shot.

Args: a JSON file with zip and publishes, a list of: name, blend, task, review_session, case
(cancel | ok), frame_end (the scene's last frame, set before the publish), shots (a folder),
second_view (publish from a second, smaller 3D view) and
checkpoint (a path, or none: once this publish has ended, print ``CHECKPOINT <path>`` and wait
until that file exists before the next one, so that the test can look at the server between).
Prints RESULT {name: {...}}: for each publish, what the panel drew while capturing, the
screenshots, the outcome, and every scene and 3D view value that differs from before the
click. Another Python thread keeps busy from the click to the end (``busy_loops``: how much it
ran; ``overlapped``: the frames of the ``renders`` whose render it ran during).
"""

import json
import os
import re
import sys
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bpy  # noqa: E402
from gui_view import artist_view, view3d  # noqa: E402
from snapshot import differences, snapshot  # noqa: E402
from ui_clicks import checkpoint, grab_window, open_then  # noqa: E402

arguments = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
publishes = list(arguments["publishes"])
results = {}
CAPTURING = re.compile(r"Capturing frame (\d+)/(\d+)")
#: the publish being done: its options, and what is seen of it (:func:`begin` sets both)
options = {}
state = {"finished": True}


def wm():
    """The window manager (looked up each time: a scene opened since may have replaced it)."""
    return bpy.context.window_manager


def begin(publish):
    """The next publish's options and a record of its own (the last one's busy thread has
    stopped on its own record); the capture is watched until it ends, or for 600 s at most (a
    busy machine is slow)."""
    global state
    options.clear()
    options.update(publish)
    state = {
        "drawn": [], "seen": [], "shots": [], "esc_at": None,
        "give_up_at": time.monotonic() + 600,
    }  # fmt: skip


def install_addon():
    import addon_utils

    bpy.ops.preferences.addon_install(filepath=arguments["zip"])
    addon_utils.enable("ft_dcc_blender", default_set=True)
    from ft_dcc_hosts.blender import modal_capture  # importable once the add-on is enabled

    modal_capture.FRAME_BUDGET_S = 0.0  # one frame per turn of the loop, on any machine
    watch_stream_encoder()
    find = modal_capture.find_view3d

    def recording_find(*args):
        found = find(*args)
        state["captured_area"] = [found[1].width, found[1].height] if found[1] else None
        return found

    modal_capture.find_view3d = recording_find
    watch_renders(modal_capture.ViewportCapture)
    bpy.types.SpaceView3D.draw_handler_add(on_draw, (), "UI", "POST_PIXEL")


def watch_renders(capture_class):
    """Note each frame's ``render.opengl`` while it runs (``rendering``: its number), so that
    the busy thread can tell the frames it ran during (Blender lets go of the GIL there)."""
    render = capture_class._render_still

    def recording_render(self):
        state["renders"] = state.get("renders", 0) + 1
        state["rendering"] = state["renders"]
        try:
            return render(self)
        finally:
            state["rendering"] = None

    capture_class._render_still = recording_render


def panel_settings():
    settings = bpy.context.scene.ftrack_publish
    settings.task = options["task"]
    settings.review_session = options["review_session"]
    settings.save_first = True  # the panel settings above are edits: saved before publishing
    bpy.context.scene.frame_end = options["frame_end"]  # the shot's range, the task's


def second_view():
    """Split the 3D view: a second one beside it, about a third of its width, with its
    sidebar open; the artist publishes from that one."""
    window, area, _space = view3d()
    with bpy.context.temp_override(window=window, area=area):
        bpy.ops.screen.area_split(direction="VERTICAL", factor=0.33)
    small = min((a for a in window.screen.areas if a.type == "VIEW_3D"), key=area_size)
    small.spaces.active.show_region_ui = True
    return small


def area_size(area):
    return area.width * area.height


def watch_stream_encoder():
    """Record, for each frame handed to the streaming encoder, how many frames were on disk."""
    from ft_dcc.media.stream import StreamEncoder

    add = StreamEncoder.add

    def recording_add(self, frame):
        frame = Path(frame)
        state.setdefault("streamed", []).append(len(list(frame.parent.glob("frame_*.png"))))
        add(self, frame)

    StreamEncoder.add = recording_add


def on_draw():
    """Each time the sidebar is drawn during the publish: the progress it shows."""
    if wm().ftdcc_busy:
        state["drawn"].append(wm().ftdcc_progress)


def ui_region():
    _window, area, _space = view3d()
    return next(r for r in area.regions if r.type == "UI")


def screenshot(name):
    """What the X server shows (ffmpeg's x11grab): the window as Blender last drew it, seen
    from outside. (``bpy.ops.screen.screenshot`` during the capture crashed Blender 3.4 at
    times: a segmentation fault, 3 runs in 4.)"""
    window, _area, _space = view3d()
    region = ui_region()
    path = Path(options["shots"]) / name
    grab_window(path)
    state["shots"].append(
        {
            "name": name,
            "path": str(path),
            "progress": wm().ftdcc_progress,
            "window": [window.width, window.height],
            "ui_region": [region.x, region.y, region.width, region.height],
        }
    )


def click_ftrack_tab():
    """Blender 3.4 cannot select a sidebar tab from Python: click it (--enable-event-simulate);
    the tabs are Item, Tool, View, ftrack from the top, about 52 px apart at 1x scale."""
    window, _area, _space = view3d()
    region = ui_region()
    x, y = region.x + region.width - 10, region.y + region.height - 155
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
    window.event_simulate(type="LEFTMOUSE", value="PRESS", x=x, y=y)
    window.event_simulate(type="LEFTMOUSE", value="RELEASE", x=x, y=y)


def guarded(step):
    def run():
        try:
            return step()
        except Exception:
            state["error"] = traceback.format_exc()
            finish()
        return None

    return run


@guarded
def setup():
    """The publish's scene is open: its panel settings and 3D views, then the click."""
    for name in ("ftdcc_outcome", "ftdcc_status", "ftdcc_headline", "ftdcc_report"):
        setattr(wm(), name, "")  # the last publish's, kept by the window: empty as at start
    panel_settings()
    if options.get("second_view"):
        state["clicked"] = second_view()
    _window, area, space = view3d()
    space.show_region_ui = True
    artist_view()
    area.tag_redraw()
    bpy.app.timers.register(guarded(click_ftrack_tab), first_interval=0.5)
    bpy.app.timers.register(guarded(start), first_interval=1.5)


def start():
    state["before"] = snapshot(bpy.context.scene)
    screenshot("before.png")
    window, area, _space = view3d()
    clicked = state.get("clicked", area)
    state["clicked_area"] = [clicked.width, clicked.height]
    sidebar = next(r for r in clicked.regions if r.type == "UI")
    # as a click on the sidebar's button: the operator runs in that 3D view's sidebar region
    with bpy.context.temp_override(window=window, area=clicked, region=sidebar):
        state["returned"] = sorted(bpy.ops.ftdcc.publish("INVOKE_DEFAULT"))
    threading.Thread(target=busy_python, args=(state,), name="busy", daemon=True).start()
    bpy.app.timers.register(guarded(watch), first_interval=0.0)


#: the busy thread's rest between its bursts of work: it still runs during every frame's
#: render (``overlapped``) at a quarter of the CPU it took without rest (0.5 ms: 4.6 against
#: 1.1 CPU-s of the busy thread over the three publishes, each of their 29 frames overlapped)
BUSY_REST_S = 0.005


def busy_python(record):
    """Another Python thread at work through the whole capture, as an artist's session has
    (the streaming encoder, the event hub, the panel's preview read): Blender 3.4 reads a
    context override's members without the GIL while another thread holds it (a crash).
    Bursts of pure-Python work (each holding the GIL), a rest between; ``overlapped``: the
    frames whose render it ran during."""
    text = json.dumps([{"id": i, "name": f"shot{i}"} for i in range(200)])
    overlapped = record.setdefault("overlapped", [])
    while not record.get("finished"):
        for _ in range(5):
            json.loads(text)
            record["busy_loops"] = record.get("busy_loops", 0) + 1
            frame = record.get("rendering")
            if frame is not None and frame not in overlapped:
                overlapped.append(frame)
        time.sleep(BUSY_REST_S)


def watch():
    """Every turn of Blender's loop: screenshots at two points of the capture, then Esc."""
    text = wm().ftdcc_progress
    if not state["seen"] or state["seen"][-1] != text:
        state["seen"].append(text)
    match = CAPTURING.match(text)
    frame = int(match.group(1)) if match else 0
    taken = len(state["shots"])
    if taken == 1 and frame >= 2:
        screenshot("capturing-1.png")
        state["first_shot_frame"] = frame
    elif taken == 2 and frame >= state["first_shot_frame"] + 3:
        screenshot("capturing-2.png")
        if options["case"] == "cancel":
            window, _area, _space = view3d()
            window.event_simulate(type="ESC", value="PRESS")
            window.event_simulate(type="ESC", value="RELEASE")
            state["esc_at"] = text
    if wm().ftdcc_busy and time.monotonic() < state["give_up_at"]:
        return 0.01
    for area in view3d()[0].screen.areas:  # a 3D view's view_matrix is set when it draws
        area.tag_redraw()
    bpy.app.timers.register(guarded(after), first_interval=0.5)
    return None


def after():
    screenshot("after.png")
    state["diff"] = differences(state["before"], snapshot(bpy.context.scene))
    finish()


def finish():
    """This publish's record; then the next publish (after its checkpoint), or the RESULT."""
    state["finished"] = True
    result = {
        key: state.get(key)
        for key in (
            "drawn",
            "seen",
            "shots",
            "esc_at",
            "returned",
            "diff",
            "streamed",
            "busy_loops",
            "renders",
            "overlapped",
            "clicked_area",
            "captured_area",
        )
    }
    result.update(
        error=state.get("error"),
        blender=bpy.app.version_string,
        outcome=wm().ftdcc_outcome,
        headline=wm().ftdcc_headline,
        status=wm().ftdcc_status,
        report=json.loads(wm().ftdcc_report) if wm().ftdcc_report else None,
        busy=wm().ftdcc_busy,
    )
    results[options["name"]] = result
    if result["error"]:  # what went wrong may still be under way: no more publishes
        publishes.clear()
    if options.get("checkpoint"):
        checkpoint(Path(options["checkpoint"]), next_publish)
    else:
        next_publish()


def next_publish():
    """Open the next publish's scene and set it up there (a persistent timer: it outlives the
    scene it was registered in), or print the RESULT of all of them and leave."""
    if not publishes:
        print("RESULT " + json.dumps(results), flush=True)
        os._exit(0)
    begin(publishes.pop(0))
    open_then(options["blend"], setup)


def first_publish():
    """The first publish, in the scene Blender was started with."""
    begin(publishes.pop(0))
    install_addon()
    setup()


bpy.app.timers.register(guarded(first_publish), first_interval=1.0)
