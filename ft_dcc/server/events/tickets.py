"""The handshake's socket.io sessions kept in this process: a sid, single use and short lived,
names the ticket (``grants.ticket_text``) the websocket claims. Across PostgreSQL workers
``fanout.SharedTickets`` replaces it, with the same two methods."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Dict, Optional, Tuple


class LocalTickets:
    """Tickets by sid, each until it is claimed or its time is up."""

    #: answered from memory at once: called on the event loop, not in a worker thread
    IN_MEMORY = True

    def __init__(self) -> None:
        self._pending: Dict[str, Tuple[str, float]] = {}
        self._lock = threading.Lock()

    def issue(self, text: str, ttl: float) -> str:
        """A new sid for ``text``, claimable for ``ttl`` seconds (stale ones are dropped)."""
        now = time.monotonic()
        sid = uuid.uuid4().hex
        with self._lock:
            for stale in [s for s, (_, expiry) in self._pending.items() if expiry < now]:
                del self._pending[stale]
            self._pending[sid] = (text, now + ttl)
        return sid

    def claim(self, sid: str) -> Optional[str]:
        """The ticket of ``sid``, once; ``None`` when unknown, claimed or expired."""
        with self._lock:
            text, expiry = self._pending.pop(sid, ("", 0.0))
        return text if text and expiry >= time.monotonic() else None
