"""The Write-node callback: tick "publish for review" on a Write node's **ftrack review** tab and
every render of that node is published to ftrack for review when it finishes.

:func:`install` registers, through Nuke's callback API:

* ``addOnCreate(add_review_knobs, nodeClass='Write')``: the tab, the checkbox and the task /
  review session / comment fields on every Write node (kept in the script like any knob);
* ``addBeforeRender``/``addAfterFrameRender`` (``nodeClass='Write'``): note which frames the
  render writes;
* ``addAfterRender(after_render, nodeClass='Write')``: publish those frames when the box is
  ticked, and show the report (``nuke.message`` in the app, printed under ``nuke -t``);
* in the app only (``nuke.GUI``): **Nodes > ftrack > Publish for review** for the selected Write.

In the app a publish runs in a worker thread (encode and upload never freeze Nuke); every
``nuke`` call, the capture included, still runs on Nuke's main thread (the job's one hand-off,
with ``host.on_main`` as Nuke's runner).

Under ``nuke -t``/``-x`` (a farm) a render of only part of the node's range (one chunk of a split
job) is not published: each chunk would be a partial review.

A publish problem never breaks the render: the callback reports it instead of raising (an
exception in afterRender would make Nuke report the finished render as failed).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Dict, List, Optional, Tuple

import attr
import nuke

from ft_dcc.host.job import PublishJob
from ft_dcc.host.messages import REPAIR_BUTTON, artist_message
from ft_dcc.publish.common.report import PublishReport
from ft_dcc.publish.request.request import PublishRequest, Reviewable
from ft_dcc.settings.resolve import Resolved

from . import open_notes
from .host import NukeHost, on_main
from .menus import add_commands
from .progress import publish_progress

log = logging.getLogger(__name__)

TAB_KNOB = "ftrack_review"
PUBLISH_KNOB = "publish_for_review"
TASK_KNOB = "ftrack_task"
REVIEW_SESSION_KNOB = "ftrack_review_session"
COMMENT_KNOB = "ftrack_comment"
MENU_ITEM = "ftrack/Publish for review"
MENU_TICKED = "ftrack/Publish ticked Writes for review"

#: frames each Write node wrote in the render under way, by node name
_rendered: Dict[str, List[int]] = {}
#: reports of the publishes started from this session, latest last (for tools and tests)
reports: List[PublishReport] = []
#: the publishes started from this session, latest last
jobs: List[PublishJob] = []


# -- knobs ---------------------------------------------------------------------------------------
def add_review_knobs(node: Optional[nuke.Node] = None) -> None:
    """Give a Write node the **ftrack review** tab (once; a loaded script already has it)."""
    node = node if node is not None else nuke.thisNode()
    was_modified = nuke.root().modified()
    if node.knob(PUBLISH_KNOB) is not None:  # a script saved before the notes' knobs: add them
        open_notes.add_knobs(node)
        nuke.root().setModified(was_modified)
        return
    node.addKnob(nuke.Tab_Knob(TAB_KNOB, "ftrack review"))
    publish_box = nuke.Boolean_Knob(PUBLISH_KNOB, "publish for review")
    publish_box.setTooltip("After each render of this node, publish the frames to ftrack")
    node.addKnob(publish_box)
    node.addKnob(nuke.String_Knob(TASK_KNOB, "task"))
    session_knob = nuke.String_Knob(REVIEW_SESSION_KNOB, "review session")
    session_knob.setTooltip("Empty: the studio settings' name (naming.review_session)")
    node.addKnob(session_knob)
    node.addKnob(nuke.String_Knob(COMMENT_KNOB, "comment"))
    open_notes.add_knobs(node)  # "Open notes...": the notes this version addresses
    nuke.root().setModified(was_modified)  # adding our knobs is not an edit by the artist


def wants_review(node: nuke.Node) -> bool:
    """True when ``node``'s "publish for review" box is ticked."""
    knob = node.knob(PUBLISH_KNOB)
    return knob is not None and bool(knob.value())


def _text(node: nuke.Node, name: str) -> Optional[str]:
    knob = node.knob(name)
    value = str(knob.value()).strip() if knob is not None else ""
    return value or None


# -- render callbacks ----------------------------------------------------------------------------
def before_render() -> None:
    node = nuke.thisNode()
    if wants_review(node):
        _rendered[node.name()] = []


def after_frame_render() -> None:
    node = nuke.thisNode()
    frames = _rendered.get(node.name())
    if frames is not None:
        frames.append(int(nuke.frame()))


