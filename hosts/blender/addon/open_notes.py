"""The publish panel's "Open notes" box: the task's open to-dos, each with a
checkbox; the ticked ones go into the publish as ``ft-dcc publish --addresses`` names them
(``request.py``). Read on the box's refresh button in one request, as the task picker reads
(``ft_dcc.host.open_notes``); this file only keeps the rows and draws them.
"""

from __future__ import annotations

from typing import Any, List

import bpy

from . import connection, props, wrapping

#: the box's heading (``ft_dcc.host.open_notes.HEADING``: the panel draws before ft_dcc may
#: be importable)
HEADING = "Open notes"
#: characters of a note's line beside its checkbox in the narrow sidebar
LINE_CHARS = wrapping.WRAP - 4
#: why the box is empty, or "" (the last read's message)
STATE = {"message": "", "task": ""}


class FTDCC_OT_notes_refresh(bpy.types.Operator):
    """Read the task's open notes (to-dos) to tick the ones this version addresses"""

    bl_idname = "ftdcc.notes_refresh"
    bl_label = "Read open notes"

    def execute(self, context):
        if not props.ft_dcc_ready(context):
            self.report({"ERROR"}, "ft_dcc is not importable: set the add-on's ft_dcc path")
            return {"CANCELLED"}
        from ft_dcc.host.open_notes import fetch_open_notes

        settings = context.scene.ftrack_publish
        conn = props.connection_settings(context)
        opened: List[Any] = []

        def make_session() -> Any:  # its start rides with the read: one request
            opened.append(connection.deferred_session(conn))
            return opened[-1]

        found = fetch_open_notes(settings.task.strip() or None, make_session)
        ticked = {item.note_id for item in settings.open_notes if item.addressed}
        settings.open_notes.clear()
        for note in found.notes:
            item = settings.open_notes.add()
            item.note_id, item.heading, item.text = note.id, note.heading, note.text
            item.addressed = note.id in ticked  # a choice survives a refresh
        settings.open_notes_task = settings.task.strip()
        STATE.update(message=found.message, task=found.task)
        if found.message and not found.task:  # an error, not "no open notes"
            self.report({"ERROR"}, found.message)
            return {"CANCELLED"}
        connection.reached(opened[-1])  # the connection row shows it, not "Not checked yet"
        return {"FINISHED"}


def stale(settings) -> bool:
    """The Task field changed since the notes were read: they are another task's."""
    return bool(settings.open_notes) and settings.open_notes_task != settings.task.strip()


def ticked(settings) -> List[str]:
    """The ids of the ticked notes, in the list's order (the publish's ``addresses``); none
    when they were read for another task than the Task field's (:func:`stale`)."""
    if stale(settings):
        return []
    return [item.note_id for item in settings.open_notes if item.addressed]


def forget_ticked(settings) -> None:
    """After a publish (or its queueing) that addressed them: the ticked notes are no longer
    open, so their rows go."""
    for index in reversed(range(len(settings.open_notes))):
        if settings.open_notes[index].addressed:
            settings.open_notes.remove(index)


def draw(layout, settings) -> None:
    """The box: heading and refresh button, then one checkbox per open note."""
    box = layout.box()
    row = box.row()
    row.label(text=HEADING, icon="CHECKBOX_HLT")
    row.operator("ftdcc.notes_refresh", text="", icon="FILE_REFRESH")
    if stale(settings):
        wrapping.wrapped(box, "The task changed: refresh to list its open notes",
                         icon="ERROR", width=LINE_CHARS)  # fmt: skip
        return
    col = box.column(align=True)
    for item in settings.open_notes:
        col.prop(item, "addressed", text=item.heading)
        wrapping.wrapped(col, " ".join(item.text.split()), icon="BLANK1", width=LINE_CHARS)
    if STATE["message"]:
        wrapping.wrapped(box, STATE["message"], icon="INFO", width=LINE_CHARS)
    elif not settings.open_notes:
        wrapping.wrapped(box, "Refresh to list the task's open notes", icon="INFO",
                         width=LINE_CHARS)  # fmt: skip


CLASSES = (FTDCC_OT_notes_refresh,)


register, unregister = bpy.utils.register_classes_factory(CLASSES)
