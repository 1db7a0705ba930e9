"""Disk faults on the real embedded server.

A full or read-only disk mid-upload answers 507 with a clear message (no 500, no traceback) and
the client says "the server's disk is full" after ONE attempt. Faults come from the file store's
test seam (``FT_DCC_TEST_DISK_FAULT``) and, as root, from a real 2 MiB tmpfs and a read-only one.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from support.cli import run_ft_dcc
from support.trust import refused, start_server, upload

MiB = 1024 * 1024


@contextlib.contextmanager
def server_with(base: Path, fault: Optional[str] = None) -> Iterator[Any]:
    previous = os.environ.get("FT_DCC_TEST_DISK_FAULT")
    if fault:
        os.environ["FT_DCC_TEST_DISK_FAULT"] = fault
    try:
        running = start_server(base)
    finally:
        os.environ.pop("FT_DCC_TEST_DISK_FAULT", None)
        if previous is not None:
            os.environ["FT_DCC_TEST_DISK_FAULT"] = previous
    try:
        yield running
    finally:
        running.stop()


def _no_partial_files(server: Any) -> None:
    incoming = server.data_dir / "files" / ".incoming"
    assert not list(incoming.glob("*.part")), list(incoming.iterdir())
    log_text = server.stderr_path.read_text(errors="replace")
    assert "Traceback" not in log_text, log_text[-3000:]


@pytest.mark.parametrize(("fault", "words"), [("ENOSPC", "disk is full"), ("EROFS", "read-only")])
def test_a_disk_fault_during_an_upload_is_a_clear_507(
    tmp_path: Path, fault: str, words: str
) -> None:
    with server_with(tmp_path, fault) as server:
        response = upload(server, "c0ffee00-0000-4000-8000-000000000001", os.urandom(3 * MiB))
        body = refused(response, 507, "InsufficientStorageError")
        assert words in body["content"] and "nothing was committed" in body["content"]
        _no_partial_files(server)


def test_the_client_says_the_disk_is_full_and_does_not_retry(tmp_path: Path) -> None:
    from ft_dcc.exceptions import ServerStorageError
    from ft_dcc.session import Session

    movie = tmp_path / "movie.mp4"
    movie.write_bytes(os.urandom(2 * MiB))
    with server_with(tmp_path / "srv", "ENOSPC") as server:
        session = Session(server_url=server.url, api_user=server.api_user,
                          api_key=server.api_key, schema_cache_path=str(tmp_path / "cache"),
                          plugin_paths=[])  # fmt: skip
        mark = server.log_mark()
        try:
            with pytest.raises(ServerStorageError) as caught:
                session.upload_file(str(movie), "c0ffee00-0000-4000-8000-000000000002")
        finally:
            session.close()
        puts = [r for r in server.requests_since(mark) if r["method"] == "PUT"]
    assert len(puts) == 1, puts
    message = str(caught.value)
    assert "server's disk is full" in message and "network" not in message


def _can_mount() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0


@contextlib.contextmanager
def tmpfs(path: Path, options: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.mark.skipif(not _can_mount(), reason="a real full or read-only disk needs root (mount)")
def test_a_real_full_disk_and_a_read_only_data_dir(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "size=3m") as small, server_with(small) as server:
        response = upload(server, "c0ffee00-0000-4000-8000-000000000003", os.urandom(4 * MiB))
        body = refused(response, 507, "InsufficientStorageError")
        assert "disk is full" in body["content"]
        _no_partial_files(server)
    with tmpfs(tmp_path / "ro", "ro,size=1m") as read_only:
        done = run_ft_dcc(["server", "--data", str(read_only / "data"), "--port", "1"])
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "not writable" in lines[0] and "Traceback" not in done.stderr


def test_partial_uploads_of_an_earlier_run_are_removed_at_start(tmp_path: Path) -> None:
    with server_with(tmp_path) as server:
        incoming = server.data_dir / "files" / ".incoming"
        server.stop()
        stale = incoming / "c0ffee00.deadbeef.part"
        stale.write_bytes(b"half an upload")
        old = time.time() - 3600
        os.utime(stale, (old, old))
        server.start()
        assert not stale.exists()


def test_a_part_file_of_a_killed_but_unreaped_writer_is_removed(tmp_path) -> None:
    """A worker killed with SIGKILL stays a zombie until reaped (an init that does not reap keeps
    it so): it answers ``kill(pid, 0)`` but writes nothing, so its ``.part`` goes."""
    import os
    import signal
    import subprocess
    import time
    from pathlib import Path

    from ft_dcc.server.files.disk import remove_orphan_parts

    def zombie(pid: int) -> bool:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"

    writer = subprocess.Popen(["sleep", "60"])
    try:
        os.kill(writer.pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while not zombie(writer.pid):
            assert time.monotonic() < deadline, "the killed writer never ended"
        left = tmp_path / f"abc.{writer.pid}-0123.part"
        left.write_bytes(b"half")
        alive = tmp_path / f"def.{os.getpid()}-4567.part"
        alive.write_bytes(b"live")
        assert remove_orphan_parts(tmp_path) == 1
        assert not left.exists() and alive.exists()
    finally:
        writer.wait()
