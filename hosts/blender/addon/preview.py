"""The panel's view of what the publish will use, before the click: the task (the artist's, else
the one the scene's path gives), the review session (the artist's, else the settings' name) and
the settings profile, from the publish's own resolver (``ft_dcc.host.publish_preview``).

Reading them asks the server, so it runs in a worker thread, never in Blender's drawing: the
panel starts a read when what it depends on changed (the Task and Review session fields, the
.blend's path, the connection preferences) and shows "Reading the settings..." until a
main-thread timer hands the answer over and redraws the sidebar.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, List, Optional, Tuple, TypedDict

import bpy

from . import connection, props
from .request import publish_request
from .wrapping import WRAP, wrapped

if TYPE_CHECKING:  # pragma: no cover - ft_dcc is imported once the add-on found it
    from ft_dcc.host.publish_preview import PublishPreview

log = logging.getLogger(__name__)

#: the inputs a preview was read for: Task, Review session, .blend path, connection preferences
Key = Tuple[str, ...]


class PreviewState(TypedDict):
    """The panel's last preview."""

    key: Optional[Key]  # what it was read for (None: never read, or read again)
    pending: bool  # a read is under way
    task: str  # the task the publish will use ("" when none)
    review_session: str
    lines: List[str]  # the settings box's lines
    message: str  # why the publish would fail before sending ("" when it would not)
    worker: str  # the thread that read it (never Blender's main thread)
    connection: str  # the connection row's words after the read


STATE: PreviewState = {
    "key": None, "pending": False, "task": "", "review_session": "", "lines": [], "message": "",
    "worker": "", "connection": "",
}  # fmt: skip
#: the finished read, handed from the worker to the main thread's timer
_DONE: List[PreviewState] = []
#: [True] when the read under way was asked for again meanwhile (a refresh)
_STALE: List[bool] = [False]
#: how often the main thread looks for the worker's answer (seconds)
POLL = 0.2


def key_of(context) -> Key:
    settings = context.scene.ftrack_publish
    conn = props.connection_settings(context)
    fields = (settings.task.strip(), settings.review_session.strip(), bpy.data.filepath)
    return (*fields, *(conn.get(name, "") for name in ("server_url", "api_user", "api_key")))


def invalidate() -> None:
    """Read again at the next drawing (after a refresh or a publish)."""
    STATE["key"] = None
    _STALE[0] = STATE["pending"]


def ensure(context) -> None:
    """From the panel's drawing: start a read when the inputs changed and none is under way."""
    key = key_of(context)
    if STATE["pending"] or key == STATE["key"]:
        return
    if not props.ft_dcc_ready(context):
        STATE.update({"key": key, "message": "ft_dcc is not importable: set its ft_dcc path"})
        return
    request = publish_request(context)
    conn = props.connection_settings(context)
    STATE.update({"key": key, "pending": True})
    worker = threading.Thread(
        target=_read, args=(key, request, bpy.data.filepath or None, conn), daemon=True,
        name="ft_dcc-panel-preview",
    )  # fmt: skip
    worker.start()
    # persistent: a .blend opened meanwhile must not drop the hand-over (pending for good)
    bpy.app.timers.register(_hand_over, first_interval=POLL, persistent=True)


def _read(key: Key, request, scene: Optional[str], conn) -> None:
    """The worker: the preview of ``request``, on a session of the panel's preferences (else
    of ``FTRACK_*``; none when neither names a server: the file and the defaults apply)."""
    from ft_dcc.exceptions import ConfigurationError, FtDccError
    from ft_dcc.host.publish_preview import PublishPreview, preview_publish

    session, server = None, ("", "")
    try:
        try:
            session = _session(conn)
            server = (str(session.server_url), str(session.api_user))
        except ConfigurationError:
            pass
        found = preview_publish(request, "blender", scene, session)
    except FtDccError as exc:  # e.g. the preferences' server refused the key
        found = PublishPreview(problem=str(exc))
    except Exception as exc:  # a bug: the panel says so rather than nothing
        log.exception("the publish preview failed")
        found = PublishPreview(problem=f"could not read the settings: {exc}")
    finally:
        if session is not None:
            session.close()
    _DONE.append(_state(key, found, server))


def _session(conn):
    """A session of the preferences whose start rides with its first read (a server that does
    not answer is then a note of the settings read, not an error)."""
    from ft_dcc import Session

    return Session(defer_start=True, **{k: v for k, v in conn.items() if v})


def _state(key: Key, found: PublishPreview, server: Tuple[str, str]) -> PreviewState:
    url, user = server
    if not url:
        reached = "Not connected: no server set up (add-on preferences or FTRACK_SERVER)"
    elif found.note is not None:
        reached = f"Not connected: {url} could not be read"
    else:
        reached = f"Connected to {url} as {user}"
    return {
        "key": key, "pending": False, "task": found.task or "",
        "review_session": found.review_session_name or "", "lines": list(found.lines),
        "message": found.problem or "", "worker": threading.current_thread().name,
        "connection": reached,
    }  # fmt: skip


def _hand_over() -> Optional[float]:
    """The main thread's timer: take the worker's answer, redraw the sidebars."""
    if not _DONE:
        return POLL
    STATE.update(_DONE.pop())
    reached = STATE["connection"]
    connection.STATE.update({"connected": reached.startswith("Connected"), "message": reached})
    if _STALE[0]:  # refreshed while it was read: read again
        STATE["key"], _STALE[0] = None, False
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()
    return None


def draw_task(layout, settings) -> None:
    """Under the Task field: the task the publish will use when the field is empty."""
    if settings.task.strip():
        return
    if STATE["pending"]:
        layout.label(text="Reading the settings...", icon="TIME")
    elif STATE["task"]:
        _wrapped(layout, f"From the scene's path: {_path(STATE['task'])}", "FILE_BLEND")
    else:
        _wrapped(layout, "No task: choose one", "ERROR")


def draw_review_session(layout, settings) -> None:
    """Under the Review session field: the name the settings give when the field is empty, then
    the settings profile that applies (the Settings box at the bottom says more)."""
    if STATE["pending"]:
        return
    if STATE["review_session"] and not settings.review_session.strip():
        _wrapped(layout, f"Into: {STATE['review_session']}", "INFO")
    if STATE["lines"] and not STATE["message"]:
        _wrapped(layout, STATE["lines"][0], "PREFERENCES")  # "Profile 'anim'"


def draw_settings(layout) -> None:
    """The Settings box: the profile that applies and where the values come from."""
    box = layout.box()
    box.label(text="Settings", icon="PREFERENCES")
    col = box.column(align=True)
    if STATE["pending"]:
        col.label(text="Reading...")
        return
    if STATE["message"]:
        _wrapped(col, STATE["message"], "ERROR")
    for line in STATE["lines"]:
        _wrapped(col, line, "NONE")


def _wrapped(layout, text: str, icon: str) -> None:
    """Wrapped a little narrower than the picker's lines: these sit inside a column or box."""
    wrapped(layout, text, icon=icon, width=WRAP - 3)


def _path(task: str) -> str:
    """``Project / sq010 / sh010 / anim``: a long path breaks between its levels."""
    return " / ".join(task.split("/"))
