"""The ``ftrack-Clienttoken`` / ``ftrack-pushtoken`` headers of the API request being served.

ftrack's JavaScript client sends them with every call (``clientToken`` of its Session, the
``pushToken`` of one call); the ``ftrack.update`` event of that request's writes carries them
back as ``data.clientToken`` / ``data.pushToken`` so a client can recognise its own changes. The
route keeps them in a context variable, which the worker thread running the batch inherits.
A missing header, an empty one, or the literal ``undefined`` / ``null`` a JavaScript client sends
for an unset value counts as none; a value longer than :data:`MAX_TOKEN` characters is ignored.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Mapping, Optional, Tuple

CLIENT_TOKEN_HEADER = "ftrack-clienttoken"
PUSH_TOKEN_HEADER = "ftrack-pushtoken"
MAX_TOKEN = 256

_TOKENS: ContextVar[Tuple[Optional[str], Optional[str]]] = ContextVar(
    "ft_dcc_update_tokens", default=(None, None)
)


def _token(value: Optional[str]) -> Optional[str]:
    value = (value or "").strip()
    if not value or value in ("undefined", "null") or len(value) > MAX_TOKEN:
        return None
    return value


def remember(headers: Mapping[str, str]) -> None:
    """Keep the request's tokens for the ``ftrack.update`` event of its writes."""
    _TOKENS.set((_token(headers.get(CLIENT_TOKEN_HEADER)), _token(headers.get(PUSH_TOKEN_HEADER))))


def current() -> Tuple[Optional[str], Optional[str]]:
    """(client token, push token) of the request being served, each ``None`` when not sent."""
    return _TOKENS.get()
