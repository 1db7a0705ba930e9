"""Read a request body with a size limit, without ever holding more than the limit in memory."""

from __future__ import annotations

from typing import Optional

from starlette.requests import Request


async def read_limited_body(request: Request, limit: int) -> Optional[bytes]:
    """The request body, or ``None`` when it is (or declares itself) larger than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
