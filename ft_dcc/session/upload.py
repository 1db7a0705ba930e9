"""Uploads to ``ftrack.server``: streamed from disk, with progress, retries and multipart."""

from __future__ import annotations

import collections
import concurrent.futures
import logging
import math
import os
import threading
import time
from typing import BinaryIO, Callable, Dict, List, Optional, Union

import attr
import requests

from ft_dcc.exceptions import ApiError, ServerStorageError, UploadError
from ft_dcc.progress import Progress
from ft_dcc.session.entity import FilesProgress
from ft_dcc.session.replies import UploadMetadata, UploadPart, upload_metadata
from ft_dcc.session.upload_session import UploadSession

log = logging.getLogger(__name__)

MiB = 1024 * 1024
#: Errors after which an upload (or one part of it) is sent again from its start.
TRANSIENT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: "Insufficient Storage": the server's disk is full or read-only (never retried).
STORAGE_FULL_STATUS = 507

ByteProgress = Callable[[int], None]


#: what the server is told of one uploaded part
PartReceipt = Dict[str, Union[int, str]]
#: Bytes read from disk per socket write while uploading (memory use stays about this size).
UPLOAD_BLOCK_SIZE = 256 * 1024


class _LargeBlockAdapter(requests.adapters.HTTPAdapter):
    """Sends request bodies in ``UPLOAD_BLOCK_SIZE`` blocks (urllib3 defaults to 16 KiB)."""

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: object
    ) -> None:
        pool_kwargs.setdefault("blocksize", UPLOAD_BLOCK_SIZE)
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)


def upload_http_session() -> requests.Session:
    """A plain ``requests.Session`` (no ftrack credentials) tuned for large uploads."""
    http = requests.Session()
    http.mount("http://", _LargeBlockAdapter())
    http.mount("https://", _LargeBlockAdapter())
    return http


class FileSlice:
    """``length`` bytes of a file from ``start``, read in chunks; reports bytes read.

    ``requests`` streams it (it has ``__len__`` and ``read``), so memory stays constant.
    """

    def __init__(self, path: str, start: int, length: int, on_read: ByteProgress) -> None:
        self.path = path
        self.start = start
        self.length = length
        self.on_read = on_read
        self._handle: Optional[BinaryIO] = None
        self._position = 0

    def __len__(self) -> int:
        return self.length

    def open(self) -> FileSlice:
        self.close()
        self._handle = handle = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        handle.seek(self.start)
        self._position = 0
        return self

    def read(self, size: int = -1) -> bytes:
        remaining = self.length - self._position
        if remaining <= 0:
            return b""
        if size is None or size < 0 or size > remaining:
            size = remaining
        if self._handle is None:
            raise ValueError(f"{self.path}: read() before open()")
        data = self._handle.read(size)
        self._position += len(data)
        self.on_read(len(data))
        return data

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class _Progress:
    """Turns bytes sent into ``progress("upload", fraction, message)`` calls, never going back.

    Parts may be sent from worker threads; they only count bytes (``read``) and the caller's
    thread reports (``report``), so a DCC's UI is only ever touched from the thread that called.
    """

    def __init__(self, total: int, progress: Optional[Callable[..., object]], name: str) -> None:
        self.total = total
        self.progress = progress
        self.name = name
        self.confirmed = 0  # bytes of finished parts
        self.in_flight: Dict[int, int] = {}  # part number -> bytes of its current attempt
        self.reported = -1
        self.report_on_read = True
        self._last_call = 0.0
        self._lock = threading.Lock()

    def start_attempt(self, part: int = 0) -> None:
        with self._lock:
            self.in_flight[part] = 0

    def read(self, count: int, part: int = 0) -> None:
        with self._lock:
            self.in_flight[part] = self.in_flight.get(part, 0) + count
        if self.report_on_read:
            self.report()

    def finish_part(self, length: int, part: int = 0) -> None:
        with self._lock:
            self.confirmed += length
            self.in_flight.pop(part, None)

    def report(self, force: bool = False) -> None:
        if self.progress is None:
            return
        with self._lock:
            done = min(self.confirmed + sum(self.in_flight.values()), self.total)
        if done <= self.reported:
            return
        now = time.monotonic()
        if not force and done < self.total and now - self._last_call < 0.05:
            return
        self._last_call = now
        self.reported = done
        fraction = done / self.total if self.total else 1.0
        self.progress("upload", fraction, f"{done}/{self.total} bytes {self.name}")

    def done(self) -> None:
        with self._lock:
            self.confirmed = self.total
            self.in_flight.clear()
        self.report(True)


