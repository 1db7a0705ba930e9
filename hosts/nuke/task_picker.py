"""Nodes > ftrack > Choose task...: a panel to pick the task of the Write nodes to publish,
project -> shot -> task (the script's own task first when its path matches the settings' path
templates, then the recent ones), a field to type a task path ("did you mean" for an unknown
one), and the settings profile that applies. "Use this task" writes the chosen path into the
ftrack review tab's task knob of the Write nodes a publish takes.

The reading and ordering are ft_dcc's (``ft_dcc.host.task_choices``); this only lays out knobs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable, List, Optional

import nuke
import nukescripts

from .menus import add_commands, show_panel

if TYPE_CHECKING:
    from ft_dcc.host.task_choices import Picker, TaskChoice

log = logging.getLogger(__name__)

PANEL_ID = "uk.ft_dcc.task_picker"
TITLE = "ftrack: choose the task"
MENU_ITEM = "ftrack/Choose task..."


def _unique(items: List[str]) -> List[str]:
    return list(dict.fromkeys(items))


def _project(choice: TaskChoice) -> str:
    return choice.path.split("/", 1)[0]


def _shot(choice: TaskChoice) -> str:
    """The task's parents below the project (``sq010/sh010``)."""
    return choice.context.split("/", 1)[1] if "/" in choice.context else choice.context


def _entry(choice: TaskChoice) -> str:
    mark = " (the script's)" if choice.from_scene else " (recent)" if choice.recent else ""
    return choice.name + mark


class TaskPickerPanel(nukescripts.PythonPanel):
    """Three menus narrowing the picker's choices, a path field, the settings lines."""

    def __init__(self, picker: Picker) -> None:
        from ft_dcc.host.settings_view import panel_lines

        super().__init__(TITLE, PANEL_ID)
        self.choices = list(picker.choices)
        self.project = nuke.Enumeration_Knob("project", "Project", _unique(
            [_project(c) for c in self.choices]))  # fmt: skip
        self.shot = nuke.Enumeration_Knob("shot", "Shot", [])
        self.task = nuke.Enumeration_Knob("task", "Task", [])
        self.path = nuke.String_Knob("path", "or type a task path")
        self.status = nuke.Text_Knob("status", "", "")
        self.use = nuke.PyScript_Knob("use", "Use this task")
        for knob in (self.project, self.shot, self.task, self.path, self.status, self.use):
            self.addKnob(knob)
        self.addKnob(
            nuke.Text_Knob("settings", "Settings", "\n".join(panel_lines(picker.settings)))
        )
        self.setMinimumSize(520, 260)
        self._fill_shots()

    # -- the menus --------------------------------------------------------------------------
    def _in_project(self) -> List[TaskChoice]:
        return [c for c in self.choices if _project(c) == self.project.value()]

    def _in_shot(self) -> List[TaskChoice]:
        return [c for c in self._in_project() if _shot(c) == self.shot.value()]

    def _fill_shots(self) -> None:
        self.shot.setValues(_unique([_shot(c) for c in self._in_project()]))
        self._fill_tasks()

    def _fill_tasks(self) -> None:
        self.task.setValues([_entry(c) for c in self._in_shot()])
        self._show_chosen()

    def chosen(self) -> Optional[TaskChoice]:
        """The task the menus show (None when the project has none)."""
        return next((c for c in self._in_shot() if _entry(c) == self.task.value()), None)

    def _show_chosen(self) -> None:
        choice = self.chosen()
        self.status.setValue(f"Task: {choice.path}" if choice else "No task here")

    def knobChanged(self, knob: nuke.Knob) -> None:
        if knob is self.project:
            self._fill_shots()
        elif knob is self.shot:
            self._fill_tasks()
        elif knob is self.task:
            self._show_chosen()
        elif knob is self.path:
            self.go_to(str(knob.value()).strip())
        elif knob is self.use:
            choice = self.chosen()
            if choice is not None:
                use_task(choice.path)

    # -- typing a path ----------------------------------------------------------------------
    def go_to(self, path: str) -> Optional[TaskChoice]:
        """Show the task ``path`` in the menus; an unknown one says the nearest ("did you
        mean") and what the shot holds."""
        from ft_dcc.publish.context.tasks import nearest_names

        found = next((c for c in self.choices if c.path == path), None)
        if found is None:
            near = nearest_names(path, [c.path for c in self.choices])
            hint = f": did you mean {near[0]!r}?" if near else ": choose it in the menus"
            self.status.setValue(f"No task {path!r} here{hint}")
            return None
        self.project.setValue(_project(found))
        self._fill_shots()
        self.shot.setValue(_shot(found))
        self._fill_tasks()
        self.task.setValue(_entry(found))
        self._show_chosen()
        return found


def target_writes() -> List[nuke.Node]:
    """The Write nodes a publish takes: the selected ones, else the ticked ones, else the only
    Write node of the script."""
    from .callbacks import ticked_writes

    selected = [n for n in nuke.selectedNodes() if n.Class() == "Write"]
    writes = nuke.allNodes("Write")
    return selected or ticked_writes() or (writes if len(writes) == 1 else [])


def use_task(path: str) -> List[str]:
    """Write ``path`` into the task knob of :func:`target_writes`; their names ([] and the
    artist told what to do when there is none)."""
    from .callbacks import TASK_KNOB, add_review_knobs

    writes = target_writes()
    if not writes:
        nuke.message("Select the Write node(s) to publish (or tick 'publish for review' on "
                     "them), then choose the task again.")  # fmt: skip
        return []
    for write in writes:
        add_review_knobs(write)
        write[TASK_KNOB].setValue(path)
    return [w.name() for w in writes]


def _load() -> Picker:
    from ft_dcc.host.task_choices import load_picker
    from ft_dcc.session import Session

    session = Session()
    try:
        return load_picker(session, "nuke", str(nuke.root()["name"].value()) or None)
    finally:
        session.close()


def show_task_picker(load: Callable[[], Picker] = _load) -> Optional[TaskPickerPanel]:
    """Read the choices and show the panel; None when the server said no (the artist was told
    why) or has no task."""
    return show_panel(load, TaskPickerPanel, "tasks", _no_task)


def _no_task(picker: Picker) -> Optional[str]:
    return None if picker.choices else "The server has no tasks yet: create one in ftrack."


def install_menu() -> None:
    """Add **Nodes > ftrack > Choose task...** (the app only)."""
    add_commands((MENU_ITEM, show_task_picker, "Choose the ftrack task of the Write nodes"))
