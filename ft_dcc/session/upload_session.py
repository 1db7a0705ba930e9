"""What an upload asks of its session, as a protocol: its own module, so the session's other
helpers can name it without importing ``requests`` (which :mod:`.upload` needs at run time)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Protocol

if TYPE_CHECKING:
    import requests


class UploadSession(Protocol):
    """What an upload asks of its session: its settings, ``call`` and the plain HTTP session
    for pre-signed URLs (``ft_dcc.Session`` provides it)."""

    timeout: float
    retries: int
    backoff: float
    upload_part_size: int
    upload_multipart_threshold: int
    upload_workers: int

    @property
    def _upload_http(self) -> requests.Session: ...

    def call(self, operations: List[Dict[str, Any]]) -> List[Any]: ...
