"""The publish's request budget, read from the embedded server's own request log: a publish of one
reviewable makes at most 4 ``/api`` requests and 2 uploads (the review movie and the
thumbnail), 6 in all (the event hub's announcement is not counted)."""

from __future__ import annotations

from typing import Any, Dict, List

MAX_API_REQUESTS = 4
UPLOADS = 2
ALL_REQUESTS = 6


def request_counts(requests: List[Dict[str, Any]]) -> Dict[str, int]:
    """``{"api": …, "put": …}`` of logged requests (``EmbeddedServer.requests_since``)."""
    api = sum(1 for r in requests if r.get("path", "").endswith("/api"))
    puts = sum(1 for r in requests if r.get("method") == "PUT")
    return {"api": api, "put": puts}


def assert_within_budget(requests: List[Dict[str, Any]]) -> None:
    """The logged requests of one reviewable's publish fit the request budget."""
    count = request_counts(requests)
    assert count["put"] == UPLOADS, count
    assert count["api"] <= MAX_API_REQUESTS, count
    assert count["api"] + count["put"] <= ALL_REQUESTS, count
