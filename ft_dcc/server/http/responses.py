"""JSON replies of the embedded server in ftrack's shape (shared by every route area)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from starlette.responses import JSONResponse, Response

from ft_dcc.protocol import encode_datetime
from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.http.auth import error_payload


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return encode_datetime(value)
    if isinstance(value, dt.date):
        return {"__type__": "date", "value": value.isoformat()}
    if isinstance(value, (set, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot encode {type(value).__name__}")


class ApiJSONResponse(JSONResponse):
    """JSON with ``Content-Type: application/json; charset=utf-8`` and datetime encoding."""

    media_type = "application/json; charset=utf-8"

    def render(self, content: object) -> bytes:
        return json.dumps(content, default=_json_default, separators=(",", ":")).encode("utf-8")


def error_response(exception: str, content: str, status: int) -> Response:
    """An ftrack error body (``exception``, ``content``) with HTTP ``status``."""
    return ApiJSONResponse(error_payload(exception, content), status_code=status)


def server_error_response(exc: ServerError, status: int) -> Response:
    """``exc`` in ftrack's error shape with its typed reason (``error_code``, and what its kind
    names beside: keys ftrack's clients ignore), with HTTP ``status``."""
    payload = dict(error_payload(exc.exception, exc.message, exc.error_code))
    payload.update(exc.reply_fields())
    return ApiJSONResponse(payload, status_code=status)
