"""A test server's request log read by mark (``EmbeddedServer.log_mark`` / ``requests_since``):
the mark counts the complete lines only (the server may be writing the last), and reading
after it gives exactly the requests logged since, as parsing the whole log would; also after
the server appended more, and when the log was replaced by a shorter one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

from support.trust import root_conftest


def _server(log: Path) -> Any:
    return root_conftest().EmbeddedServer(url="http://127.0.0.1:1", api_user="u", api_key="k",
                          data_dir=log.parent, request_log=log, port=1)  # fmt: skip


def _append(log: Path, *paths: str, partial: str = "") -> None:
    with open(log, "a", encoding="utf-8") as out:
        out.writelines(json.dumps({"path": p, "note": "é"}) + "\n" for p in paths)
        out.write(partial)


def _paths(entries: List[Dict[str, Any]]) -> List[str]:
    return [entry["path"] for entry in entries]


def test_a_mark_counts_complete_lines_and_reading_after_it_gives_what_came_since(
    tmp_path: Path,
) -> None:
    log = tmp_path / "requests.jsonl"
    server = _server(log)
    assert server.log_mark() == 0 and server.requests_since(0) == []
    _append(log, "/a", "/b", partial='{"path": "/c"')
    mark = server.log_mark()
    assert mark == 2
    assert _paths(server.requests_since(0)) == ["/a", "/b"]
    with open(log, "a", encoding="utf-8") as out:
        out.write(', "note": "é"}\n')
    _append(log, "/d")
    assert _paths(server.requests_since(mark)) == ["/c", "/d"]
    assert _paths(server.requests_since(1)) == ["/b", "/c", "/d"]  # a mark it never handed out
    assert server.log_mark() == 4


def test_a_log_replaced_by_a_shorter_one_is_read_from_its_start(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    server = _server(log)
    _append(log, *(f"/old{i}" for i in range(5)))
    mark = server.log_mark()
    log.unlink()
    _append(log, "/new0", "/new1")
    assert _paths(server.requests_since(mark)) == []  # as counting lines would: 2 < 5
    assert _paths(server.requests_since(0)) == ["/new0", "/new1"]
