"""Each path that runs a pattern on a caller's text cuts the text to its limit first: the pattern
never sees more than the limit, however large the text (each pattern is replaced by a recorder of
what it is given; ``tests/tools/test_linear_patterns.py`` holds the patterns themselves linear).

Seen failing first: the audit trail's scrubbing pattern was given the whole 1 MB value (then the
result was cut to 2,000 characters), and the request log's the whole header.
"""

from __future__ import annotations

import re
from typing import Any, List

import pytest

from ft_dcc.server.audit import entry
from ft_dcc.server.http import request_log

MEGABYTE = 1024 * 1024


class Recorder:
    """A compiled pattern that records the length of every text it is given."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.lengths: List[int] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.pattern, name)

        def recorded(*args: Any, **kwargs: Any) -> Any:
            texts = [a for a in args if isinstance(a, (str, bytes))]
            self.lengths.append(len(texts[-1]) if texts else 0)
            return method(*args, **kwargs)

        return recorded


@pytest.fixture
def scrubbing(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder(entry._PARAM)
    monkeypatch.setattr(entry, "_PARAM", recorder)
    return recorder


def test_an_audit_value_is_cut_before_it_is_scrubbed(scrubbing: Recorder) -> None:
    detail = {
        "availability": "a" * MEGABYTE,
        "url": "https://x.example/?token=" + "t" * MEGABYTE,
        "nested": [{"deeper": ["b" * MEGABYTE] * 3}] * 3,
        "many": {f"k{i}": "c" * 5000 for i in range(1000)},
        b"bytes key".decode(): bytearray(b"d" * MEGABYTE),
    }

    cleaned = entry.clean_detail(detail)

    assert scrubbing.lengths and max(scrubbing.lengths) <= entry.MAX_TEXT
    assert len(entry.detail_text(cleaned)) <= entry.MAX_DETAIL_TEXT + 20 * 1000  # keys, quotes
    assert cleaned["url"] == "https://x.example/?token=" + entry.REMOVED


def test_an_audit_source_is_cut_before_it_is_scrubbed(scrubbing: Recorder) -> None:
    assert entry.scrub_source("a" * MEGABYTE) == "a" * entry.MAX_SOURCE
    assert max(scrubbing.lengths) <= entry.MAX_SOURCE


def test_a_logged_header_is_cut_before_it_is_scanned(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(request_log.SECRET_PAIR)
    monkeypatch.setattr(request_log, "SECRET_PAIR", recorder)
    scope = {
        "type": "http", "method": "GET", "path": "/" + "p" * MEGABYTE,
        "query_string": b"token=" + b"q" * MEGABYTE,
        "headers": [(b"referer", b"https://x.example/?token=" + b"r" * MEGABYTE),
                    (b"x-" + b"n" * MEGABYTE, b"v")],
    }  # fmt: skip

    logged = request_log._log_entry(scope, 200)

    assert recorder.lengths and max(recorder.lengths) <= request_log.MOST_LOGGED
    assert len(logged["path"]) <= request_log.MOST_LOGGED
    assert "q" * 10 not in logged["query"] and "r" * 10 not in logged["headers"]["referer"]
    assert all(len(name) <= 200 for name in logged["headers"])
