"""The bytes one ``/api`` batch's replies may take (:class:`ReplyBudget`): the work and memory
of a request are bounded by its reply (``FT_DCC_MAX_REPLY_BYTES``)."""

from __future__ import annotations

import json
from typing import Optional, Sequence

from ft_dcc.protocol.json_value import JsonValue
from ft_dcc.server.common.env_number import positive_number
from ft_dcc.server.query.compiler import QueryError

#: the environment variable bounding one ``/api`` reply (bytes of JSON)
MAX_REPLY_ENV = "FT_DCC_MAX_REPLY_BYTES"
#: one reply's largest size (bytes of JSON) unless ``FT_DCC_MAX_REPLY_BYTES`` says otherwise:
#: a batch whose replies grow past it is refused with a ValidationError naming the limit (the
#: genuine clients page their queries: a page of 500 full AssetVersions is ~1 MB; a reply
#: held as Python objects takes about 4 times its JSON)
DEFAULT_MAX_REPLY_BYTES = 16 * 1024 * 1024
#: entities of a reply whose JSON is measured to estimate its size (evenly spread)
SAMPLED = 16


def max_reply_bytes() -> int:
    """The reply size limit (bytes), from ``FT_DCC_MAX_REPLY_BYTES`` or the default."""
    return positive_number(MAX_REPLY_ENV, DEFAULT_MAX_REPLY_BYTES)


def describe_bytes(size: int) -> str:
    """``32 MB``, ``512 kB``: a limit as messages name it."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} kB"


class ReplyBudget:
    """The bytes one batch's replies may still take: the work and memory of a request are
    bounded by its reply, so a batch of thousands of big queries stops early with a clear error
    instead of holding hundreds of MB (and stalling everyone else)."""

    def __init__(self, limit: Optional[int] = None) -> None:
        self.limit = max_reply_bytes() if limit is None else limit
        self.used = 0

    def charge(self, data: Sequence[JsonValue]) -> None:
        """Count ``data`` (a query's entities, estimated from a sample); ``QueryError`` once the
        batch's replies pass the limit. An estimate past the limit is measured before refusing:
        one large entity in the sample counts as if every entity were as large (a megabyte
        review session among 150 small ones estimated 19 MB and refused the room's list)."""
        estimate = estimated_size(data)
        if self.used + estimate > self.limit:
            estimate = measured_size(data, self.limit - self.used)
        self.used += estimate
        if self.used > self.limit:
            raise QueryError(
                f"The reply would be larger than {describe_bytes(self.limit)}, the most this "
                f"server answers in one request ({MAX_REPLY_ENV}); nothing was written. Ask for "
                "less: page the query with 'limit' and 'offset', select fewer attributes, or "
                "send fewer queries per batch"
            )


def measured_size(data: Sequence[JsonValue], room: int) -> int:
    """The bytes ``data`` takes as JSON, measured entity by entity: stops once past ``room``
    (what is left of the budget), so measuring a reply too large costs at most the limit."""
    size = 2
    for entity in data:
        size += len(json.dumps(entity, default=str, separators=(",", ":"))) + 1
        if size > room:
            break
    return size


def estimated_size(data: Sequence[JsonValue]) -> int:
    """About how many bytes ``data`` takes as JSON: the mean of a few entities, times their
    count (the whole reply is measured exactly once more when it is sent)."""
    if not data:
        return 2
    step = max(1, len(data) // SAMPLED)
    sample = data[::step][:SAMPLED]
    measured = len(json.dumps(sample, default=str, separators=(",", ":")))
    return measured * len(data) // len(sample)
