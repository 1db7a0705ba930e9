"""What an upload asks of its session, as a protocol: its own module, so the session's other
helpers can name it without importing ``requests`` (which :mod:`.upload` needs at run time)."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Mapping, Protocol, Sequence

from ft_dcc.session.options import RetryPolicy, UploadOptions

if TYPE_CHECKING:
    import requests


class UploadSession(Protocol):
    """What an upload asks of its session: its settings, ``call`` and the plain HTTP session
    for pre-signed URLs (``ft_dcc.Session`` provides it)."""

    timeout: float
    uploads: UploadOptions

    @property
    def retry(self) -> RetryPolicy: ...

    @property
    def _upload_http(self) -> requests.Session: ...

    # each answer's shape depends on its action: read it with ``ft_dcc.session.replies``
    def call(self, operations: Sequence[Mapping[str, object]]) -> List[object]: ...
