"""Open the ftrack session for a publish, deciding between "online" and "queue offline"."""

from __future__ import annotations

import logging

from ft_dcc.exceptions import (
    ApiConnectionError,
    AuthenticationError,
    ConfigurationError,
    ValidationError,
)
from ft_dcc.publish.state import PublishState
from ft_dcc.publish.tasks import resolve_task
from ft_dcc.session.interface import IntegrateSession, PublishSession

log = logging.getLogger(__name__)

CREDENTIALS_HINT = (
    "set FTRACK_SERVER (your studio's ftrack address), FTRACK_API_USER and FTRACK_API_KEY "
    "(from your ftrack account's security settings) in the environment before starting the "
    "application, e.g. export FTRACK_API_KEY=... (setx on Windows); or ask your TD"
)


def default_session() -> IntegrateSession:
    """An ``ft_dcc.Session`` configured from the ``FTRACK_*`` environment; its start rides
    with the publish's first read (the task's)."""
    from ft_dcc.session import Session

    return Session(defer_start=True)


def _read_task(state: PublishState, session: PublishSession) -> None:
    """Read the publish's task (kept for its validator), or any cheap row when none is given."""
    if not (state.task_id or state.task_path):
        session.query('select id from Location where name is "ftrack.server"').first()
        return
    try:
        state.task = resolve_task(session, state.task_id, state.task_path)
    except ValidationError as exc:  # reported by the task's validator
        state.task_error = exc


def _warm_event_hub(session: PublishSession) -> None:
    """Open the event hub connection now, in the background, so the announcement at the end
    of the publish finds it ready instead of waiting for the handshake."""
    hub = getattr(session, "event_hub", None)
    if hub is not None and not getattr(hub, "connected", True):
        hub.connect_in_background()


def connect(state: PublishState) -> None:
    """Set ``state.session`` and ``state.online`` (or ``state.offline`` when the server cannot
    be reached); missing or refused credentials raise ValidationError. A later reviewable of
    the same publish finds it decided by the first one."""
    if state.online or state.offline:
        return
    state.offline = False
    state.online = False
    try:
        if state.session is None:
            state.session = (state.session_factory or default_session)()
        # one round trip proves the server answers and accepts us: the task's read (a task
        # read already on this session, e.g. with ft-dcc publish's settings, proved it)
        if state.task is None:
            _read_task(state, state.session)
        state.online = True
        _warm_event_hub(state.session)
    except ConfigurationError as exc:
        raise ValidationError(
            f"ftrack is not configured. {exc.message}",
            hint=CREDENTIALS_HINT,
        ) from exc
    except AuthenticationError as exc:
        raise ValidationError(
            f"the ftrack server refused the credentials: {exc.message}",
            hint=exc.hint or CREDENTIALS_HINT,
        ) from exc
    except ApiConnectionError as exc:  # ValidateFtrackServer tells the artist, in one line
        log.info("ftrack server unreachable, publishing to the offline queue: %s", exc.message)
        state.offline = True
        state.offline_reason = exc.message
