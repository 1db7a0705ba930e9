"""The server's errors, in ftrack's terms: one base class, :class:`ServerError`.

Every error the server answers a client with derives from :class:`ServerError` and carries
``exception`` (ftrack's exception name: ``ValidationError``, ``PermissionError``…), ``message``
(what to do) and ``status`` (the HTTP status). ``app.py`` maps them to replies once (ftrack's
error shape; the review room's own shape under ``/review/``); a route only raises.
"""

from __future__ import annotations

from typing import Optional

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


class ApiOperationError(ServerError):
    """An operation of an ``/api`` batch failed; nothing of the batch was written.

    ``exception`` is the ftrack exception name the reply carries (``ValidationError``,
    ``ServerError``, ``NotFoundError``…), ``message`` the brace-free text, and ``index`` the
    position of the failing operation in the batch (``None`` when not tied to one).
    """

    def __init__(self, message: str, exception: str = "ServerError", index: Optional[int] = None):
        super().__init__(error_text(message))
        self.exception = exception
        self.index = index
        self.status = 403 if exception == "PermissionError" else 400

    def at(self, index: int, action: str, entity_type: Optional[str]) -> ApiOperationError:
        """Return a copy naming the failing operation."""
        subject = f"{action} {entity_type}" if entity_type else str(action)
        return ApiOperationError(
            f"Operation {index} ({subject}) failed: {self.message}", self.exception, index
        )

    def to_reply(self) -> dict:
        """The ftrack error reply body."""
        return {"exception": self.exception, "content": self.message, "error_code": None}


class ApiFailure(ServerError):
    """A batch failed; ``exception``/``content`` become the ftrack error shape."""

    def __init__(self, exception: str, content: str, status: int = 400):
        super().__init__(content)
        self.exception = exception
        self.content = content
        self.status = status
