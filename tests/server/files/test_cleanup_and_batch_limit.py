"""One caller's batch cannot hold every writer up, and nothing is left on
disk by killed uploads or deleted versions.

- A batch beyond the upper bound (``ServerConfig.max_batch_operations``) is refused with a clear
  limit (413, "at most N operations ... split it"), nothing stored; nothing here is timed (a
  genuine client's 5,000-create commit is accepted: tests/server/limits/test_bulk_commit.py).
- After the server is killed during an upload, the next start (the cleanup pass) leaves no
  ``.part`` file; a deleted version's movie and thumbnail are gone after the next cleanup pass.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from typing import Any, List

from support.insiders import (
    api_refused,
    assert_unchanged,
    file_bytes,
    publication,
    review_of,
    snapshot,
    upload_meta,
)
from support.trust import call, create, delete, new_id, ok
from support.waiting import wait_until


def test_a_huge_batch_is_refused_with_its_limit(trust_world: Any) -> None:
    world = trust_world
    review = review_of(world, world.mallory)
    from ft_dcc.server.runtime.config import ServerConfig

    most = ServerConfig(data_dir=".").max_batch_operations
    notes = [create("Note", content=f"note {n}", parent_id=review.item,
                    parent_type="ReviewSessionObject", user_id=world.mallory.id)
             for n in range(10)]  # fmt: skip
    beyond = [{"action": "delete", "entity_type": "Note", "entity_key": [new_id()]}] * most
    before = snapshot(world)
    response = call(world.server, notes + beyond, **world.mallory.auth)
    message = api_refused(response, 413)
    assert "at most" in message and "split" in message.lower(), message
    assert_unchanged(world, before)
    ok(world.server, notes[:10], **world.mallory.auth)  # a normal batch still works
    # reads hold no write lock: a long batch of queries (a client's batched read) is answered
    reads = [{"action": "query", "expression": "select id from Note limit 1"}] * 1500
    assert len(ok(world.server, reads, **world.mallory.auth)) == 1500


def _kill_server(server: Any) -> None:
    """SIGKILL the server process and its worker processes (started by this test session)."""
    pid = server.process.pid
    children: List[int] = []
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    children = [int(p) for p in found.stdout.split()]
    for each in [pid, *children]:
        try:
            os.kill(each, signal.SIGKILL)
        except ProcessLookupError:
            pass
    server.process.wait(timeout=30)


def _start_upload(world: Any, component_id: str) -> socket.socket:
    """Send the first half of a 1 MiB upload's body and keep the connection open."""
    size = 1024 * 1024
    meta = upload_meta(world, world.mallory, component_id, size)
    path = meta["url"].split(str(world.server.port), 1)[1]
    sock = socket.create_connection(("127.0.0.1", world.server.port), timeout=30)
    head = (f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in meta["headers"].items()
                      if k.lower() not in ("content-length", "content-md5"))
            + "\r\n")  # fmt: skip
    sock.sendall(head.encode("latin-1") + b"x" * (size // 2))
    return sock


def test_a_killed_upload_leaves_no_part_file_after_the_next_start(trust_world: Any) -> None:
    world = trust_world
    incoming = world.files_root / ".incoming"
    sock = _start_upload(world, new_id())
    try:
        wait_until(lambda: list(incoming.glob("*.part")), "the upload's .part file")
        _kill_server(world.server)
    finally:
        sock.close()
    world.server.start()
    assert not list(incoming.glob("*.part")), list(incoming.iterdir())


def test_a_deleted_versions_files_are_gone_after_the_next_cleanup(trust_world: Any) -> None:
    world = trust_world
    mine = publication(world, world.mallory)
    stored = [mine["movie"], mine["thumbnail"]]
    assert all(file_bytes(world, c) is not None for c in stored)
    ok(world.server, [delete("AssetVersion", mine["version"])], **world.mallory.auth)
    world.server.stop()
    world.server.start()
    left = [c for c in stored if file_bytes(world, c) is not None]
    assert not left, f"files of a deleted version are still stored: {left}"
    assert call(world.server, [{"action": "query_server_information"}]).status_code == 200
