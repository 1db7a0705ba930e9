"""The durable offline queue and write-ahead journal of publishes.

Every online publish writes its entry here *before* its first write to the server (a journal
entry, owned by the live publish through a lock on ``owner.lock``) and removes it when the
server has everything; a publish that cannot reach the server leaves it as a queued entry. So
whatever interrupts a publish (an exception, Ctrl-C, SIGTERM, SIGKILL, power loss), its entry
stays, and the next ``ft-dcc queue flush`` (or the next publish) completes it with the same ids.

Each entry is a folder ``<queue>/<timestamp>-<manifest id>/`` holding ``manifest.json`` (an
:class:`~ft_dcc.publish.common.manifest.IntegrateManifest` with client-generated ids), a ``media/``
folder with the encoded movie and thumbnail, and ``state.json`` (attempts, last error). An entry
is assembled in a hidden folder and renamed into place, so a crash never leaves half an entry;
finished entries are renamed away before they are deleted. ``flush()`` replays entries
idempotently (the integrate step finds what a previous attempt already wrote, by id) under a
lock, so two flushes never run at once.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import attr

from ft_dcc.exceptions import ApiConnectionError, FtDccError, QueueError
from ft_dcc.progress import Progress, null_progress
from ft_dcc.protocol import REVIEW_COMPONENT_IMAGE, REVIEW_COMPONENT_MP4
from ft_dcc.protocol.app_data import user_data_dir
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.protocol.query_text import quote
from ft_dcc.publish.common.atomic import atomic_write_json, durable_copy, durable_link, fsync_dir
from ft_dcc.publish.common.manifest import IntegrateManifest
from ft_dcc.publish.common.queue_entry import (
    MEDIA_DIR,
    QueueEntry,
    QueueSummary,
    damaged_entry,
)
from ft_dcc.publish.common.queue_entry import lock_file as _lock_file
from ft_dcc.publish.common.queue_entry import unlock_file as _unlock_file
from ft_dcc.safe_paths import confined
from ft_dcc.session.interface import IntegrateSession, PublishSession

log = logging.getLogger(__name__)

ENV_QUEUE_DIR = "FT_DCC_QUEUE_DIR"
#: the queue's folder name before it moved beside the server's data (its entries move in)
LEGACY_APP_NAME = "ft-dcc"
MANIFEST_FILE = "manifest.json"
STATE_FILE = "state.json"
LOCK_FILE = ".flush.lock"
OWNER_LOCK = "owner.lock"  # held by the live publish that journals the entry
#: the review component's record of when its version's work was made (the manifest's time)
MADE_AT_KEY = "ft_dcc_made_at"
#: a half-written entry this old belongs to a crashed publish, not to one still spooling
STALE_INCOMING_S = 3600


def default_queue_dir() -> Path:
    """``$FT_DCC_QUEUE_DIR``, else ``<user data dir>/queue`` (beside the server's data), into
    which the entries of the queue's old folder (``ft-dcc/queue``) are moved first."""
    override = os.environ.get(ENV_QUEUE_DIR)
    if override:
        return Path(override).expanduser()
    queue = user_data_dir() / "queue"
    _move_legacy_entries(user_data_dir(LEGACY_APP_NAME, author=False) / "queue", queue)
    return queue


def _move_legacy_entries(old: Path, new: Path) -> None:
    """Move the entries of the old queue folder into ``new`` (same names, so the same order);
    one a live publish still owns stays until the next time. Failures only log."""
    if not old.is_dir() or old.resolve() == new.resolve():
        return
    for entry in sorted(old.iterdir()):
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        try:
            with _owned(entry):
                new.mkdir(parents=True, exist_ok=True)
                shutil.move(str(entry), str(new / entry.name))
            log.info("moved the queued publish %s to %s", entry.name, new)
        except OSError as exc:
            log.warning("could not move the queued publish %s to %s: %s", entry, new, exc)
    with contextlib.suppress(OSError):
        for leftover in old.iterdir():  # only lock files remain
            if leftover.name.startswith(".") and leftover.is_file():
                leftover.unlink()
        old.rmdir()
        old.parent.rmdir()


@contextlib.contextmanager
def _owned(entry: Path) -> Iterator[None]:
    """Hold ``entry``'s owner lock (OSError while a live publish holds it)."""
    lock = entry / OWNER_LOCK
    if not lock.exists():
        yield
        return
    with open(lock, "a+") as handle:
        _lock_file(handle)
        try:
            yield
        finally:
            _unlock_file(handle)


@attr.s(auto_attribs=True)
class FlushOutcome:
    """What happened to one entry during a flush."""

    entry_id: str
    ok: bool
    message: str
    result: Dict[str, Any] = attr.Factory(dict)
    entry: QueueSummary = attr.Factory(QueueSummary)  # the entry's summary


@attr.s(auto_attribs=True)
class FlushResult:
    """What a flush did: one outcome per entry tried; ``ok`` when none failed."""

    outcomes: List[FlushOutcome] = attr.Factory(list)
    remaining: int = 0

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def flushed(self) -> int:
        return sum(1 for o in self.outcomes if o.ok)

    def to_dict(self) -> JsonObject:
        return {
            "ok": self.ok,
            "flushed": self.flushed,
            "remaining": self.remaining,
            "outcomes": [attr.asdict(o) for o in self.outcomes],
        }


class OfflineQueue:
    """A spool folder of publishes waiting for the server."""

    def __init__(self, directory: Optional[Path] = None) -> None:
        self.directory = Path(directory) if directory else default_queue_dir()

    # -- writing --------------------------------------------------------------------------
    def spool(
        self,
        manifest: IntegrateManifest,
        media_dir: Optional[Path] = None,
        *,
        journal: bool = False,
    ) -> QueueEntry:
        """Store ``manifest`` and copies of its component files; return the new entry.

        Component file paths are rewritten relative to the entry's ``media/`` folder. With
        ``journal`` the entry is a live publish's write-ahead record: its media are hard links
        where possible, and the returned entry holds its owner lock until ``release()``.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        # microseconds: two publishes in one second keep their order (names sort oldest first)
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%f")
        final = self.directory / f"{stamp}-{manifest.manifest_id}"
        incoming = self.directory / f".incoming-{manifest.manifest_id}"
        if incoming.exists():
            shutil.rmtree(incoming)
        owner = None
        state = {"attempts": 0, "journal": journal}
        try:
            media = incoming / MEDIA_DIR
            media.mkdir(parents=True)
            if journal:
                owner = open(incoming / OWNER_LOCK, "a+")  # noqa: SIM115 - entry.release()
                _lock_file(owner)
            spooled = IntegrateManifest.from_dict(manifest.to_dict())
            stamp_made_at(spooled)
            for index, version in enumerate(spooled.versions()):
                _spool_media(version, media_dir, media, journal, index)
            fsync_dir(media)
            atomic_write_json(incoming / MANIFEST_FILE, spooled.to_dict())
            atomic_write_json(incoming / STATE_FILE, state)
            os.replace(incoming, final)
            fsync_dir(self.directory)
        except BaseException as exc:
            if owner is not None:
                owner.close()
            shutil.rmtree(incoming, ignore_errors=True)
            if not isinstance(exc, OSError):
                raise
            raise QueueError(
                f"cannot write the offline queue in {self.directory}: {exc}",
                hint=f"free some disk space or set {ENV_QUEUE_DIR} to a writable folder",
            ) from exc
        log.info(
            "%s publish %s in %s", "journaled" if journal else "queued", manifest.manifest_id, final
        )
        return QueueEntry(final, spooled, state, owner)

    # -- reading --------------------------------------------------------------------------
    def entries(self) -> List[QueueEntry]:
        """The waiting entries, oldest first (leftovers of crashed writes are cleaned up)."""
        if not self.directory.is_dir():
            return []
        found: List[QueueEntry] = []
        for path in sorted(self.directory.iterdir()):
            if path.name.startswith(".done-") or (
                path.name.startswith(".incoming-") and _older_than(path, STALE_INCOMING_S)
            ):
                shutil.rmtree(path, ignore_errors=True)  # leftovers of a crash
                continue
            if path.name.startswith(".") or not path.is_dir():
                continue
            state: Dict[str, Any] = {}
            with contextlib.suppress(OSError, ValueError):
                state = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
            try:
                found.append(QueueEntry(path, _read_manifest(path), state))
            except QueueError as exc:
                log.warning("the queue entry %s cannot be read: %s", path, exc)
                stamp, _, manifest_id = path.name.partition("-")
                named = IntegrateManifest(manifest_id=manifest_id or path.name,
                                         asset_name="(unreadable)",
                                         created_at=_queued_at(stamp))  # fmt: skip
                found.append(QueueEntry(path, named, state, damaged=exc))
        return found

    def __len__(self) -> int:
        return len(self.entries())

    # -- bookkeeping ----------------------------------------------------------------------
    def remove(self, entry: QueueEntry) -> None:
        """Remove a finished entry: rename it away first, so a crash cannot replay half of it."""
        done = self.directory / f".done-{entry.id}"
        os.replace(entry.path, done)
        entry.release()
        fsync_dir(self.directory)
        shutil.rmtree(done, ignore_errors=True)

    def record_failure(self, entry: QueueEntry, error: str, *, journal: bool = False) -> None:
        entry.state = {
            "journal": journal,
            "attempts": entry.attempts + 1,
            "last_error": error,
            "last_attempt": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        }
        atomic_write_json(entry.path / STATE_FILE, entry.state)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the flush lock; raise :class:`QueueError` at once when another flush holds it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        handle = open(self.directory / LOCK_FILE, "a+")  # noqa: SIM115 - closed below
        try:
            try:
                _lock_file(handle)
            except OSError as exc:
                raise QueueError(
                    f"another 'ft-dcc queue flush' is already running on {self.directory}",
                    hint="wait for it to finish, then run the flush again if entries remain",
                ) from exc
            try:
                yield
            finally:
                _unlock_file(handle)
        finally:
            handle.close()

    # -- replay ---------------------------------------------------------------------------
    def claim(self, entry: QueueEntry) -> bool:
        """Own ``entry`` for a replay; False while a live publish (or another replay) owns it,
        or once its publish finished and removed it (after this flush listed it)."""
        try:
            handle = open(entry.path / OWNER_LOCK, "a+")  # noqa: SIM115 - entry.release()
        except OSError:
            return False  # removed since it was listed
        try:
            _lock_file(handle)
        except OSError:
            handle.close()
            return False
        entry.owner = handle
        if not (entry.path / MANIFEST_FILE).is_file():  # removed between the open and the lock
            entry.release()
            return False
        return True

    def flush(
        self,
        session: Optional[IntegrateSession] = None,
        *,
        session_factory: Optional[Callable[[], IntegrateSession]] = None,
        progress: Progress = null_progress,
        select: Optional[Callable[[QueueEntry], bool]] = None,
    ) -> FlushResult:
        """Integrate every waiting entry, oldest first; remove each one that is now fully on
        the server.

        Entries a live publish still owns are left alone. Stops at the first entry the server
        cannot be reached for (the rest would fail the same way); other errors are recorded
        in the entry and the flush moves on. ``select``: only the entries it accepts.
        """
        result = FlushResult()
        with self.lock():
            entries = [e for e in self.entries() if select is None or select(e)]
            if not entries:
                progress("flush", 1.0, "done")
                result.remaining = len(self.entries())
                return result
            if session is None:
                try:
                    session = (session_factory or _default_session)()
                except ApiConnectionError as exc:
                    result.outcomes.append(FlushOutcome("*", False, f"server unreachable: {exc}"))
                    result.remaining = len(entries)
                    return result
            for index, entry in enumerate(entries):
                progress("flush", index / len(entries), f"publishing {entry.manifest.task_label}")
                if entry.damaged is not None:  # kept as it is, with its media
                    result.outcomes.append(FlushOutcome(entry.id, False, str(entry.damaged),
                                                        entry=entry.summary()))  # fmt: skip
                    continue
                if not self.claim(entry):
                    continue  # a live publish is writing it right now
                try:
                    outcome = self._replay(session, entry, progress)
                finally:
                    entry.release()
                outcome.entry = entry.summary()
                result.outcomes.append(outcome)
                if outcome.result.get("unreachable"):
                    break  # the others would fail the same way
            progress("flush", 1.0, "done")
            result.remaining = len(self.entries())
        return result

    def _replay(
        self, session: IntegrateSession, entry: QueueEntry, progress: Progress
    ) -> FlushOutcome:
        from ft_dcc.publish.common.failures import should_queue
        from ft_dcc.publish.integrate.commit import integrate_manifest

        if not _same_server(entry.manifest.server_url, session):
            message = (
                f"queued for {entry.manifest.server_url}, not "
                f"{session.server_url}: set FTRACK_SERVER={entry.manifest.server_url} "
                "(and its credentials) to flush it"
            )
            return FlushOutcome(entry.id, False, message)
        stamp_made_at(entry.manifest)
        try:
            decided = self._decide_again(session, entry)
            outcome = integrate_manifest(session, entry.manifest, entry.media_dir, progress)
        except FtDccError as exc:
            unreachable = should_queue(exc, session)
            prefix = "server unreachable: " if unreachable else ""
            self.record_failure(entry, f"{prefix}{exc}", journal=entry.journal)
            return FlushOutcome(entry.id, False, str(exc), {"unreachable": unreachable})
        self.remove(entry)
        outcome.warnings.extend(decided)
        outcome.warnings.extend(_landed_after_later_work(session, entry.manifest, outcome))
        return FlushOutcome(entry.id, True, "published", outcome.to_dict())

    @staticmethod
    def _decide_again(session: IntegrateSession, entry: QueueEntry) -> List[str]:
        """A publish queued offline decided again by the pipeline's plugins with the server's
        truth (``flush_decision``); what it fixed is kept in the entry, so a replay publishes
        the same."""
        from ft_dcc.publish.offline.flush_decision import decide_again

        if not any(version.queued_decision for version in entry.manifest.versions()):
            return []
        where = str(entry.path / MANIFEST_FILE)
        warnings = decide_again(session, entry.manifest, where)  # QueueError: stays queued
        atomic_write_json(entry.path / MANIFEST_FILE, entry.manifest.to_dict())
        return warnings


def _queued_at(stamp: str) -> str:
    """When an entry was queued, from its folder's name (``20261127T120000.000000``)."""
    try:
        when = _dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f")
    except ValueError:
        return "?"
    return when.replace(tzinfo=_dt.timezone.utc).isoformat(timespec="seconds")


def _read_manifest(path: Path) -> IntegrateManifest:
    """The manifest of the entry at ``path``; QueueError naming its file when it is damaged or
    of a newer format (the entry stays)."""
    where = path / MANIFEST_FILE
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return IntegrateManifest.from_dict(data)
    except QueueError as exc:  # a newer format
        raise QueueError(
            f"the queued publish's journal {where} cannot be read: {exc.message}; it stays "
            "queued, with its media",
            hint=exc.hint,
        ) from exc
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise damaged_entry(str(where), str(exc) or type(exc).__name__) from exc


def stamp_made_at(manifest: IntegrateManifest) -> None:
    """Record on each version's review component when its work was made (``created_at``):
    the order warning compares the making of versions, never one's making with another's
    arrival on the server (a queued version arrives long after it was made)."""
    for version in manifest.versions():
        review = version.component(REVIEW_COMPONENT_MP4) or version.component(
            REVIEW_COMPONENT_IMAGE
        )
        if review is not None:
            review.metadata[MADE_AT_KEY] = version.created_at


def _spool_media(
    version: IntegrateManifest, media_dir: Optional[Path], media: Path, journal: bool, index: int
) -> None:
    """Link (journal) or copy one version's files into the entry's ``media`` folder; the
    first version's keep their component names, a sibling's are named by component id."""
    for component in version.components:
        source = component.path(media_dir)
        if not source.is_file():
            raise QueueError(
                f"cannot queue the publish: {source} is missing",
                hint="publish again; the encoded media was removed before it was queued",
            )
        named = component.name if index == 0 else component.id
        name = confined(media, named, source.suffix, fallback=component.id).name
        (durable_link if journal else durable_copy)(source, media / name)
        component.file = name


def _landed_after_later_work(
    session: PublishSession, manifest: IntegrateManifest, outcome: Any
) -> List[str]:
    """A warning when the version before this replayed one holds work made after it: the older
    work is now the asset's latest (nothing is renumbered; the review shows both). Like with
    like: when each version's work was made (its recorded making, else its date on the server:
    a live publish arrives as it is made), never one's making with another's arrival."""
    number = outcome.version_number
    if not number or number <= 1:
        return []
    try:
        before = session.query(
            f"select id, version, date from AssetVersion where asset_id is "
            f"{quote(outcome.asset_id)} and version < {int(number)} order by version descending"
        ).first()
        previous = _made_at(session, before) if before is not None else None
    except FtDccError as exc:
        log.info("could not read the version before v%03d: %s", number, exc)
        return []
    made = _when(manifest.created_at)
    if before is None or made is None or previous is None or previous <= made:
        return []
    return [
        f"v{number:03d} of {manifest.asset_name} was made at {made:%Y-%m-%d %H:%M:%S} UTC, "
        f"before v{before['version']:03d} (made after it, at {previous:%Y-%m-%d %H:%M:%S} "
        f"UTC): the older work is now the latest version"
    ]


def _made_at(session: PublishSession, version: Any) -> Optional[_dt.datetime]:
    """When ``version``'s work was made: its review component's record, else its date."""
    components = session.query(
        f"select id from Component where version_id is {quote(version['id'])} "
        f"and name in ({quote(REVIEW_COMPONENT_MP4)}, {quote(REVIEW_COMPONENT_IMAGE)})"
    ).all()
    if components:
        ids = ", ".join(quote(component["id"]) for component in components)
        rows = session.query(
            f"select value from Metadata where key is {quote(MADE_AT_KEY)} and parent_id in ({ids})"
        ).all()
        for row in rows:
            made = _when(row["value"])
            if made is not None:
                return made
    return _when(version["date"])


def _when(value: Any) -> Optional[_dt.datetime]:
    """A server date or an ISO text as an aware UTC datetime (None when unreadable)."""
    if value is None or value == "":
        return None
    if hasattr(value, "datetime") and not isinstance(value, _dt.datetime):  # arrow-like
        value = value.datetime
    if isinstance(value, str):
        try:
            value = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, _dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)


def _older_than(path: Path, seconds: float) -> bool:
    import time

    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def _same_server(queued_for: Optional[str], session: PublishSession) -> bool:
    current = getattr(session, "server_url", None)
    if not queued_for or not current:
        return True
    return queued_for.rstrip("/").lower() == str(current).rstrip("/").lower()


def _default_session() -> IntegrateSession:
    from ft_dcc.session import Session

    return Session()
