"""The ftrack commands of Nuke's **Nodes** menu, and the panels they open: each module's
``install_menu`` adds its own commands; a command showing a panel reads first, then shows."""

from __future__ import annotations

from typing import Callable, Optional, Tuple, TypeVar

import nuke
import nukescripts

#: the menu the ftrack commands go in (their items say ``ftrack/…``)
MENU_NAME = "Nodes"
#: one command: its item (``ftrack/Review feedback``), what it runs, its tooltip
Command = Tuple[str, Callable[[], object], str]

Found = TypeVar("Found")
Panel = TypeVar("Panel", bound=nukescripts.PythonPanel)


def add_commands(*commands: Command) -> None:
    """Add ``commands`` to the Nodes menu, in the app only (``nuke -t`` has no menus)."""
    if not nuke.GUI:
        return
    menu = nuke.menu(MENU_NAME)
    for item, command, tooltip in commands:
        menu.addCommand(item, command, tooltip=tooltip)


def show_panel(
    read: Callable[[], Found],
    panel: Callable[[Found], Panel],
    what: str,
    nothing: Callable[[Found], Optional[str]] = lambda found: None,
) -> Optional[Panel]:
    """Show the ``panel`` of what ``read`` found; None when the server said no or ``nothing``
    says why there is nothing to show (the artist is told why: ``No {what} read: …``)."""
    from ft_dcc.exceptions import FtDccError

    try:
        found = read()
    except FtDccError as exc:
        nuke.message(f"No {what} read: {exc}")
        return None
    why = nothing(found)
    if why is not None:
        nuke.message(why)
        return None
    shown = panel(found)
    shown.show()
    return shown
