"""The hub's grants: the key a socket was opened with, re-checked when its User is revoked, and
who asked what (a reply goes to the asker's sockets only).

The handshake's grant travels with the socket.io ticket (``ticket_text``), since the handshake
and the websocket may reach different server processes.
"""

from __future__ import annotations

import collections
import json
import threading
from typing import Callable, Generic, Mapping, Optional, Protocol, Sequence, Tuple, TypeVar

from ft_dcc.protocol.events import TOPIC_REPLY
from ft_dcc.server.grants.bus import EVERYTHING, USER, Revocation, RevocationBus
from ft_dcc.server.grants.key import KeyGrant

#: How many events' askers are remembered for their replies (per process).
MAX_ASKERS = 20000


Holds = Callable[[KeyGrant], bool]


class HeldConnection(Protocol):
    """A hub connection as far as its grant goes."""

    grant: Optional[KeyGrant]


#: the broker's own connection type: what it lists is what it cuts
C = TypeVar("C", bound=HeldConnection)


class Broker(Protocol[C]):
    """What :class:`HubGrants` needs of the broker (``EventBroker``)."""

    def connections_of(self, user_id: Optional[str]) -> Sequence[C]: ...

    def cut(self, connection: C) -> None: ...


def ticket_text(user: str, accepted: object) -> str:
    """What a socket.io ticket keeps of a handshake: the user, and its key grant if any."""
    user_id, key_hash = getattr(accepted, "user_id", None), getattr(accepted, "key_hash", None)
    if not isinstance(user_id, str) or not isinstance(key_hash, str):
        return user
    return json.dumps({"u": user, "id": user_id, "k": key_hash})


def ticket_user(text: str) -> Tuple[str, Optional[KeyGrant]]:
    """(user, grant or None) of a ticket's text (see :func:`ticket_text`)."""
    if not text.startswith("{"):
        return text, None
    data = json.loads(text)
    return str(data["u"]), KeyGrant(str(data["u"]), str(data["id"]), str(data["k"]))


class HubGrants(Generic[C]):
    """One broker's grant checks; :meth:`watch` makes revocations reach its sockets."""

    def __init__(self, broker: Broker[C]) -> None:
        self._broker = broker
        self._holds: Optional[Holds] = None
        self._askers: collections.OrderedDict[str, str] = collections.OrderedDict()
        self._lock = threading.Lock()

    def watch(self, bus: RevocationBus, holds: Holds) -> None:
        """Re-check the sockets' keys with ``holds`` whenever ``bus`` revokes their User."""
        self._holds = holds
        bus.subscribe(self._on_revocation)

    def holds(self, grant: Optional[KeyGrant]) -> bool:
        """Whether ``grant`` still stands (a socket without a key grant is not watched)."""
        if grant is None or self._holds is None:
            return True
        return self._holds(grant)

    def _on_revocation(self, revocation: Revocation) -> None:
        if revocation.kind not in (USER, EVERYTHING):
            return
        user_id = None if revocation.kind == EVERYTHING else revocation.subject
        for connection in self._broker.connections_of(user_id):
            if not self.holds(connection.grant):
                self._broker.cut(connection)

    def reply_user(self, event: Mapping[str, object]) -> Optional[str]:
        """For a reply: the User who sent the event it answers (only their sockets get it), or
        ``None`` (not a reply, or to an event this process never saw). Other events are noted
        as asked by their (server-set) source user."""
        event_id = event.get("id")
        if event.get("topic") == TOPIC_REPLY:
            asked = event.get("in_reply_to_event")
            with self._lock:
                return self._askers.get(str(asked)) if asked else None
        source = event.get("source")
        user = source.get("user") if isinstance(source, dict) else None
        username = user.get("username") if isinstance(user, dict) else None
        if isinstance(event_id, str) and isinstance(username, str) and username:
            with self._lock:
                self._askers[event_id] = username
                while len(self._askers) > MAX_ASKERS:
                    self._askers.popitem(last=False)
        return None
