"""The ftrack menu's "Publish on the farm": write a farm job bundle for the saved scene (the
task, review session and comment asked as for "Publish for review", the camera when the scene
has several), through the same ``ft_dcc.farm.submit.submit`` as ``ft-dcc farm submit``
(docs/farm.md), and tell the artist where the bundle is and how to run it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from maya import cmds

if TYPE_CHECKING:  # pragma: no cover
    from ft_dcc.farm.model import FarmBatch
    from ft_dcc.farm.plan import Submission

log = logging.getLogger(__name__)

LABEL = "Publish on the farm"
TITLE = "ftrack: publish on the farm"


def _tell(message: str, icon: str = "information") -> None:
    cmds.confirmDialog(title=TITLE, message=message, button=["OK"], icon=icon)


def _saved_scene() -> Optional[Path]:
    """The scene file the farm will open, saved first when the artist agrees; None when there
    is none or the artist cancels (told why)."""
    from ft_dcc.exceptions import FtDccError

    from . import scene

    path = scene.scene_path()
    if path is None:
        _tell("Save the scene first (File > Save Scene As...): the farm opens the saved "
              "scene file.", icon="warning")  # fmt: skip
        return None
    if scene.has_unsaved_changes():
        answer = cmds.confirmDialog(
            title=TITLE,
            message=f"{path.name} has unsaved changes; the farm opens the saved file.\n"
            "Save it now and submit?",
            button=["Save", "Cancel"],
            defaultButton="Save",
            cancelButton="Cancel",
            dismissString="Cancel",
            icon="question",
        )
        if answer != "Save":
            return None
        try:
            scene.save_scene()
        except FtDccError as exc:
            _tell(str(exc), icon="warning")
            return None
    return path


def _camera(cameras: List[str]) -> Optional[str]:
    """The one camera the farm captures through (None: the scene's)."""
    return cameras[0] if len(cameras) == 1 else None


def _submit(submission: Submission) -> Tuple[Path, FarmBatch]:
    """Write the bundle; a review session name one typo from an open session's is asked about
    as "Publish for review" asks (``Host.ask``), and "Yes" writes a job that creates it."""
    import attr

    from ft_dcc.exceptions import ReviewSessionMisspeltError
    from ft_dcc.farm.submit import submit

    from .host import MayaHost

    try:
        return submit(submission)
    except ReviewSessionMisspeltError as exc:
        if not MayaHost(interactive=True).ask(exc.question(), False):  # the publish's question
            raise
    return submit(attr.evolve(submission, new_review_session=True))



def publish_on_farm(choices: Optional[Dict[str, str]] = None) -> Optional[Path]:
    """The menu command: the bundle's folder, or None when nothing was written (the artist
    cancelled, or was told what to fix)."""
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.farm.plan import Submission

    from .cameras import ask_cameras
    from .prompts import ask_choices, prompt

    path = _saved_scene()
    if path is None:
        return None
    choices = choices if choices is not None else ask_choices()
    if choices is None:
        return None
    cameras = ask_cameras(prompt)
    if cameras is None:
        return None
    if len(cameras) > 1:
        _tell("A farm job captures one camera: give one camera (or publish several cameras "
              "with 'Publish for review').", icon="warning")  # fmt: skip
        return None
    submission = Submission(
        scenes=[str(path)],
        host="maya",
        task=choices.get("task") or None,
        review_session_name=choices.get("review_session") or None,
        comment=choices.get("comment", ""),
        camera=_camera(cameras),
    )
    try:
        folder, batch = _submit(submission)
    except FtDccError as exc:
        _tell(f"No farm job was written: {exc}", icon="warning")
        return None
    log.info("farm job bundle for %s written to %s", path, folder)
    _tell(
        f"The farm job is written to:\n{folder}\n\nIt publishes {path.name} into the review "
        f"session '{batch.review_session_name}'.\nSubmit it with: deadline bundle submit {folder}"
    )
    return folder
