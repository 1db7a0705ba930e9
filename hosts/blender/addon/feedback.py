"""The "Review feedback" sub-panel of the sidebar's ftrack tab: reviewers' statuses and notes on
the task's latest versions; choosing a note moves the timeline to its frame; a note's eye button
shows its drawing over the 3D viewport on its frames, through the camera of the version it was
drawn on (``overlay.py``), and hides it again; a
version marked "addressed in v003?" has a button opening the review page comparing the two.

The reading and ordering are ft_dcc's (``ft_dcc.host.feedback``); this file only draws rows.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any, List, TypedDict

import bpy

from . import connection, overlay, props
from .panel import SidebarPanel

if TYPE_CHECKING:  # pragma: no cover - ft_dcc is imported when the panel reads
    from ft_dcc_hosts.blender.untyped import Context

    from ft_dcc.host.feedback import FeedbackRow


class FeedbackState(TypedDict):
    """The panel's last read of the task's feedback."""

    rows: List[FeedbackRow]
    message: str  # why there are no rows, or ""
    task: str  # the task the rows are of


#: the last read
STATE: FeedbackState = {
    "rows": [], "message": "Press the refresh button to read the notes", "task": ""
}
#: characters per line of a note in the default sidebar's width
WRAP = 30
STATUS_ICONS = {"Approved": "CHECKMARK", "Changes requested": "ERROR"}


def read_feedback(context: Context) -> FeedbackState:
    """Read the feedback of the panel's task (or FTRACK_CONTEXTID) into :data:`STATE`."""
    if not props.ft_dcc_ready(context):
        message = "ft_dcc is not importable: set the add-on's ft_dcc path"
        STATE.update({"rows": [], "message": message})
        return STATE
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.host.feedback import fetch_task_feedback

    conn = props.connection_settings(context)
    task = context.scene.ftrack_publish.task.strip() or None
    opened: List[Any] = []

    def make_session() -> Any:
        opened.append(connection.make_session(**conn))
        return opened[-1]

    try:
        found = fetch_task_feedback(task, make_session=make_session)
    except FtDccError as exc:
        STATE.update({"rows": [], "message": str(exc), "task": ""})
        return STATE
    connection.reached(opened[-1])  # the connection row shows it, not "Not checked yet"
    STATE.update({"rows": found.rows(), "message": "", "task": found.task})
    return STATE


class FTDCC_OT_feedback_refresh(bpy.types.Operator):
    """Read the reviewers' notes and statuses on this task's latest versions"""

    bl_idname = "ftdcc.feedback_refresh"
    bl_label = "Read feedback"

    def execute(self, context):
        state = read_feedback(context)
        if state["message"]:
            self.report({"ERROR"}, state["message"])
            return {"CANCELLED"}
        return {"FINISHED"}


class FTDCC_OT_feedback_goto(bpy.types.Operator):
    """Go to the frame of this note"""

    bl_idname = "ftdcc.feedback_goto"
    bl_label = "Go to the note's frame"

    frame: bpy.props.IntProperty(name="Frame")  # type: ignore[valid-type]

    def execute(self, context):
        context.scene.frame_set(self.frame)  # frame_current, with the scene evaluated there
        return {"FINISHED"}


def _row(index: int) -> Any:
    rows = STATE["rows"]
    return rows[index] if 0 <= index < len(rows) else None


class FTDCC_OT_feedback_drawing(bpy.types.Operator):
    """Show this note's drawing over the viewport on its frames, or hide it"""

    bl_idname = "ftdcc.feedback_drawing"
    bl_label = "Show or hide the note's drawing"

    index: bpy.props.IntProperty(name="Row")  # type: ignore[valid-type]
    show: bpy.props.BoolProperty(name="Show", default=True)  # type: ignore[valid-type]

    def execute(self, context):
        row = _row(self.index)
        if row is None or not row.note_id:
            self.report({"ERROR"}, "Read the feedback again and choose a note")
            return {"CANCELLED"}
        if not self.show:
            overlay.hide(row.note_id)
            return {"FINISHED"}
        from ft_dcc.exceptions import FtDccError
        from ft_dcc.host.overlay import http_download, note_overlays

        conn = props.connection_settings(context)
        try:
            camera = row.camera  # read with the feedback: no session on this click
            download = http_download(conn.get("api_user") or None, conn.get("api_key") or None)
            found = note_overlays(row, download, camera=camera)
        except FtDccError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        for drawing in found:
            overlay.show(drawing)
        if found:
            context.scene.frame_set(found[0].first)
        if camera is not None:
            self._look_through(context, camera)
        return {"FINISHED"}

    def _look_through(self, context, camera: str) -> None:
        """A drawing made on one camera's version: the view goes through that camera (the
        drawing is shown over no other), or the artist is told the scene lacks it."""
        found = context.scene.objects.get(camera)
        if found is None or found.type != "CAMERA":
            self.report({"WARNING"}, f"Drawn on camera {camera}, which this scene has not: "
                        "the drawing shows only through that camera")  # fmt: skip
            return
        if context.area is not None and context.area.type == "VIEW_3D":
            overlay.look_through(context.area, found)
        self.report({"INFO"}, f"Drawn on camera {camera}: shown through it only")


