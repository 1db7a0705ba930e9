"""The Task field's picker: a search popup of the server's tasks (the scene's own task first,
then the recent ones, then the rest of the shot or project) and a refresh button. The Task text
field stays for pasting an id or a path. (The settings profile that applies is the panel's
preview, ``preview.py``.)

The reading and ordering are ft_dcc's (``ft_dcc.host.task_choices``); this file only draws.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, List, TypedDict

import bpy

from . import connection, preview, props
from .wrapping import wrapped

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # pragma: no cover - ft_dcc is imported when the picker reads
    from ft_dcc_hosts.blender.untyped import Context

    from ft_dcc.host.task_choices import TaskChoice


class PickerState(TypedDict):
    """The picker's last read."""

    choices: List[TaskChoice]
    message: str  # why there are no choices, or ""
    settings: List[str]  # the settings profile's lines (ft_dcc.host.settings_view.panel_lines)


#: the last read
STATE: PickerState = {"choices": [], "message": "", "settings": []}
_items: List[tuple] = []  # Blender needs Python to keep enum item strings alive


def read_choices(context: Context) -> PickerState:
    """Read the task choices and the settings that apply into :data:`STATE`."""
    if not props.ft_dcc_ready(context):
        message = "ft_dcc is not importable: set the add-on's ft_dcc path"
        STATE.update({"choices": [], "message": message})
        return STATE
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.host.settings_view import panel_lines
    from ft_dcc.host.task_choices import load_picker

    try:
        session = connection.make_session(**props.connection_settings(context))
        try:
            picker = load_picker(session, "blender", bpy.data.filepath or None)
            connection.reached(session)  # the connection row shows it, not "Not checked yet"
        finally:
            session.close()
    except FtDccError as exc:
        STATE.update({"choices": [], "message": str(exc), "settings": []})
        return STATE
    found = "" if picker.choices else "No tasks on the server: create one in ftrack"
    settings = panel_lines(picker.settings)
    STATE.update({"choices": picker.choices, "message": found, "settings": settings})
    return STATE


def task_items(self, context):
    """The search popup's entries: ``Project/…/Shot/Task``, marked when recent or the scene's."""
    _items[:] = []
    for index, choice in enumerate(STATE["choices"]):
        icon = "FILE_BLEND" if choice.from_scene else "TIME" if choice.recent else "NONE"
        why = "the scene's path" if choice.from_scene else "recent" if choice.recent else "task"
        _items.append((str(index), choice.path, f"{why}: {choice.path}", icon, index))
    return _items


class FTDCC_OT_task_search(bpy.types.Operator):
    """Choose the task from the server's tasks (type to search; recent ones first)"""

    bl_idname = "ftdcc.task_search"
    bl_label = "Choose task"
    bl_property = "choice"

    choice: bpy.props.EnumProperty(name="Task", items=task_items)  # type: ignore[valid-type]

    def invoke(self, context, event):
        if not STATE["choices"]:
            read_choices(context)
        if not STATE["choices"]:
            self.report({"ERROR"}, STATE["message"] or "No tasks found")
            return {"CANCELLED"}
        context.window_manager.invoke_search_popup(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        index = int(self.choice) if self.choice.isdigit() else -1
        if not 0 <= index < len(STATE["choices"]):
            self.report({"ERROR"}, "Refresh the task list and choose again")
            return {"CANCELLED"}
        context.scene.ftrack_publish.task = STATE["choices"][index].path
        return {"FINISHED"}


class FTDCC_OT_task_refresh(bpy.types.Operator):
    """Read the server's tasks and the settings that apply again"""

    bl_idname = "ftdcc.task_refresh"
    bl_label = "Refresh tasks"

    def execute(self, context):
        preview.invalidate()  # the settings may have changed too
        state = read_choices(context)
        if state["message"]:
            self.report({"WARNING"}, state["message"])
        return {"FINISHED"}


def draw_task_field(layout, settings) -> None:
    """The panel's hook: the Task text field with the search and refresh buttons beside it."""
    row = layout.row(align=True)
    row.prop(settings, "task", text="")
    row.operator("ftdcc.task_search", text="", icon="VIEWZOOM")
    row.operator("ftdcc.task_refresh", text="", icon="FILE_REFRESH")
    chosen = next((c for c in STATE["choices"] if c.path == settings.task.strip()), None)
    if chosen is not None:  # the field shows the path's start: say which shot and task
        why = " (the scene's)" if chosen.from_scene else " (recent)" if chosen.recent else ""
        layout.label(text=chosen.label + why, icon="CHECKMARK")
    if STATE["message"]:
        wrapped(layout, STATE["message"], icon="INFO")


CLASSES = (FTDCC_OT_task_search, FTDCC_OT_task_refresh)


register, unregister = bpy.utils.register_classes_factory(CLASSES)
