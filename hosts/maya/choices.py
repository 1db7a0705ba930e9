"""The artist's last answers in the ftrack menu (task, review session), remembered for this Maya
session: the publish prompts offer them again and the feedback window opens on the same task.
Its own module, so the menu and the feedback window share it without importing each other."""

from __future__ import annotations

import os
from typing import Dict, Optional

#: the artist's last answers, offered again in this Maya session
last_choices: Dict[str, str] = {}


def current_task() -> Optional[str]:
    """The task last published to, else ``$FTRACK_CONTEXTID``; None when neither is set."""
    return last_choices.get("task") or os.environ.get("FTRACK_CONTEXTID") or None
