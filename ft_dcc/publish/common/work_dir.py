"""A publish's work folder (capture frames, the encoded movie, the thumbnail), and the sweep that
removes the ones whose publish died.

A publish removes its temporary folder when it ends; a process that is killed (SIGKILL, a DCC
crash, Maya closed mid-capture) cannot. So each temporary folder ``<temp>/ft_dcc_publish_*``
holds a lock file, ``ft_dcc_owner.lock``, locked by the live publish (``queue_entry``'s file
lock: ``flock`` / ``msvcrt.locking``, released by the OS when the process dies, whatever its
pid becomes) and marked with :data:`OWNED_MARK` once locked. Every publish starts by sweeping
the temp dir: a folder is removed only when its owner is gone, i.e. when

- it is a real folder (not a symlink, nor a file named like one: ``os.scandir`` without
  following links) owned by this user (POSIX ``st_uid``; on Windows the temp dir is the user's);
- its lock file is a regular file (opened with ``O_NOFOLLOW`` where there is one) holding the
  mark: a folder without it was made by an older version, or is not ours, and is left alone;
- and its lock can be taken (no live process holds it: not a publish of another process or
  DCC, nor one of this process, since the lock belongs to the open file, not the process).

The race with a publish being made: the owner creates the folder (``mkdtemp``), creates the
lock file, locks it and only then writes the mark. The sweeper reads the mark *before* trying
the lock, so it never contends with a folder being made: no lock file yet, or an empty one,
and it is left alone; a marked one has been locked before it was marked, so taking its lock
means its owner is gone. (A publish killed between ``mkdtemp`` and its mark leaves an empty
folder that is never swept: a few bytes, accepted.) A process forked from a publish (not one
it starts: those do not inherit the handle) keeps the lock while it lives; the folder waits.

Removal is ``shutil.rmtree`` (on Linux it does not follow symlinks inside, even raced:
``rmtree.avoids_symlink_attacks``); a folder, or part of one, that cannot be removed is logged
and skipped, never an error for the publish. A work folder the caller gives
(``PublishRequest.work_dir``) is the caller's: never locked, swept nor removed.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import IO, List, Optional

from ft_dcc.publish.common.queue_entry import lock_file, unlock_file

log = logging.getLogger(__name__)

PREFIX = "ft_dcc_publish_"
LOCK_FILE = "ft_dcc_owner.lock"
#: written into the lock file once it is locked: a marked lock that can be taken is a dead one's
OWNED_MARK = "ft_dcc publish work folder: removed by the next publish if its owner is gone\n"


class WorkDir:
    """A publish's work folder: a temporary one owned by this process (locked until
    :meth:`release` removes it), or the caller's (kept)."""

    def __init__(self, path: Path, owner: Optional[IO[str]] = None) -> None:
        self.path = path
        self._owner = owner

    @classmethod
    def for_publish(cls, given: Optional[Path]) -> WorkDir:
        """Sweep the folders of dead publishes, then ``given`` (the caller's) or a new one."""
        sweep()
        return cls(Path(given)) if given is not None else cls._make()

    @classmethod
    def _make(cls) -> WorkDir:
        path = Path(tempfile.mkdtemp(prefix=PREFIX))
        owner = open(path / LOCK_FILE, "a+", encoding="ascii")  # noqa: SIM115 - release()
        try:
            lock_file(owner)
            owner.write(OWNED_MARK)
            owner.flush()
        except BaseException:
            owner.close()
            shutil.rmtree(path, ignore_errors=True)
            raise
        return cls(path, owner)

    def release(self) -> None:
        """Remove the folder if this process made it (a given one stays); idempotent."""
        if self._owner is None:
            return
        self._owner.close()  # before removing: Windows removes no open file
        self._owner = None
        shutil.rmtree(self.path, ignore_errors=True)


def sweep(temp_dir: Optional[Path] = None) -> List[Path]:
    """Remove the work folders in ``temp_dir`` (default: the temp dir) whose publish is gone;
    return them. Never raises for a folder: one that cannot be removed is logged and kept."""
    temp = Path(temp_dir or tempfile.gettempdir())
    try:
        with os.scandir(temp) as listing:
            candidates = [entry for entry in listing if entry.name.startswith(PREFIX)]
    except OSError as exc:
        log.warning("could not look for abandoned publish work folders in %s: %s", temp, exc)
        return []
    return [Path(entry.path) for entry in candidates if _abandoned(entry) and _remove(entry)]


def _abandoned(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is this user's work folder of a publish that is gone."""
    try:
        if not entry.is_dir(follow_symlinks=False):
            return False
        getuid = getattr(os, "getuid", None)  # not on Windows
        if getuid is not None and entry.stat(follow_symlinks=False).st_uid != getuid():
            return False
        return _owner_gone(Path(entry.path) / LOCK_FILE)
    except OSError:  # gone meanwhile, unreadable, or locked (Windows refuses the read)
        return False


def _owner_gone(lock: Path) -> bool:
    """Whether ``lock`` is a marked lock file that no live process holds."""
    descriptor = os.open(lock, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, encoding="ascii", errors="replace") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return False
        if handle.read(len(OWNED_MARK) + 1) != OWNED_MARK:
            return False  # not ours, or its owner is between locking and marking
        try:
            lock_file(handle)
        except OSError:
            return False  # held: its publish is running
        unlock_file(handle)
    return True


def _remove(entry: os.DirEntry[str]) -> bool:
    shutil.rmtree(entry.path, ignore_errors=True)
    if os.path.lexists(entry.path):
        log.warning("could not remove %s, the work folder of a dead publish: skipped", entry.path)
        return False
    log.info("removed %s, the work folder of a publish that did not finish", entry.path)
    return True
