"""The "ftrack" tab of the 3D View sidebar."""

from __future__ import annotations

import json
import textwrap

import bpy

from . import cameras, connection, open_notes, preview, task_picker, wrapping


class SidebarPanel:
    """Where the add-on's panels live: the 3D View's sidebar, tab "ftrack"."""

    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "ftrack"


class FTDCC_PT_publish(SidebarPanel, bpy.types.Panel):
    bl_label = "Publish for review"
    bl_idname = "FTDCC_PT_publish"

    def draw(self, context):
        layout = self.layout
        scene = context.scene
        settings = scene.ftrack_publish
        wm = context.window_manager

        preview.ensure(context)  # what the publish will use: read in a worker thread
        _draw_connection(layout.box())

        # labels above their fields: the default sidebar is too narrow for labels beside them
        col = layout.column(align=True)
        col.label(text="Task")
        task_picker.draw_task_field(col, settings)
        preview.draw_task(col, settings)
        col.label(text="Review session")
        row = col.row(align=True)
        row.prop(settings, "review_session", text="")
        row.prop(settings, "review_session_pick", text="", icon="DOWNARROW_HLT", icon_only=True)
        preview.draw_review_session(col, settings)
        col.label(text="Comment")
        col.prop(settings, "comment", text="")
        layout.prop(settings, "save_first")

        layout.prop(settings, "use_scene_range")
        if settings.use_scene_range:
            layout.label(text=f"Frames {scene.frame_start}-{scene.frame_end}")
        else:
            row = layout.row(align=True)
            row.prop(settings, "frame_start", text="Start")
            row.prop(settings, "frame_end", text="End")
        col = layout.column(align=True)
        col.label(text="Camera")
        col.prop(settings, "camera", text="")
        if settings.camera is None:
            name = scene.camera.name if scene.camera else "none: add one"
            col.label(text=f"Scene camera: {name}")
        cameras.draw(layout, scene)  # several cameras: one version each
        open_notes.draw(layout, settings)  # the open notes this version addresses

        row = layout.row()
        row.scale_y = 1.5
        row.enabled = not wm.ftdcc_busy
        row.operator("ftdcc.publish", text="Publish for review", icon="EXPORT")
        layout.operator("ftdcc.publish_on_farm", icon="NETWORK_DRIVE")  # farm_op.py
        if wm.ftdcc_busy:
            _draw_progress(layout, wm)
        elif wm.ftdcc_status:
            _draw_outcome(layout, wm)
        preview.draw_settings(layout)


def _draw_connection(box) -> None:
    """The server row (wrapped: a URL and user do not fit the narrow sidebar on one line)."""
    icon = "CHECKMARK" if connection.STATE["connected"] else "ERROR"
    first, *rest = textwrap.wrap(connection.STATE["message"], wrapping.WRAP) or [""]
    row = box.row()
    row.label(text=first, icon=icon)
    row.operator("ftdcc.refresh", text="", icon="FILE_REFRESH")
    for line in rest:
        box.label(text=line, icon="BLANK1")


def _draw_progress(layout, wm) -> None:
    """The running publish: what it does ("Capturing frame 12/48"), a bar, how to cancel."""
    layout.label(text=wm.ftdcc_progress, icon="TIME")
    row = layout.row()
    row.enabled = False  # a bar to read, not a field to drag
    row.prop(wm, "ftdcc_fraction", text="", slider=True)
    if wm.ftdcc_can_cancel and not wm.ftdcc_cancelling:
        layout.label(text="Esc to cancel", icon="CANCEL")


def _draw_outcome(layout, wm) -> None:
    """One line saying how the last publish went, then "Details" and "Open review"."""
    icons = {"published": "CHECKMARK", "queued": "INFO", "cancelled": "CANCEL"}
    icon = icons.get(wm.ftdcc_outcome, "ERROR")
    layout.label(text=wm.ftdcc_headline or wm.ftdcc_outcome.capitalize(), icon=icon)
    if wm.ftdcc_repairs:
        _draw_repairs(layout.box(), json.loads(wm.ftdcc_repairs))
    col = layout.column(align=True)  # stacked: side by side the labels are cut
    col.operator("ftdcc.details", icon="TEXT")
    if wm.ftdcc_review_url:
        col.operator("ftdcc.open_review", icon="URL")


def _draw_repairs(box, offers) -> None:
    """Each failed check that offers a repair: its label and message, what the repair is, and
    one "Repair and publish" button (the publish again, its repairs run first in Blender)."""
    for offer in offers:
        col = box.column(align=True)
        wrapping.wrapped(col, offer["check"], icon="ERROR", width=WRAP_BOX)
        wrapping.wrapped(col, offer["message"], icon="BLANK1", width=WRAP_BOX)
        wrapping.wrapped(col, f"Repair: {offer['label']}", icon="TOOL_SETTINGS", width=WRAP_BOX)
    row = box.row()
    row.scale_y = 1.3
    button = row.operator("ftdcc.publish", text=REPAIR_BUTTON, icon="FILE_REFRESH")
    button.repair = True


#: the repair button's text (``ft_dcc.host.messages.REPAIR_BUTTON``: the panel draws before
#: ft_dcc may be importable)
REPAIR_BUTTON = "Repair and publish"
#: characters a line of the repair box (its lines start with an icon)
WRAP_BOX = wrapping.WRAP - 4


CLASSES = (FTDCC_PT_publish,)


register, unregister = bpy.utils.register_classes_factory(CLASSES)
