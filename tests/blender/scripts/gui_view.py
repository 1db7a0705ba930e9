"""The 3D view of Blender's window, and an artist's view of it unlike the camera's."""

import time

import bpy
from mathutils import Quaternion, Vector


def view3d():
    """(window, area, space) of the largest 3D view of the first window."""
    window = bpy.context.window_manager.windows[0]
    area = max(
        (a for a in window.screen.areas if a.type == "VIEW_3D"), key=lambda a: a.width * a.height
    )
    return window, area, area.spaces.active


def artist_view(perspective="PERSP"):
    """A view nothing like the camera's, with shading and overlay choices of its own."""
    _window, _area, space = view3d()
    r3d = space.region_3d
    r3d.view_perspective = perspective
    r3d.view_rotation = Quaternion((0.82, 0.31, 0.17, 0.45)).normalized()
    r3d.view_location = Vector((1.25, -0.5, 0.75))
    r3d.view_distance = 9.5
    r3d.view_camera_zoom = 7.0
    r3d.view_camera_offset = (0.05, -0.02)
    space.lens = 35.0
    space.shading.type = "SOLID"
    space.shading.light = "FLAT"
    space.shading.color_type = "RANDOM"
    space.shading.show_xray = True
    space.overlay.show_overlays = True
    space.overlay.show_floor = False


def after_a_draw(then, failed, timeout=120.0):
    """Tag every area for a redraw and call ``then()`` once a 3D view has drawn since (a
    condition, not a delay: a busy machine draws later); ``failed(message)`` if none has after
    ``timeout`` seconds."""
    drawn = []
    handle = bpy.types.SpaceView3D.draw_handler_add(
        lambda: drawn.append(True), (), "WINDOW", "POST_PIXEL"
    )
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            area.tag_redraw()
    deadline = time.monotonic() + timeout

    def poll():
        if not drawn and time.monotonic() < deadline:
            return 0.02
        bpy.types.SpaceView3D.draw_handler_remove(handle, "WINDOW")
        if drawn:
            then()
        else:
            failed(f"no 3D view drew within {timeout:.0f} s")
        return None

    bpy.app.timers.register(poll, first_interval=0.0)
