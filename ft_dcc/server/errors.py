"""The server's errors, in ftrack's terms: one base class, :class:`ServerError`.

Every error the server answers a client with derives from :class:`ServerError` and carries
``exception`` (ftrack's exception name: ``ValidationError``, ``PermissionError``…), ``message``
(what to do) and ``status`` (the HTTP status). ``app.py`` maps them to replies once (ftrack's
error shape; the review room's own shape under ``/review/``); a route only raises.
"""

from __future__ import annotations

from typing import Optional, TypeVar

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

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
