"""Hubs whose connection dropped, kept for a window so that a reconnect loses no event.

ftrack's clients (Python and JavaScript) reconnect with a new socket.io session but the same hub
id (``source.id`` of everything they send) and the same subscriber ids. When a connection ends
without the client saying goodbye (``0::``), the broker *parks* its hub: its subscribers stay
registered and every event they match is kept, up to ``max_frames`` (the oldest are dropped
first, with a warning). The first packet of a new connection of the **same user** carrying that
hub id *claims* the parked hub: the kept events are sent first, then the client's live ones.
After ``window`` seconds unclaimed, a parked hub is forgotten with its events. While it is
parked its hub ids and subscriber ids stay its user's: another user's socket naming one is
refused (``hub_keeper.HubIds.bind``; across processes the shared registry keeps them,
``hub_ids.SharedHubIds``), so it neither gets the hub's events nor keeps the owner out.

Across server processes (``--workers`` on PostgreSQL) the park, claim and the kept events travel
through the broker's relay as control messages (:data:`CONTROL_TOPIC`), which clients may not
publish; see ``hub_keeper.HubIds.on_control``. Every process keeps a copy of a parked hub's
events, but only from when the park's message reached it, which may be after the first missed
events; the process the hub was parked in (its ``origin``) holds them all. So a hub resumed in
another process holds its events until the origin's replay comes: the replay first, then the
copy and the live events, each event once (``Connection.await_replay``).
"""

from __future__ import annotations

import collections
import logging
import time
from typing import Deque, Dict, Iterable, List, Optional, Set, Tuple

from ft_dcc.protocol.events import Expression, parse_expression
from ft_dcc.protocol.json_value import JsonObject

logger = logging.getLogger(__name__)

#: Topics of the server's own messages (refused from clients, never sent to their hubs).
SERVER_TOPIC_PREFIX = "ft_dcc.meta."
#: Topic of the brokers' own relay messages (park / resume / replay); refused from clients.
CONTROL_TOPIC = SERVER_TOPIC_PREFIX + "hub-resume"

#: subscriber id -> (its metadata as the client sent it, its parsed subscription)
Subscribers = Dict[str, Tuple[JsonObject, Expression]]
#: An event frame as sent on the websocket, with the id of its event.
Frame = Tuple[str, str]


class ParkedHub:
    """A dropped hub's user, subscribers (with their expressions' text) and kept frames."""

    def __init__(
        self,
        user: str,
        hub_ids: Iterable[str],
        subscribers: Subscribers,
        texts: Dict[str, str],
        expires: float,
        max_frames: int,
    ) -> None:
        self.user = user
        self.hub_ids: Set[str] = set(hub_ids)
        self.subscribers = dict(subscribers)
        self.texts = dict(texts)
        self.expires = expires
        self.frames: Deque[Frame] = collections.deque()
        self.max_frames = max_frames
        #: the server process the hub was parked in, when it is another one: the copy kept here
        #: starts when the park's message came, maybe after the first missed events
        self.origin: Optional[str] = None
        self.dropped = 0
        #: this process holds its hub ids in the shared registry (``hub_ids.SharedHubIds``) for
        #: the owner while it is away: parked from a connection here, not from another process
        self.held_here = False

    def ids(self) -> Set[str]:
        """Its hub ids and its subscribers' ids."""
        return self.hub_ids | set(self.subscribers)

    def keep(self, frame: Frame) -> None:
        if len(self.frames) >= self.max_frames:
            self.frames.popleft()
            self.dropped += 1
            if self.dropped == 1:
                logger.warning(
                    "Event hub %s of %s is away with %d events kept; dropping the oldest",
                    sorted(self.hub_ids), self.user, self.max_frames,
                )  # fmt: skip
        self.frames.append(frame)

    def wire_subscribers(self) -> List[List[object]]:
        """``[[metadata, subscription text], ...]`` for a control message."""
        items = self.subscribers.items()
        return [[metadata, self.texts.get(key, "")] for key, (metadata, _) in items]


def subscribers_from_wire(items: object) -> Tuple[Subscribers, Dict[str, str]]:
    """The subscribers of a control message (skipping malformed ones)."""
    subscribers: Subscribers = {}
    texts: Dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        try:
            metadata, text = item
            key = str(metadata["id"])
            subscribers[key] = (metadata, parse_expression(str(text)))
            texts[key] = str(text)
        except (ValueError, TypeError, KeyError):
            continue
    return subscribers, texts


class Parking:
    """The parked hubs of one broker, by hub id; not thread-safe (the broker holds its lock)."""

    def __init__(self, window: float, max_frames: int) -> None:
        self.window = window
        self.max_frames = max_frames
        self._hubs: Dict[str, ParkedHub] = {}
        #: hubs forgotten unclaimed since the last ``take_expired``
        self._expired: List[ParkedHub] = []

    def park(
        self,
        user: str,
        hub_ids: Iterable[str],
        subscribers: Subscribers,
        texts: Dict[str, str],
        frames: Iterable[Frame] = (),
    ) -> ParkedHub:
        self._expire()
        hub = ParkedHub(
            user, hub_ids, subscribers, texts, time.monotonic() + self.window, self.max_frames
        )
        for frame in frames:
            hub.keep(frame)
        for hub_id in hub.hub_ids:
            kept = self._hubs.get(hub_id)
            if kept is None or kept.user == user:  # never displace another user's parked hub
                self._hubs[hub_id] = hub
        return hub

    def claim(self, hub_id: str, user: str) -> Optional[ParkedHub]:
        """The parked hub ``hub_id`` of ``user``, removed; ``None`` when there is none (or it is
        another user's: a hub id is no credential, it travels in every event the hub sends)."""
        self._expire()
        hub = self._hubs.get(hub_id)
        if hub is None or hub.user != user:
            return None
        for other in hub.hub_ids:
            self._hubs.pop(other, None)
        return hub

    def owner(self, ident: str) -> Optional[str]:
        """The user of the hub parked here whose hub id or subscriber id is ``ident`` (``None``:
        none is)."""
        self._expire()
        hub = self._hubs.get(ident)
        if hub is None:
            hub = next((h for h in self.hubs() if ident in h.subscribers), None)
        return None if hub is None else hub.user

    def held_ids(self, user: str) -> Set[str]:
        """The hub and subscriber ids of ``user``'s hubs parked from this process."""
        return {
            ident for hub in self.hubs() if hub.held_here and hub.user == user
            for ident in hub.ids()
        }  # fmt: skip

    def take_expired(self) -> List[ParkedHub]:
        """The hubs forgotten unclaimed since the last call (their ids may be let go)."""
        expired, self._expired = self._expired, []
        return expired

    def hubs(self) -> List[ParkedHub]:
        return list({id(hub): hub for hub in self._hubs.values()}.values())

    def _expire(self) -> None:
        now = time.monotonic()
        for hub_id, hub in list(self._hubs.items()):
            if hub.expires < now:
                del self._hubs[hub_id]
                if hub.held_here and not any(hub is other for other in self._expired):
                    self._expired.append(hub)
                if hub.frames:
                    logger.info(
                        "Event hub %s of %s did not come back within %.0f s; %d events dropped",
                        hub_id, hub.user, self.window, len(hub.frames),
                    )  # fmt: skip
