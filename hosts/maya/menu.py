"""The "ftrack" menu in Maya's main window: "Publish for review" asks the artist for the task,
review session and comment, publishes with Maya's main progress bar, and shows the report.

Nothing here runs in batch mode (mayapy, ``maya -batch``): :func:`build_menu` checks
``cmds.about(batch=True)`` first.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Dict, Optional

import attr
from maya import cmds, mel

from ft_dcc.host.stages import overall_fraction

from .prompts import DIALOG_TITLE, ask_choices, prompt

if TYPE_CHECKING:
    from ft_dcc.publish.common.report import PublishReport
    from ft_dcc.publish.request.request import PublishRequest

log = logging.getLogger(__name__)

MENU_NAME = "ftDccMenu"
MENU_LABEL = "ftrack"
PUBLISH_LABEL = "Publish for review"
MAIN_WINDOW = "MayaWindow"


def build_menu() -> Optional[str]:
    """Create (or re-create) the ftrack menu; None in batch mode, where there is no UI."""
    if cmds.about(batch=True):
        return None
    if cmds.menu(MENU_NAME, exists=True):
        cmds.deleteUI(MENU_NAME, menu=True)
    menu = cmds.menu(MENU_NAME, label=MENU_LABEL, parent=MAIN_WINDOW, tearOff=True)
    cmds.menuItem(
        label=PUBLISH_LABEL,
        annotation="Playblast the scene and publish it to an ftrack review session",
        command=lambda *_: publish_for_review(),
        parent=menu,
    )
    from .farm import LABEL as FARM
    from .farm import publish_on_farm

    cmds.menuItem(
        label=FARM,
        annotation="Write a farm job bundle that publishes the saved scene for review",
        command=lambda *_: publish_on_farm(),
        parent=menu,
    )
    from .feedback import LABEL, show_feedback

    cmds.menuItem(label=LABEL, command=lambda *_: show_feedback(), parent=menu)
    from .task_picker import LABEL as PICK
    from .task_picker import show_task_picker

    cmds.menuItem(label=PICK, command=lambda *_: show_task_picker(), parent=menu)
    return menu


def remove_menu() -> None:
    if not cmds.about(batch=True) and cmds.menu(MENU_NAME, exists=True):
        cmds.deleteUI(MENU_NAME, menu=True)


class MainProgressBar:
    """``ft_dcc.progress`` mapped onto Maya's main progress bar (``$gMainProgressBar``)."""

    def __init__(self) -> None:
        self.bar = mel.eval("$tmp = $gMainProgressBar")
        self._active = False
        self.fraction = 0.0

    def __enter__(self) -> MainProgressBar:
        cmds.progressBar(
            self.bar,
            edit=True,
            beginProgress=True,
            isInterruptable=False,
            status="ftrack publish",
            maxValue=100,
        )
        self._active = True
        return self

    def __call__(self, stage: str, fraction: float, message: str = "") -> None:
        if not self._active:
            return
        self.fraction = overall_fraction(stage, fraction, self.fraction)  # one bar, all stages
        status = f"{stage}: {message}" if message else stage
        cmds.progressBar(self.bar, edit=True, progress=round(self.fraction * 100), status=status)

    def __exit__(self, *exc: object) -> None:
        if self._active:
            cmds.progressBar(self.bar, edit=True, endProgress=True)
            self._active = False


def publish_for_review(choices: Optional[Dict[str, str]] = None) -> Optional[PublishReport]:
    """The menu command: ask (the open notes too, :mod:`.open_notes`), publish with progress,
    show the report; ``choices``: a caller's answers instead (task, review_session, comment,
    addresses: note ids, comma separated). When a failed check offers
    a repair, the dialog has a "Repair and publish" button: it publishes the same request again
    with ``repair=True`` (the repairs run here, in Maya) and shows that outcome. Returns the last
    report (None when the artist cancelled)."""
    from ft_dcc.host.messages import REPAIR_BUTTON
    from ft_dcc.publish.request.request import PublishRequest, Reviewable

    from .cameras import ask_cameras

    asked = choices is None  # a caller's own choices name what they address ("addresses")
    choices = choices if choices is not None else ask_choices()
    if choices is None:
        return None
    cameras = ask_cameras(prompt)  # several cameras of the scene: which (one version each)
    if cameras is None:
        return None
    from .open_notes import ask_addresses

    addresses = (  # the open notes it addresses: ticked in the dialog, or the caller's ids
        ask_addresses(choices.get("task") or None) if asked else [choices.get("addresses", "")]
    )
    if addresses is None:
        return None
    request = PublishRequest(
        reviewables=[Reviewable(source=name) for name in cameras],
        task=choices.get("task") or None,
        review_session_name=choices.get("review_session") or None,
        comment=choices.get("comment", ""),
        addresses=addresses,  # as ft-dcc publish --addresses
    )
    report = _publish(request)
    if report is None or show_report(report, offer_repair=True) != REPAIR_BUTTON:
        return report
    report = _publish(attr.evolve(request, repair=True))
    if report is not None:
        show_report(report, offer_repair=False)  # a repair is offered once
    return report


def _publish(request: PublishRequest) -> Optional[PublishReport]:
    """Publish ``request`` on Maya's main thread with the main progress bar; None (after telling
    the artist) when the publish stopped with a bug rather than a report."""
    from ft_dcc.host.job import PublishJob

    from .host import MayaHost

    with MainProgressBar() as progress:  # the studio settings of Maya, the task and the scene
        job = PublishJob(
            MayaHost(interactive=True), request, progress=progress, studio_settings=True
        )
        job.run()  # here, on Maya's main thread; remembers the task for the picker
    if job.report is None:  # a bug, not a publish problem: still tell the artist
        log.error("ftrack publish failed", exc_info=job.error)
        cmds.confirmDialog(
            title=DIALOG_TITLE,
            message=f"The publish stopped with an unexpected error:\n{job.error}\n\n"
            "See the Script Editor for details and send them to your TD.",
            button=["OK"],
            icon="critical",
        )
    return job.report


def show_report(report: PublishReport, offer_repair: bool = True) -> str:
    """The outcome dialog; with ``offer_repair`` and a failed check that has a repair, a
    "Repair and publish" button beside OK. Returns the button chosen."""
    from ft_dcc.host.messages import REPAIR_BUTTON, artist_message

    message = artist_message(report)
    repair = offer_repair and bool(message.repairs)
    if not repair:
        message = attr.evolve(message, repairs=())  # no button: no words about it
    answer: str = cmds.confirmDialog(
        title=DIALOG_TITLE,
        message=message.text,
        button=[REPAIR_BUTTON, "OK"] if repair else ["OK"],
        defaultButton="OK",
        cancelButton="OK",
        dismissString="OK",
        icon="information" if report.ok else "warning",
    )
    return answer
