"""A large ``/api`` body is decoded off the server's event loop, so a huge one does not hold up
other people's requests (a 30 MB string took the string-blanking pattern ~20 s, during which
nothing else was answered); and the pattern that blanks strings before the depth count is
linear (one pass, no alternation per character)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Dict, List

import pytest
from starlette.testclient import TestClient

from ft_dcc.server.api import routes
from ft_dcc.server.app import create_app
from ft_dcc.server.http import bodies
from ft_dcc.server.runtime.config import ServerConfig

MARK = "held-body-marker"
#: generous bound of the condition waits below (never a wait for time to pass)
WAIT = 60


def test_another_request_is_answered_while_a_body_is_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, answered = threading.Event(), threading.Event()
    seen: Dict[str, bool] = {}
    real = bodies.parse_json_body

    def held(body: bytes, *args: Any) -> Any:
        if MARK.encode() in body:  # the big body: held until the other request was answered
            entered.set()
            seen["answered while decoding"] = answered.wait(WAIT)
        return real(body, *args)

    monkeypatch.setattr(routes, "parse_json_body", held)
    app = create_app(
        ServerConfig(data_dir=tmp_path / "data"),
        {"FTRACK_API_USER": "admin", "FTRACK_API_KEY": "k" * 32},
    )
    replies: List[int] = []
    with TestClient(app) as client:
        query = [{"action": "query", "expression": f"User where username is {MARK}"}]
        body = json.dumps(query) + " " * routes.DECODE_ON_LOOP_BELOW  # large: decoded off loop
        big = threading.Thread(
            target=lambda: replies.append(client.post("/api", content=body).status_code)
        )
        big.start()
        assert entered.wait(WAIT), "the body was never decoded"
        other = client.get("/review/")  # another person's request, while the body is decoded
        answered.set()
        big.join(WAIT)
    assert other.status_code in (401, 403)
    assert seen == {"answered while decoding": True}, "the event loop waited for the decode"
    assert replies and replies[0] < 500


@pytest.mark.parametrize(
    "text",
    [b'""', b'"a"', b'"\\""', b'"\\\\"', b'"a\\"b\\\\"', b'"\\u00e9"', b'"x" , "y"', b'"[{"'],
)
def test_the_string_pattern_blanks_every_json_string(text: bytes) -> None:
    blanked = bodies._JSON_STRING.sub(b'""', text)
    assert blanked.replace(b" ", b"") in (b'""', b'"",""'), blanked


def test_depth_is_counted_outside_strings() -> None:
    deep = b"[" * 40 + b"]" * 40
    assert bodies.json_too_deep(deep, limit=32)
    assert not bodies.json_too_deep(b'["' + b"[" * 100 + b'", "\\"[[[["]', limit=32)
