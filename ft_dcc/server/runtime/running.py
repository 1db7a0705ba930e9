"""Which embedded servers serve on this machine, and where their data is.

``ft-dcc server`` records its URL, data dir and database (``running-servers/HOST_PORT.json`` in
the user's app-data folder, mode 0600) while it serves, and removes the record when it stops. So
``ft-dcc user add``, which writes into a server's database rather than over HTTP, can follow
``FTRACK_SERVER`` to the data dir of the server it names. A record left by a server that was
killed names the data dir of the last server on that address, which is still where its users are.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional
from urllib.parse import urlsplit

from ft_dcc.protocol.app_data import user_data_dir

RECORDS_FOLDER = "running-servers"
DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK_NAMES = {"localhost": "127.0.0.1", "[::1]": "127.0.0.1", "::1": "127.0.0.1"}


@dataclass(frozen=True)
class ServerRecord:
    """Where one running server keeps its data."""

    url: str
    data_dir: Path
    database_url: Optional[str]  # None: SQLite in the data dir
    pid: int


def records_dir() -> Path:
    return user_data_dir() / RECORDS_FOLDER


def address_key(url: str) -> Optional[str]:
    """``http://localhost:8765/`` -> ``http_127.0.0.1_8765`` (None for what is not a URL)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not parts.scheme or not host or port is None:
        return None
    host = LOOPBACK_NAMES.get(host, host)
    safe = "".join(c if c.isalnum() or c in ".-" else "-" for c in host)
    return f"{parts.scheme.lower()}_{safe}_{port}"


def _record_file(url: str) -> Optional[Path]:
    key = address_key(url)
    return None if key is None else records_dir() / f"{key}.json"


def write_record(url: str, data_dir: Path, database_url: Optional[str]) -> Optional[Path]:
    """Record this process as the server at ``url`` (atomically; the folder is private)."""
    path = _record_file(url)
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    _prune(path.parent)
    data = {"url": url, "data_dir": str(data_dir), "database_url": database_url, "pid": os.getpid()}
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.replace(partial, path)
    return path


def _prune(folder: Path) -> None:
    """Remove the records of servers that were killed (their process is gone; POSIX only:
    elsewhere a record stays until its address serves again)."""
    if os.name != "posix":
        return
    for path in folder.glob("*.json"):
        try:
            pid = int(json.loads(path.read_text(encoding="utf-8")).get("pid") or 0)
        except (OSError, ValueError, AttributeError):
            continue
        if pid > 0 and not _alive(pid):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists (another user's)
    return True


def remove_record(url: str) -> None:
    """Remove this process's record of ``url`` (another server's, written since, stays)."""
    record = find_record(url)
    path = _record_file(url)
    if record is not None and path is not None and record.pid == os.getpid():
        path.unlink(missing_ok=True)


def find_record(url: str) -> Optional[ServerRecord]:
    """The record of the embedded server at ``url``, or None when none was recorded."""
    path = _record_file(url)
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ServerRecord(
            url=str(data["url"]),
            data_dir=Path(data["data_dir"]),
            database_url=data.get("database_url") or None,
            pid=int(data.get("pid") or 0),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def all_records() -> List[ServerRecord]:
    """The records of every embedded server this machine's user runs (see :func:`find_record`;
    on POSIX without those whose process is gone: a killed server's record stays until its
    address serves again)."""
    folder = records_dir()
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            url = json.loads(path.read_text(encoding="utf-8")).get("url")
        except (OSError, ValueError, AttributeError):
            continue
        record = find_record(str(url)) if url else None
        if record is not None and (os.name != "posix" or record.pid <= 0 or _alive(record.pid)):
            found.append(record)
    return found
