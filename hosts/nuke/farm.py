"""Nodes > ftrack > Publish on the farm: write a farm job bundle for the saved script, through
the same ``ft_dcc.farm.submit.submit`` as ``ft-dcc farm submit`` (docs/farm.md), and tell the
artist where it is.

The farm publishes what a headless publish of the script does: the ticked Write nodes (else the
only one). The task, review session and comment are the first of them's ftrack review knobs;
an empty task is found from the script's path by the settings' path templates.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Tuple

import nuke

from .menus import add_commands

if TYPE_CHECKING:  # pragma: no cover
    from ft_dcc.farm.model import FarmBatch
    from ft_dcc.farm.plan import Submission

log = logging.getLogger(__name__)

MENU_ITEM = "ftrack/Publish on the farm"


def _saved_script() -> Optional[Path]:
    """The script the farm opens, saved first when the artist agrees; None (told why) when it
    was never saved or the artist said no."""
    name = str(nuke.root()["name"].value())
    if not name:
        nuke.message("Save the script first (File > Save Comp As...): the farm opens the saved "
                     "script.")  # fmt: skip
        return None
    path = Path(name)
    if nuke.root().modified():
        if not nuke.ask(f"{path.name} has unsaved changes; the farm opens the saved file.\n"
                        "Save it now and submit?"):  # fmt: skip
            return None
        try:
            saved = nuke.scriptSave()  # True, False when cancelled; RuntimeError on failure
        except RuntimeError as exc:
            nuke.message(f"Nuke could not save {path}: {exc}")
            return None
        if saved is False:
            return None
    return path


def _submit(submission: Submission) -> Tuple[Path, FarmBatch]:
    """Write the bundle; a review session name one typo from an open session's is asked about
    as "Publish for review" asks (``Host.ask``), and yes writes a job that creates it."""
    import attr

    from ft_dcc.exceptions import ReviewSessionMisspeltError
    from ft_dcc.farm.submit import submit

    try:
        return submit(submission)
    except ReviewSessionMisspeltError as exc:
        if not nuke.ask(exc.question()):
            raise
    return submit(attr.evolve(submission, new_review_session=True))



def publish_on_farm() -> Optional[Path]:
    """The menu command: the bundle's folder, or None when nothing was written (the artist was
    told what to fix)."""
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.farm.plan import Submission

    from .callbacks import COMMENT_KNOB, REVIEW_SESSION_KNOB, TASK_KNOB, _text
    from .headless import script_write_nodes

    path = _saved_script()
    if path is None:
        return None
    try:
        writes = script_write_nodes()  # what the farm's headless publish will take
        first = writes[0] if writes else None

        def knob(name: str) -> Optional[str]:
            return _text(first, name) if first is not None else None

        folder, batch = _submit(
            Submission(
                scenes=[str(path)],
                host="nuke",
                task=knob(TASK_KNOB),
                review_session_name=knob(REVIEW_SESSION_KNOB),
                comment=knob(COMMENT_KNOB) or "",
            )
        )
    except FtDccError as exc:
        nuke.message(f"No farm job was written: {exc}")
        return None
    names = ", ".join(w.name() for w in writes) or "the Viewer's input"
    log.info("farm job bundle for %s written to %s", path, folder)
    nuke.message(f"The farm job is written to:\n{folder}\n\nIt publishes {names} of {path.name} "
                 f"into the review session '{batch.review_session_name}'.\n"
                 f"Submit it with: deadline bundle submit {folder}")  # fmt: skip
    return folder


def install_menu() -> None:
    """Add **Nodes > ftrack > Publish on the farm** (the app only)."""
    add_commands((MENU_ITEM, publish_on_farm, "Write a farm job bundle publishing this script"))
