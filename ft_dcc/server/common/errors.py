"""The server's errors, in ftrack's terms: one base class, :class:`ServerError`.

Every error the server answers a client with derives from :class:`ServerError` and carries
``exception`` (ftrack's exception name: ``ValidationError``, ``PermissionError``…), ``message``
(what to do) and ``status`` (the HTTP status). ``app.py`` maps them to replies once (ftrack's
error shape; the review room's own shape under ``/review/``); a route only raises.
"""

from __future__ import annotations

from typing import Dict, Optional, TypeVar

from ft_dcc.protocol import ERROR_DELETED_ID

#: The longest error text a reply carries: an error names the problem, it does not echo a
#: caller's whole input back (a 17 MB word in a query was answered with a 17 MB error).
MAX_ERROR_CHARS = 2000


def error_text(text: str) -> str:
    """``text`` as an error reply carries it: no braces (the genuine client formats error text
    with ``str.format``, where they would raise KeyError) and at most :data:`MAX_ERROR_CHARS`."""
    text = str(text)
    if len(text) > MAX_ERROR_CHARS:
        cut = len(text) - MAX_ERROR_CHARS
        text = f"{text[:MAX_ERROR_CHARS]}… ({cut} more characters not shown)"
    return text.replace("{", "(").replace("}", ")")


class ServerError(Exception):
    """Base of the server's errors: ``exception`` (ftrack's name), ``message``, HTTP ``status``."""

    exception = "ServerError"
    status = 400
    #: a typed reason a client reads without matching the text (the reply's ``error_code``,
    #: which ftrack's clients ignore); None: the exception name says it all
    error_code: Optional[str] = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def reply_fields(self) -> Dict[str, str]:
        """What the error reply carries beside ``exception``, ``content`` and ``error_code``
        (keys ftrack's clients ignore): none unless a kind says more."""
        return {}


class BadInput(ServerError):
    """A request the caller must fix (bad, too large or conflicting input): ``status`` 4xx."""

    exception = "ValidationError"

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class NotFound(ServerError):
    """What the request names does not exist (or is not where the request looks for it)."""

    exception = "NotFoundError"
    status = 404


_E = TypeVar("_E", bound="ApiOperationError")


class ApiOperationError(ServerError):
    """An ``/api`` operation or batch failed, or a JSON route refused; nothing was written.

    ``exception`` is the ftrack exception name the reply carries (``ValidationError``,
    ``ServerError``, ``NotFoundError``…), ``message`` the brace-free text, ``detail`` the text
    without the name of the operation it failed in, ``index`` the position of the failing
    operation in the batch (``None`` when not tied to one) and ``status`` the HTTP status (403
    for a ``PermissionError``, else 400, unless given). ``/api`` answers it with that status for
    strict callers and 200 for the others (``app.py`` decides, once). Its subclasses are the
    kinds a layer above tells apart (:class:`SessionClosed`); each layer that names the
    operation (:meth:`at`, :meth:`restated`) keeps the kind.
    """

    def __init__(
        self,
        message: str,
        exception: str = "ServerError",
        index: Optional[int] = None,
        status: Optional[int] = None,
    ) -> None:
        super().__init__(error_text(message))
        self.exception = exception
        self.index = index
        self.status = status if status is not None else _status_of(exception)
        self.detail = self.message

    def restated(self: _E, message: str, index: Optional[int] = None) -> _E:
        """This error (same kind, exception, status and ``detail``) with ``message``, and
        ``index`` when given."""
        twin = type(self).__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin.message = error_text(message)
        twin.args = (twin.message,)
        if index is not None:
            twin.index = index
        return twin

    def at(self: _E, index: int, action: str, entity_type: Optional[str]) -> _E:
        """This error naming the failing operation (``index`` in the batch's data operations)."""
        subject = f"{action} {entity_type}" if entity_type else str(action)
        return self.restated(f"Operation {index} ({subject}) failed: {self.detail}", index)


class SessionClosed(ApiOperationError):
    """A write to a review session that has ended: ftrack's ``PermissionError`` (403) on
    ``/api``; the review room's routes answer it as the conflict it is there (409)."""

    #: the status of the review room's routes for it
    conflict_status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message, "PermissionError", status=403)


def _status_of(exception: str) -> int:
    return 403 if exception == "PermissionError" else 400


#: ftrack's exception name for a write that would break what must stay unique or referenced
INTEGRITY_ERROR = "IntegrityError"


def duplicate_error(detail: str) -> ApiOperationError:
    """The recognisable answer to a create that loses a race (or repeats an existing id)."""
    return ApiOperationError(
        f"Duplicate entry: {detail}. It was created meanwhile (perhaps by a concurrent "
        "request); query it and use the existing one",
        INTEGRITY_ERROR,
    )


class DeletedId(ApiOperationError):
    """A create naming the id of a deleted row, which is never used again
    (``store.tombstones``): 409 ``IntegrityError`` with ``error_code``
    :data:`~ft_dcc.protocol.ERROR_DELETED_ID`, naming the row's type and id, so a client that
    derives ids from names takes its next generation (``ft_dcc.review.sessions.derived_id``)."""

    error_code = ERROR_DELETED_ID

    def __init__(self, entity_type: str, entity_id: str) -> None:
        super().__init__(
            f"{entity_type} id {entity_id[:80]} belonged to a deleted entity and is never used "
            "again; leave the id out (the server makes a new one) or send a new uuid (a client "
            "that derives ids from names: the next generation of the id)",
            INTEGRITY_ERROR,
            status=409,
        )
        self.entity_type = entity_type
        self.entity_id = entity_id[:80]

    def reply_fields(self) -> Dict[str, str]:
        return {"entity_type": self.entity_type, "entity_id": self.entity_id}
