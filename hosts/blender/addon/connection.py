"""The add-on's link to the ftrack server: a session from preferences or FTRACK_* variables, and
the open review sessions the artist can publish into. Runs on the main thread, quickly."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Dict, List, Optional, TypedDict

if TYPE_CHECKING:  # pragma: no cover - ft_dcc is imported when the add-on connects
    from ft_dcc import Session
    from ft_dcc.session.interface import PublishSession, ServerLogin

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")



class ConnectionState(TypedDict):
    """The panel's view of the server."""

    connected: bool
    message: str  # what the connection row says
    sessions: List[str]  # the open review sessions' names


#: the panel's view of the server, refreshed by the "Refresh" button
STATE: ConnectionState = {"connected": False, "message": "Not checked yet", "sessions": []}


def make_session(server_url: str = "", api_user: str = "", api_key: str = "") -> Session:
    """An ``ft_dcc.Session`` from the add-on preferences, falling back to FTRACK_* variables."""
    return deferred_session({"server_url": server_url, "api_user": api_user,
                             "api_key": api_key}, defer=False)  # fmt: skip


def deferred_session(settings: Dict[str, str], defer: bool = True) -> Session:
    """:func:`make_session` of ``settings`` whose start rides with its first request (a read
    of one request stays one)."""
    from ft_dcc import Session

    return Session(**{k: v for k, v in settings.items() if v}, defer_start=defer)


def _quote(value: str) -> str:
    from ft_dcc.protocol.query_text import quote  # ft_dcc is importable once the add-on connects

    return quote(value)


def project_condition(session: PublishSession, task: str) -> Optional[str]:
    """A ReviewSession filter for the task's project (task id or ``Project/.../Task`` path)."""
    task = task.strip()
    if not task:
        return None
    if UUID.match(task):
        context = session.query(
            f"select project_id from TypedContext where id is {_quote(task)}"
        ).first()
        return f"project_id is {_quote(context['project_id'])}" if context else None
    return f"project.name is {_quote(task.split('/')[0])}"


def open_review_sessions(session: PublishSession, task: str = "") -> List[str]:
    """Names of the open review sessions in the task's project (all projects without a task)."""
    from ft_dcc.review import sessions as review

    where = project_condition(session, task)
    expression = "select id, name, end_date from ReviewSession"
    if where:
        expression += f" where {where}"
    sessions = session.query(expression).all()
    return sorted({s["name"] for s in sessions if review.is_open(s)})


def after_publish(settings: Dict[str, str], outcome: str) -> None:
    """A publish just talked to the server: the panel says so, not "Not checked yet"."""
    import os

    url = settings.get("server_url") or os.environ.get("FTRACK_SERVER", "")
    user = settings.get("api_user") or os.environ.get("FTRACK_API_USER", "")
    if outcome == "published":
        STATE.update({"connected": True, "message": f"Connected to {url} as {user}"})
    elif outcome == "queued":
        STATE.update({"connected": False, "message": f"Not connected: {url} could not be reached"})


def reached(session: ServerLogin) -> None:
    """``session`` just answered a read: the panel says it is connected (and to whom)."""
    url = getattr(session, "server_url", "")
    user = getattr(session, "api_user", "")
    STATE.update({"connected": True, "message": f"Connected to {url} as {user}"})


def refresh(settings: Dict[str, str], task: str = "") -> ConnectionState:
    """Connect, list open review sessions, and update :data:`STATE`."""
    try:
        session = make_session(**settings)
        names = open_review_sessions(session, task)
        reached(session)
        STATE.update({"sessions": names})
    except Exception as exc:
        STATE.update({"connected": False, "message": f"Not connected: {exc}", "sessions": []})
    return STATE
