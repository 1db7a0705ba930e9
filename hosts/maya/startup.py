"""Maya start-up: called from the module's ``userSetup.py``; adds the ftrack menu once Maya's
UI exists (``cmds.evalDeferred``), and does nothing in batch mode."""

from __future__ import annotations

import logging

from maya import cmds

log = logging.getLogger(__name__)


def _build() -> None:
    from .menu import build_menu

    try:
        build_menu()
    except Exception:  # never break Maya's start-up
        log.exception("ft_dcc: could not build the ftrack menu")


def install() -> bool:
    """Schedule the menu for when Maya is idle; False (and nothing scheduled) in batch mode."""
    if cmds.about(batch=True):
        return False
    cmds.evalDeferred(_build, lowestPriority=True)
    return True
