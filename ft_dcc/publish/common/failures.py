"""Decide whether a failed publish step means "the server is unreachable: queue it"."""

from __future__ import annotations

import socket
from typing import Iterator, Optional

import requests

from ft_dcc.exceptions import ApiConnectionError, UploadError
from ft_dcc.session.interface import PublishSession

#: low-level errors that mean the connection was lost, refused or timed out
_CONNECTION_ERRORS = (
    ApiConnectionError,
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    ConnectionError,  # refused / reset / aborted / broken pipe
    TimeoutError,
    socket.timeout,
)


def exception_chain(error: Optional[BaseException]) -> Iterator[BaseException]:
    """``error``, then what caused it (``__cause__``, else ``__context__``), each once."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def is_connection_failure(error: BaseException) -> bool:
    """True when ``error`` or anything in its cause chain says the server could not be reached.

    ``ft_dcc.Session`` wraps a lost connection during ``upload_file`` in ``UploadError`` (with
    the ``ApiConnectionError`` as its cause); any depth of wrapping is followed.
    """
    return any(isinstance(e, _CONNECTION_ERRORS) for e in exception_chain(error))


def server_answers(session: PublishSession) -> bool:
    """True when the ftrack server answers a cheap query now (whatever it answers)."""
    try:
        session.query('select id from Location where name is "ftrack.server"').first()
    except Exception as exc:
        return not is_connection_failure(exc)
    return True


def should_queue(error: BaseException, session: Optional[PublishSession]) -> bool:
    """True when a failed integrate should be queued rather than reported as an error.

    A connection failure anywhere in the cause chain queues. An upload that failed after its
    retries without a recorded cause queues when the server no longer answers: the bytes can
    be sent by ``ft-dcc queue flush`` later.
    """
    if is_connection_failure(error):
        return True
    if any(isinstance(e, UploadError) for e in exception_chain(error)):
        return session is not None and not server_answers(session)
    return False


__all__ = ["exception_chain", "is_connection_failure", "server_answers", "should_queue"]
