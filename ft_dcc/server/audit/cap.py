"""Audit rows bounded per grant: at most ``FT_DCC_AUDIT_ROWS_PER_MINUTE`` (default 60) entries of
the repeated acts of one grant (``who``) on one session in a minute; the rest are counted and
written as one ``audit.counted`` entry (``detail.counted``: how many of each act, ``from``/``to``:
the minute) instead of a row each.

The repeated acts are what a link's holder does by asking again -- a page opened, a movie played
or downloaded, a refused request (of a revoked or closed link, say), a wrong passphrase
(:data:`CAPPED`). Every act that changes something (a note, a drawing, a verdict, taking the
lead, a passphrase passed, a session changed, a link revoked) keeps a row of its own: each stands
for a stored change, bounded by what bounds that change.

A minute's counted entry is written when the minute is over (by the process's writer thread,
:mod:`ft_dcc.server.audit.held`, or by the next capped act that finds it over, oldest first),
when the trail of its session is read (then with the count so far, and counting goes on), and
when the process stops cleanly (every count held, the minute not over). On PostgreSQL the rows
written are counted by every server process together (``--workers N``: still at most the cap a
minute; table ``ft_dcc_audit_rows``), and each process writes the counted entry of what it held
back; a process that crashes loses at most the counts of the minutes not yet over.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import weakref
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from ft_dcc.server.common.env_number import positive_number
from ft_dcc.server.limits.limiter import DatabaseCounts
from ft_dcc.server.model.parts import StoreParts

log = logging.getLogger(__name__)

ROWS_ENV = "FT_DCC_AUDIT_ROWS_PER_MINUTE"
DEFAULT_ROWS = 60
#: the length of a "minute", in seconds (``FT_DCC_AUDIT_WINDOW``, for tests)
WINDOW_ENV = "FT_DCC_AUDIT_WINDOW"
WINDOW = 60.0
#: the act of an entry that counts what was not written one by one
COUNTED = "audit.counted"
#: the acts counted past the cap
CAPPED = frozenset(
    {"link.opened", "media.played", "media.downloaded", "access.refused", "passphrase.failed"}
)
#: grants followed at most per process (past it, the oldest minutes are written out early)
MOST_GRANTS = 10_000
#: (session, who)
Grant = Tuple[Optional[str], str]


@dataclass
class _Minute:
    started: float
    written: int = 0
    held: Counter[str] = field(default_factory=Counter)


@dataclass
class Counted:
    """One ``audit.counted`` entry to write: whose, and its detail."""

    review_session_id: Optional[str]
    who: str
    detail: Dict[str, object]


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.timezone.utc).isoformat(timespec="seconds")


class SharedRows(DatabaseCounts):
    """The rows each grant wrote in its minute, counted by every server process (PostgreSQL)."""

    NAME = "ft_dcc_audit_rows"


class AuditCap:
    """The minutes of each grant in one process (thread-safe); with ``shared`` counts, the rows
    written are counted over every process."""

    def __init__(self, rows: int, window: float = WINDOW,
                 clock: Callable[[], float] = time.time,
                 shared: Optional[DatabaseCounts] = None) -> None:  # fmt: skip
        self.rows, self.window, self.clock, self.shared = rows, window, clock, shared
        self._minutes: OrderedDict[Grant, _Minute] = OrderedDict()
        self._lock = threading.Lock()
        #: set when a minute starts holding counts (the writer thread waits for it)
        self.holding = threading.Event()

    def _written_before(self, grant: Grant) -> Optional[int]:
        """Rows the grant wrote in its minute before this one, over every process (``None``:
        count in this process)."""
        if self.shared is None:
            return None
        try:
            return self.shared.add(f"audit\0{grant[0]}\0{grant[1]}") - 1
        except Exception:  # the database is busy or gone: this process's count decides
            log.warning("could not count audit rows over the server processes", exc_info=True)
            return None

    def admit(
        self, review_session_id: Optional[str], who: str, act: str
    ) -> Tuple[bool, List[Counted]]:
        """Whether an ``act`` of ``who`` on the session gets a row of its own, and the counted
        entries due first (minutes that are over)."""
        if act not in CAPPED:
            return True, []
        grant = (review_session_id, who)
        written = self._written_before(grant)
        with self._lock:
            now = self.clock()
            due = self._over(now, grant)
            minute = self._minutes.get(grant)
            if minute is None:
                minute = self._minutes[grant] = _Minute(now)
            if (minute.written if written is None else written) < self.rows:
                minute.written += 1
                return True, due
            if not minute.held:
                self.holding.set()
            minute.held[act] += 1
            return False, due

    def flush(self, review_session_id: Optional[str]) -> List[Counted]:
        """The counts held for the session so far (its trail is being read); counting goes on."""
        return self._take(lambda grant: grant[0] == review_session_id)

    def flush_all(self) -> List[Counted]:
        """Every count held so far, of every session (the process stops)."""
        return self._take(lambda grant: True)

    def _take(self, wanted: Callable[[Grant], bool]) -> List[Counted]:
        with self._lock:
            found = []
            for grant, minute in self._minutes.items():
                if wanted(grant) and minute.held:
                    found.append(self._counted(grant, minute, self.clock()))
                    minute.held = Counter()
            return found

    def due(self) -> List[Counted]:
        """The counted entries of the minutes that are over (the writer thread's)."""
        with self._lock:
            return self._over(self.clock(), None)

    def next_end(self) -> Optional[float]:
        """When the oldest minute followed ends (the next :meth:`due` may have something);
        ``None`` while no minute holds a count."""
        with self._lock:
            if not any(minute.held for minute in self._minutes.values()):
                return None
            return next(iter(self._minutes.values())).started + self.window

    def _over(self, now: float, grant: Optional[Grant]) -> List[Counted]:
        due = []
        mine = None if grant is None else self._minutes.get(grant)
        if grant is not None and mine is not None and now - mine.started >= self.window:
            del self._minutes[grant]
            if mine.held:
                due.append(self._counted(grant, mine, mine.started + self.window))
        while self._minutes:
            oldest, minute = next(iter(self._minutes.items()))
            if now - minute.started < self.window and len(self._minutes) < MOST_GRANTS:
                break
            del self._minutes[oldest]
            if minute.held:
                due.append(self._counted(oldest, minute, min(now, minute.started + self.window)))
        return due

    def _counted(self, grant: Grant, minute: _Minute, until: float) -> Counted:
        detail: Dict[str, object] = {
            "counted": dict(sorted(minute.held.items())),
            "from": _iso(minute.started),
            "to": _iso(until),
            "rows_per_minute": self.rows,
        }
        return Counted(grant[0], grant[1], detail)


_caps: weakref.WeakKeyDictionary[object, AuditCap] = weakref.WeakKeyDictionary()
_caps_lock = threading.Lock()


def cap_of(store: StoreParts) -> AuditCap:
    """The cap of ``store``'s trail in this process (``FT_DCC_AUDIT_ROWS_PER_MINUTE``)."""
    with _caps_lock:
        found = _caps.get(store.metadata)
        if found is None:
            rows = int(positive_number(ROWS_ENV, float(DEFAULT_ROWS)))
            window = positive_number(WINDOW_ENV, WINDOW)
            shared = None
            if store.engine.dialect.name == "postgresql":
                shared = SharedRows(store.engine, store.metadata, window)
            found = _caps[store.metadata] = AuditCap(rows, window, shared=shared)
        return found
