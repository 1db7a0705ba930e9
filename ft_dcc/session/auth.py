"""Request authentication: the ``ftrack-user`` / ``ftrack-api-key`` headers on every API call."""

from __future__ import annotations

from typing import Any

from ft_dcc.protocol import HEADER_API_KEY, HEADER_USER


class SessionAuthentication:
    """ftrack's API headers for each request; also a ``requests`` auth (any callable taking
    the prepared request is one), without importing ``requests`` at start-up.

    The key is kept private: it never appears in ``repr()``, ``str()`` or log output.
    """

    def __init__(self, api_key: str, api_user: str) -> None:
        self.__api_key = api_key
        self.api_user = api_user

    def __call__(self, request: Any) -> Any:
        request.headers[HEADER_API_KEY] = self.__api_key
        request.headers[HEADER_USER] = self.api_user
        return request

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, SessionAuthentication)
            and other.api_user == self.api_user
            and other._api_key == self.__api_key
        )

    def __hash__(self) -> int:
        return hash((self.api_user, self.__api_key))

    @property
    def _api_key(self) -> str:
        return self.__api_key

    def __repr__(self) -> str:
        return f"SessionAuthentication(api_user={self.api_user!r}, api_key=<hidden>)"

    __str__ = __repr__


def redact(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` replaced by ``<redacted>``."""
    if not secret:
        return text
    return text.replace(secret, "<redacted>")