def after_render() -> None:
    """Publish the frames the render just wrote, when the node's box is ticked."""
    node = nuke.thisNode()
    frames = _rendered.pop(node.name(), None)
    if not wants_review(node):
        return
    frame_range: Optional[Tuple[int, int]] = (min(frames), max(frames)) if frames else None
    try:
        if frame_range is not None and not nuke.GUI and _is_chunk(node, frame_range):
            return
        publish_write_node(node, frame_range, just_rendered=True)
    except Exception as exc:  # never turn a good render into a failed one
        log.exception("publishing %s for review failed", node.name())
        show(f"Publishing {node.name()} for review failed: {exc}")


def _is_chunk(node: nuke.Node, rendered: Tuple[int, int]) -> bool:
    """Under ``nuke -t``/``-x`` (a farm), a render of part of the node's range is one chunk of
    a split job: say so and publish nothing (each chunk would be a partial review)."""
    start, end = NukeHost(write_node=node.name()).frame_range()
    if rendered[0] <= start and rendered[1] >= end:
        return False
    show(
        f"{node.name()} rendered frames {rendered[0]}-{rendered[1]} of {start}-{end} (one chunk "
        "of a split render?), so it was not published for review. When every frame is "
        f"rendered, publish them with: ft-dcc publish {nuke.root()['name'].value()} --host nuke "
        f"--frames {start}-{end}"
    )
    return True


# -- publishing ----------------------------------------------------------------------------------
def _finished(
    job: PublishJob,
    node_name: str,
    again: Optional[Callable[[], object]] = None,
    names: Optional[List[str]] = None,
) -> None:
    """Log the report and tell the artist, on Nuke's main thread (the job's ``on_done``, which
    runs in the worker). ``again``: publish once more with the repairs (offered in the app when
    a failed check has one). A publish that went (or was queued) empties its Write nodes'
    ``names`` addresses: those notes are completed, or will be by the queue."""
    if names and job.report is not None and job.report.ok:
        if threading.current_thread() is threading.main_thread():
            open_notes.forget(names)
        else:
            nuke.executeInMainThread(open_notes.forget, (names,))
    offer = again is not None and job.report is not None and offers_repair(job.report)
    if job.report is not None:
        log.info("%s", job.report.format())
        reports.append(job.report)
        text = report_text(job.report, job.settings, offer_repair=offer)
    else:  # publish() reports problems; this is a bug or a crash
        log.error("publishing %s for review failed", node_name, exc_info=job.error)
        text = f"Publishing {node_name} for review failed: {job.error}"
    tell: Callable[..., None] = _offer_repair if offer else show
    args = (text, again) if offer else (text,)
    if threading.current_thread() is threading.main_thread():
        tell(*args)
    else:
        nuke.executeInMainThread(tell, args)


def offers_repair(report: PublishReport) -> bool:
    """Whether the app offers "Repair and publish" after ``report``: a failed check has a
    repair (in the app only: ``nuke.ask`` needs it)."""
    return bool(nuke.GUI and artist_message(report).repairs)


def _offer_repair(text: str, again: Callable[[], object]) -> None:
    """The outcome with the repairs offered: "Yes" publishes again with them (Nuke's main
    thread)."""
    if nuke.ask(f"{text}\n\n{REPAIR_BUTTON} now?"):
        again()


def publish_write_node(
    node: nuke.Node,
    frames: Optional[Tuple[int, int]] = None,
    just_rendered: bool = False,
    background: Optional[bool] = None,
    task: Optional[str] = None,
) -> PublishJob:
    """Publish ``node``'s frames (its rendered files, or a render of its input) for review with
    the task / review session / comment of its knobs, and show the report.

    ``just_rendered``: called from the node's afterRender (publish its files, never re-render).
    ``background`` (default: in the app): encode and upload in a worker thread so Nuke stays
    usable; every ``nuke`` call still runs on the main thread. ``task`` wins over the knob."""
    return publish_writes([node], frames, just_rendered, background, task)


