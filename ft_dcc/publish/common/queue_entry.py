"""One entry of the offline queue (a folder holding a publish's manifest, its state and its
media) and the file locks that keep a live publish and a flush from using it at once.

Apart from :mod:`ft_dcc.publish.offline.queue` so that the publish state can name its journaled
entry without importing the queue (which re-decides queued work with the publish's own checks).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import IO, Any, Dict, Optional, TypedDict

import attr

from ft_dcc.exceptions import QueueError
from ft_dcc.publish.common.manifest import IntegrateManifest

MEDIA_DIR = "media"


class QueueSummary(TypedDict, total=False):
    """One queued publish as ``ft-dcc queue list`` shows it (:meth:`QueueEntry.summary` fills
    every key; a flush outcome with no entry, the server unreachable, has none)."""

    id: str
    created_at: str
    task: str  # the task's path, or its id (a journaled entry knows its task by id only)
    asset: str  # the asset names of the entry's versions, comma separated
    review_session: Optional[str]
    comment: str
    server: Optional[str]
    asset_version_id: str
    review_session_object_id: str
    attempts: int
    last_error: Optional[str]
    path: str


@attr.s(auto_attribs=True)
class QueueEntry:
    """One queued publish."""

    path: Path
    manifest: IntegrateManifest
    state: Dict[str, Any] = attr.Factory(dict)
    owner: Optional[IO[str]] = None  # the open, locked owner.lock of a live publish
    #: why its manifest cannot be read (``manifest`` then only names it by its folder): it
    #: stays, with its media, until flushed by an ft_dcc that reads it or dropped
    damaged: Optional[QueueError] = None

    @property
    def journal(self) -> bool:
        """True for the write-ahead entry of a publish that was online (not queued offline)."""
        return bool(self.state.get("journal"))

    def release(self) -> None:
        """Give up ownership (the entry stays for a flush)."""
        if self.owner is not None:
            with contextlib.suppress(OSError):
                unlock_file(self.owner)
            self.owner.close()
            self.owner = None

    @property
    def id(self) -> str:
        return self.manifest.manifest_id

    @property
    def media_dir(self) -> Path:
        return self.path / MEDIA_DIR

    @property
    def attempts(self) -> int:
        return int(self.state.get("attempts", 0))

    @property
    def last_error(self) -> Optional[str]:
        return str(self.damaged) if self.damaged else self.state.get("last_error")

    def summary(self) -> QueueSummary:
        m = self.manifest
        return {
            "id": self.id,
            "created_at": m.created_at,
            "task": m.task_label,
            "asset": ", ".join(v.asset_name for v in m.versions()),
            "review_session": m.review_session_name,
            "comment": m.comment,
            "server": m.server_url,
            "asset_version_id": m.version_id,
            "review_session_object_id": m.review_session_object_id,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "path": str(self.path),
        }


def damaged_entry(where: str, reason: str) -> QueueError:
    """A journal entry that cannot be read: it stays, with its media, for the artist to flush
    with the ft_dcc that queued it, or to drop."""
    return QueueError(
        f"the queued publish's journal {where} is damaged ({reason}): it stays queued, with "
        "its media",
        hint="flush it with the ft_dcc version that queued it; if it still cannot be read, "
        "publish the scene again and drop this entry ('ft-dcc queue drop ID', "
        "'ft-dcc queue list' shows its ID)",
    )


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def lock_file(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def unlock_file(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def lock_file(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def unlock_file(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