class Ramp:
    """How many parts to send at once, from the throughput measured so far.

    Starts with one part in flight (a single stream, like ``curl -T``) and adds one more while
    that raises the throughput by at least ``GAIN``; the first level that does not is left for
    the best one measured, which then stays. A server that takes parallel streams (S3) gets
    every worker, one that does not keeps one stream and no contention. Each level is measured
    over ``ROUNDS`` rounds of its parts; ``clock`` is injectable for tests.
    """

    GAIN = 1.1
    ROUNDS = 2

    def __init__(self, maximum: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.maximum = max(1, int(maximum))
        self.allowed = 1
        self.settled = self.maximum == 1
        self._clock = clock
        self._best = 0.0
        self._start_level()

    def _start_level(self) -> None:
        self._started = self._clock()
        self._bytes = 0
        self._parts = 0

    def part_done(self, size: int) -> None:
        """A part of ``size`` bytes was sent; perhaps change ``allowed``."""
        if self.settled:
            return
        self._bytes += size
        self._parts += 1
        elapsed = self._clock() - self._started
        if self._parts < self.ROUNDS * self.allowed or elapsed <= 0:
            return
        throughput = self._bytes / elapsed
        if throughput >= self._best * self.GAIN:
            self._best = throughput
            self.allowed += 1
            self.settled = self.allowed >= self.maximum
        else:
            self.allowed -= 1
            self.settled = True
        log.debug("upload: %d parts at once (%.1f MiB/s measured)", self.allowed, throughput / MiB)
        self._start_level()


@attr.s(auto_attribs=True, kw_only=True)
class PlannedUpload:
    """One file to store for a component: what ``get_upload_metadata`` is asked for it."""

    path: str
    component_id: str
    name: str
    size: int
    mtime: float
    part_size: int
    parts: int = 0  # 0: one PUT

    @property
    def operation(self) -> Dict[str, object]:
        operation: Dict[str, object] = {
            "action": "get_upload_metadata",
            "component_id": self.component_id,
            "file_name": self.name,
            "file_size": self.size,
        }
        if self.parts:
            operation["parts"] = self.parts
        return operation


def plan_upload(
    session: UploadSession, path: str, component_id: str, file_name: Optional[str] = None
) -> PlannedUpload:
    """What to ask the server for to upload ``path``; ``UploadError`` when it is unreadable."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        mtime = os.path.getmtime(path)
    except OSError as error:
        raise UploadError(
            f"Cannot upload {path}: {error.strerror or error}",
            hint="check that the file exists and is readable",
        ) from None
    part_size = max(session.uploads.part_size, math.ceil(size / 10000))
    parts = math.ceil(size / part_size) if size >= session.uploads.multipart_threshold else 0
    name = file_name or os.path.basename(path)
    return PlannedUpload(
        path=path, component_id=component_id, name=name, size=size, mtime=mtime,
        part_size=part_size, parts=parts,
    )  # fmt: skip


def upload_files(
    session: UploadSession,
    uploads: List[PlannedUpload],
    progress: Optional[FilesProgress] = None,
) -> None:
    """Upload several files with ONE ``get_upload_metadata`` request for all of them.

    ``progress(index, stage, fraction, message)`` reports each file's bytes.
    """
    if not uploads:
        return
    metadata = _ask_to_upload(session, uploads)
    for index, (upload, answer) in enumerate(zip(uploads, metadata)):
        file_progress = _one_file(progress, index) if progress is not None else None
        send_upload(session, upload, answer, file_progress)


def _one_file(progress: FilesProgress, index: int) -> Progress:
    """``progress`` of the file at ``index``, as that file's own progress sink."""

    def report(stage: str, fraction: float, message: str = "") -> None:
        progress(index, stage, fraction, message)

    return report


def upload_file(
    session: UploadSession,
    path: str,
    component_id: str,
    progress: Optional[Progress] = None,
    file_name: Optional[str] = None,
) -> str:
    """Store the bytes of ``path`` in ``ftrack.server`` for ``component_id``; return the id.

    The component need not exist yet. Raises ``UploadError`` when the file cannot be sent
    completely after the session's retries.
    """
    upload = plan_upload(session, path, component_id, file_name)
    (metadata,) = _ask_to_upload(session, [upload])
    send_upload(session, upload, metadata, progress)
    return component_id


def _ask_to_upload(session: UploadSession, uploads: List[PlannedUpload]) -> List[UploadMetadata]:
    """Where to send each of ``uploads``: the server's answers to their operations, asked in
    ONE request; ``UploadError`` when the server refuses them."""
    try:
        replies = session.call([upload.operation for upload in uploads])
        return [upload_metadata(reply) for reply in replies]
    except ApiError as error:
        raise UploadError(
            f"The server refused to accept {', '.join(u.name for u in uploads)} for upload: "
            f"{error}",
            hint="check the ftrack.server storage of the server",
        ) from error


def send_upload(
    session: UploadSession,
    upload: PlannedUpload,
    metadata: UploadMetadata,
    progress: Optional[Progress] = None,
) -> None:
    """Send ``upload``'s bytes to where ``metadata`` (the server's reply) says."""
    path, size, name = upload.path, upload.size, upload.name
    started = time.monotonic()
    tracker = _Progress(size, progress, name)
    if progress is not None:
        progress("upload", 0.0, f"0/{size} bytes {name}")
    if upload.parts and metadata.get("urls"):
        _upload_parts(session, path, size, upload.part_size, metadata, tracker, upload.component_id)
    else:
        if not metadata.get("url"):
            raise UploadError(
                f"The server gave no upload URL for {name}: {sorted(metadata)}",
                hint="the server may not support uploads to ftrack.server",
            )
        file_slice = FileSlice(path, 0, size, tracker.read)
        _put(session, metadata["url"], metadata.get("headers") or {}, file_slice, tracker)
    if os.path.getsize(path) != size or os.path.getmtime(path) != upload.mtime:
        raise UploadError(
            f"{path} changed while it was being uploaded",
            hint="wait until the file is completely written, then publish again",
        )
    tracker.done()
    elapsed = time.monotonic() - started
    log.debug(
        "uploaded %s (%d bytes) as component %s in %.2fs", name, size, upload.component_id, elapsed
    )


def _upload_parts(
    session: UploadSession,
    path: str,
    size: int,
    part_size: int,
    metadata: UploadMetadata,
    tracker: _Progress,
    component_id: str,
) -> None:
    entries = sorted(metadata["urls"], key=lambda item: int(item["part_number"]))

    def send(entry: UploadPart) -> PartReceipt:
        number = int(entry["part_number"])
        start = (number - 1) * part_size
        length = max(0, min(part_size, size - start))
        file_slice = FileSlice(path, start, length, lambda count: tracker.read(count, number))
        response = _put(session, entry["signed_url"], {}, file_slice, tracker, part=number)
        return {"part_number": number, "e_tag": (response.headers.get("ETag") or "").strip('"')}

    workers = max(1, min(int(session.uploads.workers), len(entries)))
    tracker.report_on_read = False
    with concurrent.futures.ThreadPoolExecutor(workers, "ft_dcc-upload") as pool:
        parts = _send_ramped(pool, send, entries, Ramp(workers), tracker, part_size)
    tracker.report_on_read = True
    try:
        session.call(
            [
                {
                    "action": "complete_multipart_upload",
                    "upload_id": metadata.get("upload_id"),
                    "component_id": component_id,
                    "parts": parts,
                }
            ]
        )
    except ApiError as error:
        raise UploadError(f"The server could not assemble the uploaded parts: {error}") from error


def _send_ramped(
    pool: concurrent.futures.ThreadPoolExecutor,
    send: Callable[[UploadPart], PartReceipt],
    entries: List[UploadPart],
    ramp: Ramp,
    tracker: _Progress,
    part_size: int,
) -> List[PartReceipt]:
    """Send every part, at most ``ramp.allowed`` at once; their receipts in part order."""
    waiting = collections.deque(entries)
    running: Dict[concurrent.futures.Future, UploadPart] = {}
    parts: List[PartReceipt] = []
    try:
        while waiting or running:
            while waiting and len(running) < ramp.allowed:
                entry = waiting.popleft()
                running[pool.submit(send, entry)] = entry
            done, _ = concurrent.futures.wait(
                running, timeout=0.1, return_when=concurrent.futures.FIRST_COMPLETED
            )
            for future in done:
                running.pop(future)
                parts.append(future.result())
                ramp.part_done(part_size)
            tracker.report()
    except BaseException:
        for future in running:
            future.cancel()
        raise
    return sorted(parts, key=lambda part: int(part["part_number"]))


def _put(
    session: UploadSession,
    url: str,
    headers: Dict[str, str],
    file_slice: FileSlice,
    tracker: _Progress,
    part: int = 0,
) -> requests.Response:
    headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
    attempt = 0
    while True:
        tracker.start_attempt(part)
        file_slice.open()
        problem = ""
        try:
            response = session._upload_http.put(
                url, data=file_slice, headers=headers, timeout=session.timeout
            )
        except TRANSIENT_ERRORS as error:
            problem = f"{type(error).__name__}: {_strip_url(str(error))}"
        else:
            if 200 <= response.status_code < 300:
                tracker.finish_part(len(file_slice), part)
                return response
            if response.status_code == STORAGE_FULL_STATUS:
                raise _storage_error(response, file_slice.path)
            if response.status_code not in TRANSIENT_STATUSES:
                raise UploadError(
                    f"The upload of {os.path.basename(file_slice.path)} was refused: "
                    f"HTTP {response.status_code} {response.text[:200]}",
                    hint="nothing was committed; publish again or ask the server admin",
                )
            problem = f"HTTP {response.status_code}"
        finally:
            file_slice.close()
        if attempt >= session.retry.retries:
            raise UploadError(
                f"Uploading {os.path.basename(file_slice.path)} failed after {attempt + 1} "
                f"attempts ({problem})",
                hint="check the network connection to the ftrack server; nothing was committed",
            )
        delay = session.retry.delay(attempt)
        log.warning(
            "upload of %s interrupted (%s); retrying in %.1fs",
            os.path.basename(file_slice.path),
            problem,
            delay,
        )
        time.sleep(delay)
        attempt += 1


def _storage_error(response: requests.Response, path: str) -> ServerStorageError:
    """HTTP 507: the server's disk is full (or read-only); retrying now would not help."""
    try:
        detail = str(response.json().get("content") or "")
    except (ValueError, AttributeError):
        detail = ""
    return ServerStorageError(
        f"The server's disk is full: it could not store {os.path.basename(path)}"
        + (f" ({detail})" if detail else "")
    )


def _strip_url(text: str) -> str:
    # Signed upload URLs carry tokens; keep them out of messages.
    return text.split("?", 1)[0] if "?" in text else text
