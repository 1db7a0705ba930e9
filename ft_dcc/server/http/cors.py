"""The server's CORS policy: which browser origins may call it, and how.

By default no other origin may (the review pages are served by the server itself); each origin
named by ``ft-dcc server --cors-origin`` or in ``FT_DCC_CORS_ORIGINS`` (comma separated) may call
``/api``, the upload and download routes and the event hub handshake with ``credentials:
include``, as ftrack's JavaScript client does. Credentials travel in the ``ftrack-user`` /
``ftrack-api-key`` headers, which the preflight allows; the policy never needs them in a URL.
The origin is echoed exactly (never ``*``, which browsers refuse with credentials, and which
would hand every site the caller's access); ``*`` in the list is ignored with a warning.
Preflights (``OPTIONS`` with ``Access-Control-Request-Method``) are answered: 200 for an allowed
origin, 400 otherwise. ``ETag`` is exposed so a browser can complete a multipart upload.
"""

from __future__ import annotations

import logging
from typing import Iterable, List, Mapping, Optional

from starlette.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send

from ft_dcc.protocol import HEADER_API_KEY, HEADER_STRICT, HEADER_USER
from ft_dcc.server.http.update_tokens import CLIENT_TOKEN_HEADER, PUSH_TOKEN_HEADER

log = logging.getLogger(__name__)

CORS_ENV = "FT_DCC_CORS_ORIGINS"
ALLOWED_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]
ALLOWED_HEADERS = [
    "accept",
    "content-type",
    HEADER_USER,
    HEADER_API_KEY,
    "ftrack-api-options",
    HEADER_STRICT,
    CLIENT_TOKEN_HEADER,
    PUSH_TOKEN_HEADER,
]
EXPOSED_HEADERS = ["ETag", "Content-Length", "Content-Disposition"]


def cors_origins(option: Optional[Iterable[str]], environ: Mapping[str, str]) -> List[str]:
    """The allowed origins from the command line and the environment, without duplicates."""
    named = list(option or []) + environ.get(CORS_ENV, "").split(",")
    origins: List[str] = []
    for origin in (o.strip().rstrip("/") for o in named):
        if origin == "*":
            log.warning("CORS origin '*' is not supported: name each origin that may call "
                        "the server (e.g. https://review.example.com)")  # fmt: skip
        elif origin and origin not in origins:
            origins.append(origin)
    return origins


async def _no_app(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("the CORS policy answers preflights and adds headers; it runs no app")


def cors_policy(origins: List[str]) -> CORSMiddleware:
    """Starlette's CORS policy for exactly ``origins``: the door (``http.door``) answers a
    preflight with its ``preflight_response`` and sends every other answer through its
    ``send``."""
    return CORSMiddleware(
        _no_app,
        allow_origins=[o for o in origins if o != "*"],
        allow_credentials=True,
        allow_methods=ALLOWED_METHODS,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=600,
    )
