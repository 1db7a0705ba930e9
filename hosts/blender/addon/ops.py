"""Operators: publish the playblast for review, refresh the connection, open the review link."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Dict, List, Optional

import bpy

if TYPE_CHECKING:  # ft_dcc is importable only once the add-on found it (paths.py)
    from ft_dcc.publish.request.request import PublishRequest
    from ft_dcc.session.interface import IntegrateSession

from . import connection, preview, props
from .request import publish_request

log = logging.getLogger(__name__)

#: the last publish, for scripts and tests: {"outcome", "message", "review_url", "report"}
LAST_RESULT: Dict[str, Any] = {}


#: seconds between two ticks of the publish's modal timer: one captured frame per tick at most
TICK = 0.05
#: events the modal operator passes on during the capture (the view must stay on the camera)
CAPTURE_PASS = ("TIMER", "WINDOW_DEACTIVATE", "NONE")


class FTDCC_OT_publish(bpy.types.Operator):
    """Capture a playblast of the scene and publish it to the ftrack review session"""

    bl_idname = "ftdcc.publish"
    bl_label = "Publish for review"
    bl_options = {"REGISTER"}

    _job: Optional[Any] = None
    _timer: Any = None
    #: create the review session even when its name is close to an open one's (new_session.py)
    new_review_session: bpy.props.BoolProperty(options={"HIDDEN", "SKIP_SAVE"})  # type: ignore[valid-type]
    #: run the repairs the failed checks offer, then check again (the panel's "Repair and
    #: publish" button)
    repair: bpy.props.BoolProperty(options={"HIDDEN", "SKIP_SAVE"})  # type: ignore[valid-type]
    #: the worker's main-thread mailbox, its host (cancel, capturing) and the overall progress
    _mailbox: Optional[Any] = None
    _host: Optional[Any] = None
    _overall: Optional[Any] = None

    @classmethod
    def poll(cls, context):
        return context.scene is not None and not context.window_manager.ftdcc_busy

    @classmethod
    def description(cls, context, properties):
        """The button's tooltip: the "Repair and publish" button says what it does."""
        if properties.repair:
            return (
                "Run the repairs the failed checks offer in this scene, check again, and "
                "publish when every check then passes"
            )
        return cls.__doc__

    def _request(self, context) -> PublishRequest:
        """The publish request of the panel's choices (``request.py``, as the preview's)."""
        return publish_request(context, self.new_review_session, self.repair)

    def _session(self, context) -> Optional[IntegrateSession]:
        """An ftrack session from the add-on's connection preferences (None: FTRACK_*)."""
        conn = props.connection_settings(context)
        return connection.make_session(**conn) if any(conn.values()) else None

    def _make_job(self, context, worker: bool = False) -> Optional[Any]:
        """The publish job; with ``worker``, one whose capture steps through the modal timer."""
        if not props.ft_dcc_ready(context):
            self._finish(
                context,
                "failed",
                "ft_dcc is not importable in Blender's Python: set the add-on's 'ft_dcc path' "
                "preference (or FT_DCC_PYTHONPATH) to the folder holding ft_dcc.",
            )
            return None
        from ft_dcc_hosts.blender.host import BlenderHost
        from ft_dcc_hosts.blender.modal_capture import CancellableProgress, SteppedCaptureHost

        from ft_dcc.host.job import MainThreadCalls, PublishJob
        from ft_dcc.host.stages import OverallProgress

        settings = context.scene.ftrack_publish
        if settings.save_first and bpy.data.filepath and bpy.data.is_dirty:
            bpy.ops.wm.save_mainfile(filepath=bpy.data.filepath)
        request, session = self._request(context), self._session(context)
        messages: List[str] = []
        scene = context.scene.name
        host = BlenderHost(scene_name=scene, reporter=lambda m, _l: messages.append(m))
        self._overall = OverallProgress()
        # the studio settings of Blender, the task and the .blend's path fill what the panel
        # leaves empty (the review session's and assets' names, capture size, checks, ...)
        if not worker:
            return PublishJob(
                host, request, progress=self._overall, session=session, studio_settings=True
            )
        self._mailbox = MainThreadCalls()
        self._host = SteppedCaptureHost(host, self._mailbox, scene=scene)
        # the host hands its calls to the main thread itself: the job calls it directly
        progress = CancellableProgress(self._overall, self._host)
        return PublishJob(
            self._host, request, progress=progress, session=session, studio_settings=True
        )

    def execute(self, context):
        job = self._make_job(context)
        if job is None:
            return {"CANCELLED"}
        wm = context.window_manager
        wm.progress_begin(0, 100)
        try:
            job.run()
        finally:
            wm.progress_end()
        return self._finish_job(context, job)

    def invoke(self, context, event):
        if bpy.app.background or context.window is None:
            return self.execute(context)
        job = self._make_job(context, worker=True)
        if job is None:
            return {"CANCELLED"}
        wm = context.window_manager
        wm.ftdcc_busy = True
        wm.ftdcc_cancelling = False
        wm.ftdcc_progress = "Starting..."
        wm.ftdcc_fraction = 0.0
        wm.progress_begin(0, 100)
        self._job = job
        job.start()
        self._timer = wm.event_timer_add(TICK, window=context.window)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        if self._job is None:
            return {"PASS_THROUGH"}
        if event.type == "ESC" and event.value == "PRESS" and self._can_cancel():
            return self._cancel(context)
        if event.type != "TIMER":
            capturing = self._host is not None and self._host.capturing
            return (
                {"RUNNING_MODAL"}
                if capturing and event.type not in CAPTURE_PASS
                else {"PASS_THROUGH"}
            )
        job = self._job
        if self._mailbox is not None:
            self._mailbox.drain()  # capture steps and scene questions run here, on the main thread
        self._show_progress(context)
        if not job.done():
            return {"RUNNING_MODAL"}
        if self._mailbox is not None:
            self._mailbox.drain()
        wm = context.window_manager
        wm.event_timer_remove(self._timer)
        wm.progress_end()
        wm.ftdcc_busy = False
        wm.ftdcc_progress = ""
        self._job = None
        return self._finish_job(context, job)

    def _can_cancel(self) -> bool:
        """Esc cancels until the upload starts (never half a version on the server)."""
        progress = self._job.progress if self._job is not None else None
        return progress is not None and not getattr(progress, "committed", True)

    def _cancel(self, context):
        if self._host is not None:
            self._host.cancel()
        wm = context.window_manager
        wm.ftdcc_cancelling = True
        wm.ftdcc_progress = "Cancelling..."
        _redraw_views(context)
        return {"RUNNING_MODAL"}

    def _show_progress(self, context) -> None:
        if self._overall is None:
            return
        fraction, stage, message = self._overall.snapshot()
        wm = context.window_manager
        if wm.ftdcc_cancelling:
            text = "Cancelling..."
        elif stage == "capture" and message.startswith("frame "):
            text = f"Capturing {message}"  # "Capturing frame 12/48"
        else:
            text = message or stage or "Starting..."
        can_cancel = self._can_cancel()
        unchanged = text == wm.ftdcc_progress and can_cancel == wm.ftdcc_can_cancel
        if unchanged and abs(wm.ftdcc_fraction - fraction * 100) < 0.5:
            return
        wm.ftdcc_can_cancel = can_cancel
        wm.progress_update(int(fraction * 100))
        wm.ftdcc_progress = text
        wm.ftdcc_fraction = fraction * 100
        _redraw_views(context)

    def _finish_job(self, context, job: Any):
        cancelled = self._host is not None and self._host.cancelled
        if cancelled and (job.error is not None or not job.report.ok):
            context.window_manager.ftdcc_headline = "Publish cancelled"
            report = job.report.to_json() if job.report is not None else ""
            return self._finish(
                context,
                "cancelled",
                "Cancelled (Esc): nothing was published or queued, and every scene and view "
                "setting was put back.",
                report=report,
            )
        if job.error is not None:
            log.error("publish failed", exc_info=job.error)
            return self._finish(context, "failed", f"Publish failed: {job.error}")
        from ft_dcc.host.messages import artist_message

        message = artist_message(job.report)
        if self.repair:  # a repair is offered once
            import attr

            message = attr.evolve(message, repairs=())
        context.window_manager.ftdcc_headline = message.short
        connection.after_publish(props.connection_settings(context), message.outcome)
        if message.outcome in ("published", "queued"):  # completed, or queued to be
            from .open_notes import forget_ticked

            forget_ticked(context.scene.ftrack_publish)
        preview.invalidate()  # e.g. a new review session, a recent task
        from .new_session import offer_new_session, session_to_offer

        offered = session_to_offer(context, job.report)  # a misspelt session? asked below
        done = self._finish(
            context, message.outcome, message.text, message.review_url, job.report.to_json(),
            asking=offered is not None,
        )  # fmt: skip
        context.window_manager.ftdcc_repairs = _repairs_json(message.repairs)
        if offered is not None:
            offer_new_session(offered)
        return done

    def _finish(
        self, context, outcome: str, message: str, url: str = "", report: str = "",
        asking: bool = False,
    ):  # fmt: skip
        """Show the outcome; ``asking``: a dialog asks about the refusal, so it is reported as
        a warning (Blender draws an operator's error in a popup of its own, over the dialog:
        one Esc closed that popup, not the question)."""
        wm = context.window_manager
        if outcome == "failed" and not report:  # no report: the publish could not start
            wm.ftdcc_headline = "Not published"
        wm.ftdcc_outcome, wm.ftdcc_status, wm.ftdcc_review_url = outcome, message, url
        wm.ftdcc_report = report
        wm.ftdcc_repairs = ""
        wm.ftdcc_cancelling = False
        LAST_RESULT.clear()
        LAST_RESULT.update(outcome=outcome, message=message, review_url=url, report=report)
        level = {"published": "INFO", "queued": "WARNING", "cancelled": "WARNING"}
        self.report({"WARNING" if asking else level.get(outcome, "ERROR")}, message)
        return {"FINISHED"} if outcome in ("published", "queued") else {"CANCELLED"}


