"""Disk faults of the file store: full or read-only disks answer clearly, never with a 500.

- An upload that hits ``ENOSPC``/``EDQUOT`` (disk full) or ``EROFS`` (read-only) answers
  **HTTP 507 Insufficient Storage** with ftrack's error shape (``InsufficientStorageError``) once
  the request body has been read, so the client sees the answer (not a broken pipe) and tells
  the artist the server's disk is full instead of retrying as if the network had failed.
- A data dir the server cannot write to stops the server at start with one clear line
  (:class:`DataDirError`).
- Partial uploads (``.incoming/*.part``) left by a crash or a killed server are removed at the
  next start (the cleanup pass): a ``.part`` name carries the id of the process writing it
  (:func:`part_path`), so one whose process is gone is removed whatever its age; others (old
  names, or a live process's) once untouched for :data:`ORPHAN_PART_AGE`.

Tests inject a fault without filling a disk: ``FT_DCC_TEST_DISK_FAULT=ENOSPC`` (or ``EROFS``)
in the server's environment makes every upload fail with that error after its first chunk.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Optional

from ft_dcc.server.common.errors import ServerError

log = logging.getLogger(__name__)

FAULT_ENV = "FT_DCC_TEST_DISK_FAULT"
STORAGE_STATUS = 507
STORAGE_ERROR = "InsufficientStorageError"
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
DISK_ERRNOS = FULL_ERRNOS | {errno.EROFS}
#: a partial upload untouched this long at start belongs to no running upload
ORPHAN_PART_AGE = 60.0


class DataDirError(ServerError):
    """The data dir cannot be used (read-only, full, not permitted); the message is one line."""

    exception = "ServerError"
    status = 507


def is_disk_fault(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in DISK_ERRNOS


def describe(error: OSError, what: str) -> str:
    """What to tell the client about a disk fault while storing ``what``."""
    if error.errno == errno.EROFS:
        return (
            f"The server's storage is read-only: {what} could not be stored and nothing was "
            "committed. Ask the server admin to make the data dir writable, then send it again."
        )
    return (
        f"The server's disk is full: {what} could not be stored and nothing was committed. "
        "Ask the server admin to free space, then send it again."
    )


def injected_fault() -> Optional[OSError]:
    """The fault a test asked for through ``FT_DCC_TEST_DISK_FAULT``, else ``None``."""
    name = os.environ.get(FAULT_ENV, "")
    code = getattr(errno, name, None) if name else None
    if not isinstance(code, int):
        return None
    return OSError(code, os.strerror(code))


def check_writable(data_dir: Path) -> None:
    """Raise :class:`DataDirError` unless files can be created in ``data_dir``."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / f".write-test-{uuid.uuid4().hex}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise DataDirError(
            f"the data dir {data_dir} is not writable ({reason}); give the server a writable "
            "--data dir (or free space on its disk)"
        ) from None


def part_path(incoming: Path, stem: str) -> Path:
    """A new partial-upload path in ``incoming``, named ``<stem>.<pid>-<hex>.part``."""
    return incoming / f"{stem}.{os.getpid()}-{uuid.uuid4().hex}.part"


def _writer_gone(path: Path) -> bool:
    """Whether the process named in a :func:`part_path` name no longer runs."""
    pid_text = path.name[: -len(".part")].rsplit(".", 1)[-1].split("-", 1)[0]
    if os.name == "nt" or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return _is_zombie(int(pid_text))


def _is_zombie(pid: int) -> bool:
    """A killed process nobody has reaped yet (e.g. under an init that does not reap) still
    answers ``kill(pid, 0)``, but writes nothing any more."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def remove_orphan_parts(incoming: Path, older_than: float = ORPHAN_PART_AGE) -> int:
    """Delete the ``*.part`` files below ``incoming`` whose writing process is gone, or that
    were untouched for ``older_than`` seconds."""
    cutoff = time.time() - older_than
    removed = 0
    for path in incoming.glob("*.part"):
        with contextlib.suppress(OSError):
            if _writer_gone(path) or path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    if removed:
        log.info("removed %d partial upload(s) left by an earlier run", removed)
    return removed


class FaultCatcher:
    """Wraps an upload's ``write``; after a disk fault it drops what arrives (no more writes).

    The caller keeps reading the request body to its end, so the client gets the 507 answer
    instead of a broken pipe; :meth:`raise_fault` then raises the fault (``OSError``).
    """

    def __init__(self, write: Callable[[bytes], Any]) -> None:
        self._write = write
        self._inject = injected_fault()
        self._written = 0
        self.fault: Optional[OSError] = None

    def __call__(self, chunk: bytes) -> None:
        if self.fault is not None:
            return
        try:
            if self._inject is not None and self._written:
                raise self._inject
            self._write(chunk)
            self._written += len(chunk)
        except OSError as error:
            if not is_disk_fault(error):
                raise
            log.error("disk fault while storing an upload: %s", error)
            self.fault = error

    def raise_fault(self) -> None:
        if self.fault is not None:
            raise self.fault
