"""A ``Session``'s options beyond ``ftrack_api.Session``'s keywords, as declared value objects.

``Session(server_url, api_key, api_user, ..., timeout=..., headers=..., strict_api=...)`` takes
the genuine client's keywords as they are; what ft_dcc adds is grouped here, the way
``requests`` hands a transport adapter one ``Retry``::

    Session(retry=RetryPolicy(retries=0), uploads=UploadOptions(workers=2))

They are ``NamedTuple`` s, not attrs classes: they are read on the session's start path, which
does not import ``attr`` (``tests/session/test_start_imports.py``).
"""

from __future__ import annotations

from typing import Mapping, NamedTuple, Optional

MiB = 1024 * 1024


class RetryPolicy(NamedTuple):
    """How a request that cannot reach the server, or finds it busy (HTTP 500/502/503/504), is
    tried again: up to ``retries`` more times, after ``backoff`` seconds, doubled each time
    (at most 10 s). Uploads to pre-signed URLs follow the same policy."""

    retries: int = 3
    backoff: float = 0.5

    def delay(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (0 for the first)."""
        return min(self.backoff * (2**attempt), 10.0)


#: the default policy (three retries, from half a second on)
DEFAULT_RETRY = RetryPolicy()


class UploadOptions(NamedTuple):
    """How files are sent to ``ftrack.server``: in ``part_size`` parts from
    ``multipart_threshold`` bytes on, ``workers`` files (or parts) at a time."""

    part_size: int = 8 * MiB
    multipart_threshold: int = 64 * MiB
    workers: int = 4


DEFAULT_UPLOADS = UploadOptions()


class TransportOptions(NamedTuple):
    """What the HTTP transport is told: ``ftrack_api``'s ``timeout`` (seconds), extra
    ``headers`` and ``strict_api``, and the retry policy."""

    timeout: float = 60
    headers: Optional[Mapping[str, str]] = None
    strict_api: bool = False
    retry: RetryPolicy = DEFAULT_RETRY


DEFAULT_TRANSPORT = TransportOptions()