def _repairs_json(repairs) -> str:
    """The repairs offered (``ArtistMessage.repairs``) as the panel reads them."""
    if not repairs:
        return ""
    return json.dumps([{"label": o.label, "check": o.check, "message": o.message} for o in repairs])


def _redraw_views(context) -> None:
    """Redraw the 3D views' sidebars (they show the progress), not the views themselves."""
    for area in context.screen.areas if context.screen else ():
        if area.type == "VIEW_3D":
            for region in area.regions:
                if region.type == "UI":
                    region.tag_redraw()


class FTDCC_OT_refresh(bpy.types.Operator):
    """Check the connection to the ftrack server and list its open review sessions"""

    bl_idname = "ftdcc.refresh"
    bl_label = "Refresh"

    def execute(self, context):
        if not props.ft_dcc_ready(context):
            connection.STATE.update({"connected": False, "message": "ft_dcc is not importable"})
            self.report({"ERROR"}, "ft_dcc is not importable: set the add-on's ft_dcc path")
            return {"CANCELLED"}
        preview.invalidate()
        state = connection.refresh(
            props.connection_settings(context), context.scene.ftrack_publish.task
        )
        self.report({"INFO"} if state["connected"] else {"ERROR"}, state["message"])
        return {"FINISHED"} if state["connected"] else {"CANCELLED"}


