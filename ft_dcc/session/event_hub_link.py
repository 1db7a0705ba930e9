"""The session's event hub: made at start-up (a stand-in when it cannot be imported) and
optionally connected in the background, so a session never waits for events."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, NoReturn, Optional, Union

from ft_dcc.exceptions import EventHubError

if TYPE_CHECKING:
    from ft_dcc.session.event_hub import EventHub

log = logging.getLogger(__name__)


class MissingEventHub:
    """Stands in for the event hub when ``ft_dcc.session.event_hub`` cannot be imported."""

    connected = False

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def _fail(self, *args: object, **kwargs: object) -> NoReturn:
        raise EventHubError(
            f"The event hub is not available: {self.reason}",
            hint="install the 'events' extra (websocket-client)",
        )

    connect = subscribe = publish = _fail

    def disconnect(self) -> None:
        return None


#: a session's event hub: the real one, or the stand-in saying why there is none
SessionEventHub = Union["EventHub", MissingEventHub]


def create_event_hub(server_url: str, api_user: str, api_key: str) -> SessionEventHub:
    """An unconnected ``EventHub`` for the server, or a ``MissingEventHub`` saying why not."""
    try:
        from ft_dcc.session.event_hub import EventHub
    except ImportError as error:
        return MissingEventHub(str(error))
    return EventHub(server_url, api_user, api_key)


def connect_in_background(event_hub: SessionEventHub, server_url: str) -> threading.Thread:
    """Start connecting ``event_hub`` in a daemon thread; a failure is only logged."""
    if not isinstance(event_hub, MissingEventHub):
        return event_hub.connect_in_background()

    def connect() -> None:
        try:
            event_hub.connect()
        except Exception as error:
            log.warning(
                "could not connect the event hub of %s: %s; the session works without it",
                server_url,
                error,
            )

    thread = threading.Thread(target=connect, name="ft_dcc-event-hub", daemon=True)
    thread.start()
    return thread


def disconnect(event_hub: SessionEventHub, thread: Optional[threading.Thread]) -> None:
    """Disconnect ``event_hub`` (errors are logged) and wait up to 5 s for its connect thread."""
    try:
        event_hub.disconnect()
    except Exception as error:
        log.debug("event hub disconnect: %s", error)
    if thread is not None:
        thread.join(timeout=5)
