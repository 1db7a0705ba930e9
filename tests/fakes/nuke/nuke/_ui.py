"""Menus, progress tasks and dialogs of the fake ``nuke``.

``Menu.addCommand(name, command, shortcut, icon, tooltip, index, readonly, shortcutContext, tag,
tagTarget, node)``: ``name`` may hold ``/`` submenus, ``command`` is a callable or Python source
(Foundry nuke.Menu reference). ``ProgressTask(name)`` with ``setMessage``, ``setProgress(int)``
and ``isCancelled`` (Foundry nuke.ProgressTask reference).
"""

from __future__ import annotations

from typing import Any, List, Optional

from . import _graph, _state

#: top-level menus of the interactive app [doc: nuke.menu]
MENU_NAMES = ("Nuke", "Pane", "Nodes", "Properties", "Animation", "Viewer", "Node Graph", "Axis")


class MenuItem:
    """``nuke.MenuItem``: a command in a menu."""

    def __init__(self, name: str, command: Any, shortcut: str, icon: str, tooltip: str) -> None:
        self._name = name
        self._command = command
        self._shortcut = shortcut
        self._icon = icon
        self._tooltip = tooltip

    def name(self) -> str:
        return self._name

    def script(self) -> str:
        return self._command if isinstance(self._command, str) else ""

    def shortcut(self) -> str:
        return self._shortcut

    def invoke(self) -> None:
        if callable(self._command):
            self._command()
        else:
            _graph.run_python(self._command, _state.state.root)


class Menu(MenuItem):
    """``nuke.Menu``: a menu of commands and submenus."""

    def __init__(self, name: str, icon: str = "") -> None:
        super().__init__(name, "", "", icon, "")
        self._items: List[MenuItem] = []

    def _path(self, name: str) -> tuple[Menu, str]:
        menu: Menu = self
        *parents, leaf = name.split("/")
        for part in parents:
            menu = menu.addMenu(part)
        return menu, leaf

    def addMenu(
        self, name: str, icon: str = "", tooltip: str = "", index: int = -1, tag: int = 0
    ) -> Menu:
        menu, leaf = self._path(name)
        found = menu.findItem(leaf)
        if isinstance(found, Menu):
            return found
        created = Menu(leaf, icon)
        menu._insert(created, index)
        return created

    def addCommand(
        self,
        name: str,
        command: Any = "",
        shortcut: str = "",
        icon: str = "",
        tooltip: str = "",
        index: int = -1,
        readonly: bool = False,
        shortcutContext: int = 0,
        tag: int = 0,
        tagTarget: int = 0,
        node: Any = None,
    ) -> MenuItem:
        if not isinstance(command, str) and not callable(command):
            raise TypeError("command must be a string or a callable")
        menu, leaf = self._path(name)
        existing = menu.findItem(leaf)
        item = MenuItem(leaf, command, shortcut, icon, tooltip)
        if existing is not None:  # Nuke replaces a command of the same name
            menu._items[menu._items.index(existing)] = item
        else:
            menu._insert(item, index)
        return item

    def addSeparator(self, index: int = -1) -> None:
        self._insert(MenuItem("", "", "", "", ""), index)

    def _insert(self, item: MenuItem, index: int) -> None:
        if index < 0 or index >= len(self._items):
            self._items.append(item)
        else:
            self._items.insert(index, item)

    def findItem(self, name: str) -> Optional[MenuItem]:
        menu: Any = self
        for part in name.split("/"):
            if not isinstance(menu, Menu):
                return None
            menu = next((i for i in menu._items if i.name() == part), None)
            if menu is None:
                return None
        return menu

    def menu(self, name: str) -> Optional[Menu]:
        found = self.findItem(name)
        return found if isinstance(found, Menu) else None

    def items(self) -> List[MenuItem]:
        return list(self._items)

    def removeItem(self, name: str) -> None:
        found = self.findItem(name)
        if found is None:
            return
        owner = self.findItem(name.rsplit("/", 1)[0]) if "/" in name else self
        owner._items.remove(found)


def menu(name: str) -> Menu:
    state = _state.state
    if not state.gui:
        # [assumed] menus exist only in the interactive app; menu.py is not run under nuke -t
        raise RuntimeError("menus are not available in terminal mode (nuke -t)")
    if name not in MENU_NAMES:
        raise RuntimeError(f"no menu called {name!r}")  # [unverified]
    return state.menus.setdefault(name, Menu(name))


class ProgressTask:
    """``nuke.ProgressTask(name)``: the progress bar of a long task (closes when deleted)."""

    def __init__(self, name: str, *args: Any, **kwargs: Any) -> None:
        if not isinstance(name, str):
            raise TypeError("ProgressTask(name): name must be a string")
        self.name = name
        self.messages: List[str] = []
        self.progress: List[int] = []
        self.closed = False
        _state.state.progress_tasks.append(self)

    def setMessage(self, s: str) -> None:
        if not isinstance(s, str):
            raise TypeError("setMessage() takes a string")
        self.messages.append(s)

    def setProgress(self, i: int) -> None:
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError(f"setProgress() takes an int (0-100), not {type(i).__name__}")
        self.progress.append(i)

    def isCancelled(self) -> bool:
        limit = _state.state.cancel_after_progress
        return limit is not None and len(self.progress) >= limit

    def __del__(self) -> None:
        self.closed = True


def message(prompt: str) -> None:
    if not isinstance(prompt, str):
        raise TypeError("message() takes a string")
    state = _state.state
    state.messages.append(prompt)
    if not state.gui:
        print(prompt)  # under nuke -t the dialog is printed to the terminal


def ask(prompt: str) -> bool:
    state = _state.state
    if not state.gui:
        raise RuntimeError("ask() needs the interactive app")  # [assumed]
    state.messages.append(prompt)
    return state.ask_answers.pop(0) if state.ask_answers else False
