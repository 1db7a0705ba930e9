"""The server's ``/api`` of its app in this process, as its administrator (the room's bounded
tests build their sessions through it: ``web.test_big_session_build``)."""

from __future__ import annotations

from typing import Any, Dict, List

from web.test_big_session_build import Api

from server.desk.heard import ADMIN, HEADERS, KEY


class InProcessApi(Api):
    def __init__(self, client: Any) -> None:
        super().__init__("", ADMIN, KEY)
        self.client = client

    def __call__(self, operations: List[Dict[str, Any]]) -> List[Any]:
        reply = self.client.post("/api", json=operations, headers=HEADERS)
        assert reply.status_code == 200, reply.text[:2000]
        return list(reply.json())
