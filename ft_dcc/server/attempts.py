"""Failed authentication, counted per source and per target (the rate limits' core; the
HTTP side, its settings and its 429 answers are :mod:`ft_dcc.server.http.ratelimit`).

The code that checks a credential of any kind calls :func:`check` before (``TooManyAttempts``
while its source or target is locked out) and :func:`failed` / :func:`succeeded` after. Which
request, from which source, and which guard counts it, is set per request by
:func:`attempt_from` (the HTTP middleware); outside a request these calls do nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, Optional, Protocol, Tuple

from ft_dcc.server.errors import ServerError

log = logging.getLogger(__name__)

DEFAULT_WINDOW = 60.0
DEFAULT_PER_SOURCE = 300
DEFAULT_PER_TARGET = 100
#: counters kept at most (expired ones are dropped first; beyond, the oldest windows go)
MOST_COUNTERS = 100_000

#: the kinds of credential
KEY = "api key"
LINK = "review link"
SIGNATURE = "signed url"
PASSPHRASE = "passphrase"


class TooManyAttempts(ServerError):
    """Too many failed attempts from this source or on this target: 429."""

    exception = "RateLimitError"
    status = 429

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        #: seconds until the lock ends (``Retry-After``)
        self.retry_after = retry_after


class Counts(Protocol):
    """Failures per key in fixed windows: :class:`FailureCounts` (one process) or
    ``shared_limits.SharedFailureCounts`` (every process on one PostgreSQL database)."""

    def count(self, key: str) -> int: ...

    def add(self, key: str) -> int: ...

    def left(self, key: str) -> float: ...


@dataclass
class _Window:
    started: float
    count: int


class FailureCounts:
    """Failures per key in fixed windows of ``window`` seconds (thread-safe, bounded)."""

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._windows: Dict[str, _Window] = {}
        self._lock = threading.Lock()

    def count(self, key: str) -> int:
        with self._lock:
            found = self._current(key)
            return found.count if found else 0

    def add(self, key: str) -> int:
        """One more failure of ``key``; the window's count."""
        with self._lock:
            found = self._current(key)
            if found is None:
                self._trim()
                found = self._windows[key] = _Window(self.clock(), 0)
            found.count += 1
            return found.count

    def left(self, key: str) -> float:
        """Seconds until ``key``'s window ends (0 when it has none)."""
        with self._lock:
            found = self._current(key)
            return 0.0 if found is None else max(0.0, found.started + self.window - self.clock())

    def _current(self, key: str) -> Optional[_Window]:
        found = self._windows.get(key)
        if found is not None and self.clock() - found.started >= self.window:
            del self._windows[key]
            return None
        return found

    def _trim(self) -> None:
        if len(self._windows) < MOST_COUNTERS:
            return
        now = self.clock()
        self._windows = {k: w for k, w in self._windows.items() if now - w.started < self.window}
        if len(self._windows) >= MOST_COUNTERS:
            newest = sorted(self._windows.items(), key=lambda item: item[1].started)
            self._windows = dict(newest[len(newest) // 2 :])


class _KnownPairs:
    """Sign-ins remembered here first, and written to the shared counts once per window."""

    def __init__(self, local: FailureCounts, shared: Counts) -> None:
        self.local, self.shared = local, shared

    def count(self, key: str) -> int:
        return self.local.count(key) or self.shared.count(key)

    def add(self, key: str) -> int:
        count = self.local.add(key)
        if count == 1:
            self.shared.add(key)
        return count

    def left(self, key: str) -> float:
        return self.local.left(key)


class AuthGuard:
    """Who may still try: the per-source and per-target limits, counted in this process or,
    with ``shared`` counts, in every server process on one database."""

    def __init__(
        self,
        per_source: int = DEFAULT_PER_SOURCE,
        per_target: int = DEFAULT_PER_TARGET,
        window: float = DEFAULT_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        shared: Optional[Counts] = None,
    ) -> None:
        self.per_source = per_source
        self.per_target = per_target
        self.failures: Counts = shared if shared is not None else FailureCounts(window, clock)
        #: (kind, target, source) that signed in during the window: not locked out of it
        self.known: Counts = FailureCounts(window, clock)
        if shared is not None:
            self.known = _KnownPairs(FailureCounts(window, clock), shared)

    def check(self, kind: str, source: str, target: str) -> None:
        """``TooManyAttempts`` when ``source`` or ``target`` is locked (see the module)."""
        if self.known.count(_pair(kind, target, source)):
            return
        source_key, target_key = _source(source), _target(kind, target)
        if self.failures.count(source_key) >= self.per_source:
            raise _refusal(self.failures.left(source_key))
        if self.failures.count(target_key) >= self.per_target:
            raise _refusal(self.failures.left(target_key))

    def failed(self, kind: str, source: str, target: str) -> None:
        if self.failures.add(_source(source)) == self.per_source:
            log.warning("too many failed %s attempts from %s: refused for a while", kind, source)
        if self.failures.add(_target(kind, target)) == self.per_target:
            log.warning("too many failed %s attempts on one target: refused for a while", kind)

    def succeeded(self, kind: str, source: str, target: str) -> None:
        self.known.add(_pair(kind, target, source))


def _source(source: str) -> str:
    """A source's failures count together, whatever the kind."""
    return f"s\0{source}"


def _target(kind: str, target: str) -> str:
    return f"t\0{kind}\0{target}"


def _pair(kind: str, target: str, source: str) -> str:
    return f"k\0{kind}\0{target}\0{source}"


def _refusal(seconds: float) -> TooManyAttempts:
    wait = max(1, int(seconds + 0.999))
    return TooManyAttempts(
        f"Too many failed sign-in attempts; try again in {wait} s. Check the credentials "
        "(FTRACK_API_USER / FTRACK_API_KEY, or ask for a new link) before retrying.",
        retry_after=wait,
    )


_attempt: contextvars.ContextVar[Optional[Tuple[AuthGuard, str]]] = contextvars.ContextVar(
    "ft_dcc_auth_attempt", default=None
)


def check(kind: str, target: Optional[str]) -> None:
    """Before checking a credential for ``target``: ``TooManyAttempts`` when locked out. Outside
    a request (the server's own checks) it does nothing."""
    current = _attempt.get()
    if current is not None:
        current[0].check(kind, current[1], str(target or ""))


def failed(kind: str, target: Optional[str]) -> None:
    """A credential for ``target`` was wrong (forged, expired, unknown)."""
    current = _attempt.get()
    if current is not None:
        current[0].failed(kind, current[1], str(target or ""))


def succeeded(kind: str, target: Optional[str]) -> None:
    """A credential for ``target`` was right."""
    current = _attempt.get()
    if current is not None:
        current[0].succeeded(kind, current[1], str(target or ""))


def note(kind: str, target: Optional[str], ok: bool) -> None:
    """:func:`succeeded` when ``ok``, else :func:`failed`."""
    (succeeded if ok else failed)(kind, target)


@contextlib.contextmanager
def attempt_from(guard: AuthGuard, source: str) -> Iterator[None]:
    """Within the block, credentials are checked for a request from ``source``."""
    token = _attempt.set((guard, source))
    try:
        yield
    finally:
        _attempt.reset(token)