class FTDCC_OT_open_review(bpy.types.Operator):
    """Open the last published review in the web browser"""

    bl_idname = "ftdcc.open_review"
    bl_label = "Open review"

    @classmethod
    def poll(cls, context):
        return bool(context.window_manager.ftdcc_review_url)

    def execute(self, context):
        bpy.ops.wm.url_open(url=context.window_manager.ftdcc_review_url)
        return {"FINISHED"}


class FTDCC_OT_details(bpy.types.Operator):
    """Show the whole outcome of the last publish: what went wrong and what to do, warnings"""

    bl_idname = "ftdcc.details"
    bl_label = "Details"

    #: characters per line in the popup (it is wider than the sidebar)
    WRAP = 90

    @classmethod
    def poll(cls, context):
        return bool(context.window_manager.ftdcc_status)

    def invoke(self, context, event):
        return context.window_manager.invoke_popup(self, width=600)

    def draw(self, context):
        import textwrap

        wm = context.window_manager
        self.layout.label(text=wm.ftdcc_headline or "Last publish", icon="INFO")
        for paragraph in wm.ftdcc_status.splitlines():
            if paragraph.startswith("Review: "):
                continue  # the "Open review" button opens it
            for line in textwrap.wrap(paragraph, self.WRAP) or [""]:
                self.layout.label(text=line)
        if wm.ftdcc_review_url:
            self.layout.operator("ftdcc.open_review", icon="URL")

    def execute(self, context):
        return {"FINISHED"}


CLASSES = (FTDCC_OT_publish, FTDCC_OT_refresh, FTDCC_OT_open_review, FTDCC_OT_details)


register, unregister = bpy.utils.register_classes_factory(CLASSES)
