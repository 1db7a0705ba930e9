"""The review routes' JSON input: a request body read as one JSON object, and the frame fields
of it (the notes, drawings and drawing ranges share them). Refusals are :class:`BadInput`."""

from __future__ import annotations

from typing import Optional

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.common.errors import BadInput
from ft_dcc.server.http.bodies import JsonBodyError, parse_json_body


def json_fields(body: Optional[bytes], limit: int) -> JsonObject:
    """The JSON object ``body`` (None: it was larger than ``limit`` bytes), or :class:`BadInput`
    saying what to send."""
    if body is None:
        raise BadInput(f"The request is larger than {limit} bytes; send less.", 413)
    try:
        fields = parse_json_body(body)
    except JsonBodyError as exc:
        raise BadInput(f"{exc} Send a JSON object (Content-Type: application/json).") from None
    if not isinstance(fields, dict):
        raise BadInput("Send a JSON object.")
    return fields


def frame_field(fields: JsonObject, required: bool, name: str = "frame") -> Optional[int]:
    """The whole frame number ``fields[name]`` (None when left out and not ``required``)."""
    frame = fields.get(name)
    if frame is None and not required:
        return None
    if isinstance(frame, bool) or not isinstance(frame, int) or abs(frame) > 10**9:
        raise BadInput(f"{name} must be a whole number.")
    return frame