class FTDCC_OT_feedback_compare(bpy.types.Operator):
    """Open the review page comparing this version with the newer one"""

    bl_idname = "ftdcc.feedback_compare"
    bl_label = "Compare in the review page"

    index: bpy.props.IntProperty(name="Row")  # type: ignore[valid-type]

    def execute(self, context):
        from ft_dcc.exceptions import FtDccError
        from ft_dcc.host.feedback import open_compare

        conn = props.connection_settings(context)
        row = _row(self.index)
        try:
            open_compare(row, make_session=lambda: connection.make_session(**conn))
        except (FtDccError, TypeError) as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        return {"FINISHED"}


class FTDCC_PT_feedback(SidebarPanel, bpy.types.Panel):
    bl_label = "Review feedback"
    bl_idname = "FTDCC_PT_feedback"
    bl_parent_id = "FTDCC_PT_publish"

    def draw(self, context):
        layout = self.layout
        row = layout.row()
        row.label(text=STATE["task"] or "Latest versions of the task")
        row.operator("ftdcc.feedback_refresh", text="", icon="FILE_REFRESH")
        if STATE["message"]:  # wrapped: the narrow sidebar cuts a long line off
            for number, line in enumerate(textwrap.wrap(STATE["message"], WRAP - 4)):
                layout.label(text=line, icon="INFO" if number == 0 else "BLANK1")
        col = layout.column(align=True)
        for index, item in enumerate(STATE["rows"]):
            _draw_row(col, item, index)


def _draw_row(col, item, index: int = 0) -> None:
    indent = "    " * item.depth
    if item.kind == "version":
        col.separator()
        row = col.row(align=True)
        row.label(text=item.text, icon="FILE_MOVIE")
        if item.compare:
            row.operator("ftdcc.feedback_compare", text="", icon="WINDOW").index = index
    elif item.kind == "status":
        word = item.text.split(":", 1)[0]
        col.label(text=item.text, icon=STATUS_ICONS.get(word, "QUESTION"))
    elif item.kind == "note":
        icon = "GREASEPENCIL" if item.drawings else ("TIME" if item.frame is not None else "DOT")
        where = f"{item.frame}" if item.frame is not None else "reply" if item.depth else "-"
        heading = f"{indent}{where}  {item.author}"
        if item.frame is not None and item.drawing_urls:  # go there; show or hide the drawing
            row = col.row(align=True)
            row.operator("ftdcc.feedback_goto", text=heading, icon=icon).frame = item.frame
            on = item.note_id in overlay.SHOWN
            button = row.operator(
                "ftdcc.feedback_drawing", text="", icon="HIDE_OFF" if on else "HIDE_ON"
            )
            button.index, button.show = index, not on
        elif item.frame is not None:  # a button: choosing the note moves the timeline there
            col.operator("ftdcc.feedback_goto", text=heading, icon=icon).frame = item.frame
        else:
            col.label(text=heading, icon=icon)
        for line in textwrap.wrap(item.content, WRAP) or [""]:
            col.label(text=f"{indent}      {line}")
    else:
        col.label(text=item.text, icon="INFO")


CLASSES = (
    FTDCC_OT_feedback_refresh,
    FTDCC_OT_feedback_goto,
    FTDCC_OT_feedback_drawing,
    FTDCC_OT_feedback_compare,
    FTDCC_PT_feedback,
)


register, unregister = bpy.utils.register_classes_factory(CLASSES)
