"""The counts a server process holds back (:mod:`ft_dcc.server.audit.cap`), written without
waiting for the next act or read: a thread writes each minute's count once the minute is over,
and :meth:`HeldWriter.stop` (the server closing: uvicorn's lifespan shutdown on SIGTERM or
Ctrl-C, in one process or in each ``--workers N`` worker) writes every count still held.

A process that crashes (SIGKILL, power loss) loses the counts of the minutes not yet over, at
most a minute of each holder's repeated acts; what it wrote stays.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, List

from ft_dcc.server.audit.cap import AuditCap, Counted

log = logging.getLogger(__name__)

#: how long :meth:`HeldWriter.stop` waits for a write under way before writing what is held
STOP_WAIT = 30.0


class HeldWriter:
    """Writes ``cap``'s counted entries through ``write`` as their minutes end; asleep while
    no count is held."""

    def __init__(self, cap: AuditCap, write: Callable[[List[Counted]], None]) -> None:
        self.cap, self._write = cap, write
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="ft-dcc-audit-counts", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping:
            end = self.cap.next_end()
            timeout = None if end is None else max(0.0, end - self.cap.clock())
            self.cap.holding.wait(timeout)
            self.cap.holding.clear()  # next_end, read after this, sees any count held since
            if not self._stopping:
                self._written(self.cap.due)

    def _written(self, take: Callable[[], List[Counted]]) -> None:
        try:
            due = take()
            if due:
                self._write(due)
        except Exception:  # logged; the counts of a failed write are not tried again
            log.exception("could not write the audit trail's counted entries")

    def stop(self) -> None:
        """Stop the thread and write every count held so far (the process stops)."""
        self._stopping = True
        self.cap.holding.set()
        self._thread.join(STOP_WAIT)
        self._written(self.cap.flush_all)
