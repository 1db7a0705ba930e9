"""The "ftrack" tab of the 3D View sidebar."""

from __future__ import annotations

import bpy

from . import connection


class FTDCC_PT_publish(bpy.types.Panel):
    bl_label = "Publish for review"
    bl_idname = "FTDCC_PT_publish"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "ftrack"

    def draw(self, context):
        layout = self.layout
        scene = context.scene
        settings = scene.ftrack_publish
        wm = context.window_manager

        box = layout.box()
        row = box.row()
        icon = "CHECKMARK" if connection.STATE["connected"] else "ERROR"
        row.label(text=connection.STATE["message"], icon=icon)
        row.operator("ftdcc.refresh", text="", icon="FILE_REFRESH")

        layout.prop(settings, "task")
        row = layout.row(align=True)
        row.prop(settings, "review_session")
        row.prop(settings, "review_session_pick", text="", icon="DOWNARROW_HLT", icon_only=True)
        layout.prop(settings, "comment")
        layout.prop(settings, "save_first")

        layout.prop(settings, "use_scene_range")
        if settings.use_scene_range:
            layout.label(text=f"Frames {scene.frame_start}-{scene.frame_end}")
        else:
            row = layout.row(align=True)
            row.prop(settings, "frame_start")
            row.prop(settings, "frame_end")
        layout.prop(settings, "camera")
        if settings.camera is None:
            name = scene.camera.name if scene.camera else "none: add a camera"
            layout.label(text=f"Scene camera: {name}")

        row = layout.row()
        row.scale_y = 1.5
        row.enabled = not wm.ftdcc_busy
        row.operator("ftdcc.publish", text="Publish for review", icon="EXPORT")
        if wm.ftdcc_busy:
            layout.label(text=wm.ftdcc_progress, icon="TIME")
        elif wm.ftdcc_status:
            icon = {"published": "CHECKMARK", "queued": "INFO"}.get(wm.ftdcc_outcome, "ERROR")
            for line in _wrap(wm.ftdcc_status, 48):
                layout.label(text=line, icon=icon)
                icon = "BLANK1"
            if wm.ftdcc_review_url:
                layout.operator("ftdcc.open_review", icon="URL")


def _wrap(text: str, width: int):
    import textwrap

    return textwrap.wrap(text, width) or [""]


CLASSES = (FTDCC_PT_publish,)


def register():
    for cls in CLASSES:
        bpy.utils.register_class(cls)


def unregister():
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