def publish_writes(
    nodes: List[nuke.Node],
    frames: Optional[Tuple[int, int]] = None,
    just_rendered: bool = False,
    background: Optional[bool] = None,
    task: Optional[str] = None,
) -> PublishJob:
    """Publish several Write nodes as one publish: each its own version, all in one commit
    (nothing is published when one fails); the task / review session / comment come from the
    first node's knobs (see :func:`publish_write_node`)."""
    first = nodes[0]
    names = [node.name() for node in nodes]
    request = PublishRequest(
        reviewables=[Reviewable(source=name) for name in names] if len(names) > 1 else [],
        task=task or _text(first, TASK_KNOB),
        review_session_name=_text(first, REVIEW_SESSION_KNOB),
        comment=_text(first, COMMENT_KNOB) or "",
        frames=frames,
        addresses=open_notes.addresses_of(first),  # as ft-dcc publish --addresses
    )
    return _start(names, request, just_rendered, background)


def _start(
    names: List[str], request: PublishRequest, just_rendered: bool, background: Optional[bool]
) -> PublishJob:
    """Run the publish of the Write nodes ``names``; a failed check's repair, when the artist
    takes it, publishes the same request again with ``repair=True`` (offered once)."""

    def again() -> PublishJob:
        return _start(names, attr.evolve(request, repair=True), just_rendered, background)

    job = PublishJob(
        NukeHost(write_node=names[0], just_rendered=just_rendered),
        request,
        on_main=on_main,  # every host call of a worker's publish on Nuke's main thread
        progress=publish_progress(),
        on_done=lambda done: _finished(
            done, ", ".join(names), None if request.repair else again, names
        ),
        studio_settings=True,  # the profile of Nuke, the task and the script's path
    )
    jobs.append(job)
    if background is None:
        background = bool(nuke.GUI)
    if not background:
        job.run()
        return job
    return job.start(f"ft_dcc publish {', '.join(names)}")


def report_text(
    report: PublishReport, settings: Optional[Resolved] = None, offer_repair: bool = False
) -> str:
    """What the artist reads: the full report on a terminal; in the app's dialog, the outcome,
    warnings, the review link, with ``offer_repair`` what "Repair and publish" does, and the
    settings profile the publish used (``settings``: what it read; the step list stays in the
    script editor's log). No ``nuke`` call: it may run in the publish's worker."""
    from ft_dcc.host.settings_view import panel_lines

    if not nuke.GUI:
        return report.format()
    message = artist_message(report)
    text = (message if offer_repair else attr.evolve(message, repairs=())).text
    if settings is None:
        return text
    return text + "\n\nSettings:\n" + "\n".join(panel_lines(settings))


def publish_selected() -> Optional[PublishJob]:
    """The menu command: publish the selected Write nodes, each its own version, in one
    publish (in the background in the app)."""
    writes = [n for n in nuke.selectedNodes() if n.Class() == "Write"]
    if not writes:
        show("Select the Write node(s) to publish for review.")
        return None
    for write in writes:
        add_review_knobs(write)
    return publish_writes(writes)


def publish_ticked() -> Optional[PublishJob]:
    """The menu command: publish every Write node whose "publish for review" box is ticked,
    each its own version, in one publish."""
    writes = ticked_writes()
    if not writes:
        show("Tick 'publish for review' (ftrack review tab) on the Write nodes to publish.")
        return None
    return publish_writes(writes)


def ticked_writes() -> List[nuke.Node]:
    """The script's Write nodes whose "publish for review" box is ticked, in node order."""
    return [w for w in nuke.allNodes("Write") if wants_review(w)]


def show(text: str) -> None:
    """Tell the artist: a dialog in the app, the terminal under ``nuke -t``."""
    if nuke.GUI:
        nuke.message(text)
    else:
        print(text)


# -- installation --------------------------------------------------------------------------------
def install() -> None:
    """Register the Write-node callbacks (from init.py; safe to call again)."""
    nuke.addOnCreate(add_review_knobs, nodeClass="Write")
    nuke.addBeforeRender(before_render, nodeClass="Write")
    nuke.addAfterFrameRender(after_frame_render, nodeClass="Write")
    nuke.addAfterRender(after_render, nodeClass="Write")


def install_menu() -> None:
    """Add **Nodes > ftrack > Publish for review** (from menu.py; the app only)."""
    add_commands(
        (MENU_ITEM, publish_selected, "Publish the selected Write nodes to ftrack review"),
        (MENU_TICKED, publish_ticked, "Publish every Write node whose review box is ticked"),
    )


def uninstall() -> None:
    """Remove the callbacks :func:`install` added."""
    nuke.removeOnCreate(add_review_knobs, nodeClass="Write")
    nuke.removeBeforeRender(before_render, nodeClass="Write")
    nuke.removeAfterFrameRender(after_frame_render, nodeClass="Write")
    nuke.removeAfterRender(after_render, nodeClass="Write")
