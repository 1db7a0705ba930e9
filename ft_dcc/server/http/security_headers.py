"""Headers on every answer of the server: the browser never sniffs a type and runs no script
the server did not mean to serve.

The door (``http.door``) adds, where a route did not set its own:
``X-Content-Type-Options: nosniff``, a Content-Security-Policy that allows nothing
(:data:`DEFAULT_POLICY`; the review page sets a stricter-than-usual one of its own that allows
its own scripts and styles) and ``Referrer-Policy: no-referrer`` (a URL's token never travels in
a ``Referer``).
"""

from __future__ import annotations

from typing import List, Tuple

from starlette.types import Message, Send

DEFAULT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DEFAULTS: Tuple[Tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", DEFAULT_POLICY.encode("ascii")),
    (b"referrer-policy", b"no-referrer"),
)


def with_defaults(headers: List[Tuple[bytes, bytes]]) -> List[Tuple[bytes, bytes]]:
    """``headers`` plus each of :data:`DEFAULTS` they do not already have."""
    present = {name.lower() for name, _value in headers}
    return list(headers) + [(name, value) for name, value in DEFAULTS if name not in present]


def with_security_headers(send: Send) -> Send:
    """``send`` adding :data:`DEFAULTS` to the response's start when it lacks them."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = dict(message, headers=with_defaults(list(message.get("headers", []))))
        await send(message)

    return send_with_headers
