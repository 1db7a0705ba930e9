"""The small prompts of Maya's publish flows (the menu's publish, the farm): one line of text
from the artist, and the task / review session / comment a publish asks for."""

from __future__ import annotations

import os
from typing import Dict, Optional

from maya import cmds

from .choices import last_choices

DIALOG_TITLE = "ftrack publish"


def prompt(message: str, text: str) -> Optional[str]:
    """One line of text from the artist, or None when they cancel."""
    answer = cmds.promptDialog(
        title=DIALOG_TITLE,
        message=message,
        text=text,
        button=["OK", "Cancel"],
        defaultButton="OK",
        cancelButton="Cancel",
        dismissString="Cancel",
    )
    if answer != "OK":
        return None
    return str(cmds.promptDialog(query=True, text=True)).strip()


def _scene_file() -> Optional[str]:
    return cmds.file(query=True, sceneName=True) or None


def ask_choices() -> Optional[Dict[str, str]]:
    """Task, review session and comment from three small prompts (the second offers the
    studio settings' session name and says which settings profile applies to the task); None
    when cancelled."""
    from ft_dcc.host.publish_settings import preview

    task_default = last_choices.get("task") or os.environ.get("FTRACK_CONTEXTID", "")
    task = prompt("Task (Project/Sequence/Shot/Task or a task id):", task_default)
    if task is None:
        return None
    settings = preview("maya", task or None, _scene_file())
    review_session = prompt(
        "Review session (created when missing):\n\nSettings of this publish:\n"
        + "\n".join(settings.lines),
        last_choices.get("review_session") or settings.review_session_name or "",
    )
    if review_session is None:
        return None
    comment = prompt("Comment for the reviewers:", "")
    if comment is None:
        return None
    last_choices.update(task=task)
    if review_session != settings.review_session_name:  # the artist's own name: offered next time
        last_choices.update(review_session=review_session)
    else:  # the settings' name (e.g. dated): offer the settings' name of that day next time
        last_choices.pop("review_session", None)
    return {"task": task, "review_session": review_session, "comment": comment}
