"""The server's file store: signed upload URLs, streamed uploads, multipart uploads, downloads.

Files live under ``DATA/files/<component id>`` with a sidecar ``<component id>.json`` (name, size,
MD5). An upload streams into ``DATA/files/.incoming/`` in constant memory, is checked against the
announced size and checksum, and only then is moved into place with an atomic rename, so a partial
file is never visible. Upload URLs carry an HMAC-signed, expiring token because the genuine client
PUTs without its ftrack credentials.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import mimetypes
import os
import re
import secrets
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Tuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ft_dcc.protocol.json_value import JsonObject, JsonValue
from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.common.token_text import b64 as _b64
from ft_dcc.server.common.token_text import unb64 as _unb64  # strict: one spelling per token
from ft_dcc.server.files import multipart
from ft_dcc.server.files.disk import (
    STORAGE_ERROR,
    STORAGE_STATUS,
    FaultCatcher,
    describe,
    is_disk_fault,
    part_path,
)
from ft_dcc.server.files.records import FileInfo, StoredFile, TokenClaims, UploadRecord
from ft_dcc.server.limits import limiter

log = logging.getLogger(__name__)

COMPONENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,127}$")
#: what follows ``<component id>-`` in a cached thumbnail's name (``files.thumbnails``)
CACHED_THUMBNAIL_RE = re.compile(r"\d+\.[a-z.]+")
#: the viewers' watermarked copies of a review movie, one folder per component
#: (``review.watermark``)
WATERMARK_DIR = ".watermarks"
UPLOAD_PATH = "/file-upload"
MAX_PARTS = 10000
CHUNK_LOG_EVERY = 256 * 1024 * 1024


@contextlib.contextmanager
def storage_faults(what: str) -> Iterator[None]:
    """Turn a full or read-only disk into ``FileStoreError`` 507 with a clear message."""
    try:
        yield
    except OSError as error:
        if not is_disk_fault(error):
            raise
        raise FileStoreError(describe(error, what), STORAGE_STATUS, STORAGE_ERROR) from None


class FileStoreError(ServerError):
    """A file operation was refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400, exception: str = "ValidationError"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.exception = exception


@dataclass
class UploadTicket:
    """What a signed upload URL allows: one PUT of ``size`` bytes for ``component_id``."""

    component_id: str
    size: Optional[int]
    checksum: Optional[str]
    file_name: str
    expires: int
    upload_id: Optional[str] = None
    part_number: Optional[int] = None


def check_component_id(component_id: object) -> str:
    """``component_id`` if it is a safe id (no path separators, dots or spaces)."""
    if not isinstance(component_id, str) or not COMPONENT_ID_RE.match(component_id):
        raise FileStoreError(
            f"Invalid component id {str(component_id)[:80]!r}: expected an id such as a UUID "
            "(letters, digits, '-' and '_' only).",
        )
    return component_id


def load_or_create_secret(path: Path) -> bytes:
    """The URL-signing key stored at ``path`` (created with mode 0600 on first use).

    Several server processes may ask at once: the key is written to a temporary file and
    hard-linked into place (atomic, fails if another process won), so all of them read one key.
    """
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes()


#: Below the store's root: one empty file per stored file a component once owned.
COMMITTED_DIR = ".committed"


class FileStore:
    """Uploaded component files below ``root``."""

    def __init__(self, root: Path, secret: bytes, *, ttl: int = 3600, max_size: int = 64 * 1024**3):
        self.root = Path(root)
        self.incoming = self.root / ".incoming"
        self.incoming.mkdir(parents=True, exist_ok=True)
        self.secret = secret
        self.ttl = ttl
        self.max_size = max_size

    # -- paths ---------------------------------------------------------------------------------
    def path_for(self, component_id: str) -> Path:
        return self.root / check_component_id(component_id)

    def _meta_path(self, component_id: str) -> Path:
        return self.root / (check_component_id(component_id) + ".json")

    def exists(self, component_id: str) -> bool:
        return self.path_for(component_id).is_file()

    def info(self, component_id: str) -> FileInfo:
        """Sidecar facts of a stored file: ``file_name``, ``size``, ``md5``, ``content_type``."""
        try:
            return json.loads(self._meta_path(component_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"file_name": component_id, "content_type": "application/octet-stream"}

    def remove(self, component_id: str) -> bool:
        """Delete a stored file; ``False`` when there was none."""
        path = self.path_for(component_id)
        removed = False
        for candidate in (path, self._meta_path(component_id)):
            try:
                candidate.unlink()
                removed = True
            except FileNotFoundError:
                pass
        for cached in (self.root / ".thumbnails").glob(f"{component_id}-*"):
            if CACHED_THUMBNAIL_RE.fullmatch(cached.name[len(component_id) + 1 :]):
                cached.unlink(missing_ok=True)
        shutil.rmtree(self.root / WATERMARK_DIR / check_component_id(component_id), True)
        (self.root / COMMITTED_DIR / component_id).unlink(missing_ok=True)
        return removed

    def mark_committed(self, component_id: str) -> None:
        """Remember that a component owns this stored file (see ``files.retire``)."""
        if self.exists(component_id):
            folder = self.root / COMMITTED_DIR
            folder.mkdir(exist_ok=True)
            (folder / check_component_id(component_id)).touch()

    def committed_ids(self) -> List[str]:
        """Ids of stored files a component once owned (:meth:`mark_committed`)."""
        folder = self.root / COMMITTED_DIR
        if not folder.is_dir():
            return []
        return [entry.name for entry in folder.iterdir() if COMPONENT_ID_RE.match(entry.name)]

    # -- signing -------------------------------------------------------------------------------
    def _sign(self, payload: Mapping[str, object]) -> str:
        body = _b64(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8"))
        mac = hmac.new(self.secret, body.encode("ascii"), hashlib.sha256).digest()
        return body + "." + _b64(mac)

    def _unsign(self, token: str) -> TokenClaims:
        target = hashlib.sha256(token.split(".", 1)[0].encode("utf-8", "replace")).hexdigest()
        try:
            body, mac = token.split(".", 1)
            expected = hmac.new(self.secret, body.encode("ascii"), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(mac)):
                raise ValueError("signature mismatch")
            payload = json.loads(_unb64(body))
        except (ValueError, TypeError) as exc:
            # a forged signature counts (429 once its source or URL is full); one this server
            # made is no guess, and costs the limiter nothing
            limiter.reserve(limiter.SIGNATURE, target)
            raise FileStoreError(
                "The upload URL is not valid (bad signature). Ask for a new one with "
                "get_upload_metadata.",
                status=403,
                exception="PermissionError",
            ) from exc
        if int(payload.get("e", 0)) < time.time():
            raise FileStoreError(
                "The upload URL has expired. Ask for a new one with get_upload_metadata.",
                status=403,
                exception="PermissionError",
            )
        return payload

    def sign_token(
        self, payload: Mapping[str, object], ttl: Optional[int] = None, kind: str = "upload"
    ) -> str:
        """A signed token of ``kind`` for ``payload`` that expires after ``ttl`` seconds."""
        return self._sign(dict(payload, k=kind, e=int(time.time()) + (ttl or self.ttl)))

    def unsign_token(self, token: str, kind: str = "upload") -> TokenClaims:
        """The payload of a valid, unexpired token of ``kind`` (else ``FileStoreError`` 403)."""
        payload = self._unsign(token)
        if payload.get("k") != kind:
            raise FileStoreError(
                f"This link is not a {kind} link; ask for a new one.", 403, "PermissionError"
            )
        return payload

    # -- single-part upload --------------------------------------------------------------------
    def upload_metadata(
        self,
        base_url: str,
        component_id: object,
        file_name: object,
        file_size: object,
        checksum: object = None,
    ) -> JsonObject:
        """The ``get_upload_metadata`` reply: a signed PUT URL and the headers to send."""
        component_id = check_component_id(component_id)
        size = self._check_size(file_size)
        name = self._check_file_name(file_name, component_id)
        if checksum is not None and not isinstance(checksum, str):
            raise FileStoreError("checksum must be the base64 MD5 of the file, or null.")
        payload = {"c": component_id, "s": size, "m": checksum, "n": name}
        url = f"{base_url}{UPLOAD_PATH}/{component_id}?token={self.sign_token(payload)}"
        headers: Dict[str, JsonValue] = {
            "Content-Type": mimetypes.guess_type(name)[0] or "application/octet-stream",
            "Content-Disposition": f'attachment; filename="{name}"',
        }
        if size is not None:
            headers["Content-Length"] = str(size)
        return {"url": url, "headers": headers, "component_id": component_id}

    def ticket(self, component_id: str, token: Optional[str]) -> UploadTicket:
        """The checked ticket of a PUT to ``/file-upload/<component_id>?token=...``."""
        if not token:
            raise FileStoreError(
                "The upload URL has no token. Use the url from get_upload_metadata.",
                status=403,
                exception="PermissionError",
            )
        payload = self.unsign_token(token, "upload")
        if payload.get("c") != component_id:
            raise FileStoreError(
                "The upload URL belongs to another component.", 403, "PermissionError"
            )
        return UploadTicket(
            component_id=check_component_id(component_id),
            size=payload.get("s"),
            checksum=payload.get("m"),
            file_name=payload.get("n") or component_id,
            expires=int(payload["e"]),
            upload_id=payload.get("u"),
            part_number=payload.get("p"),
        )

    async def receive(self, request: Request, ticket: UploadTicket) -> StoredFile:
        """Stream the PUT body to disk; publish it atomically once size and checksum match.

        A full or read-only disk answers ``FileStoreError`` 507 (see ``disk``).
        """
        with storage_faults(f"the upload of {ticket.file_name}"):
            return await self._receive(request, ticket)

    async def _receive(self, request: Request, ticket: UploadTicket) -> StoredFile:
        if ticket.upload_id:
            return await self._receive_part(request, ticket)
        declared = request.headers.get("content-length")
        known = ticket.size is not None and declared is not None and declared.isdigit()
        if known and int(str(declared)) != ticket.size:
            raise FileStoreError(
                f"Content-Length {declared} does not match the announced file_size "
                f"{ticket.size}. Ask for new upload metadata with the right size.",
                status=400,
            )
        tmp = part_path(self.incoming, ticket.component_id)
        try:
            size, digest = await self._stream_to(request, tmp, ticket.size)
            if ticket.size is not None and size != ticket.size:
                raise FileStoreError(
                    f"Received {size} bytes but file_size was {ticket.size}: the upload was "
                    "incomplete. Upload the file again.",
                )
            if ticket.checksum and base64.b64encode(digest).decode("ascii") != ticket.checksum:
                raise FileStoreError(
                    "The uploaded bytes do not match the checksum given to get_upload_metadata "
                    "(base64 MD5). Upload the file again.",
                )
            self._publish(tmp, ticket.component_id, ticket.file_name, size, digest.hex())
        finally:
            tmp.unlink(missing_ok=True)
        return {"size": size, "md5": digest.hex()}

    async def _stream_to(
        self, request: Request, path: Path, limit: Optional[int]
    ) -> Tuple[int, bytes]:
        with open(path, "wb") as handle:
            size, digest = await self._stream_into(request, handle.write, limit)
            handle.flush()
            await run_in_threadpool(os.fsync, handle.fileno())  # the loop keeps serving
        return size, digest

    async def _stream_into(
        self, request: Request, write: Callable[[bytes], object], limit: Optional[int]
    ) -> Tuple[int, bytes]:
        """Pass the request body to ``write`` chunk by chunk; its size and MD5 digest."""
        md5 = hashlib.md5()
        size = 0
        cap = self.max_size if limit is None else min(limit, self.max_size)
        catcher = FaultCatcher(write)  # a full disk still reads the body, then answers 507
        async for chunk in request.stream():
            if not chunk:
                continue
            size += len(chunk)
            if size > cap:
                raise FileStoreError(
                    f"The upload is larger than allowed ({cap} bytes). Announce the right "
                    "file_size to get_upload_metadata.",
                    status=413,
                )
            md5.update(chunk)
            catcher(chunk)
        catcher.raise_fault()
        return size, md5.digest()

    def _publish(self, tmp: Path, component_id: str, file_name: str, size: int, md5: str) -> None:
        meta = {
            "component_id": component_id,
            "file_name": file_name,
            "size": size,
            "md5": md5,
            "content_type": mimetypes.guess_type(file_name)[0] or "application/octet-stream",
        }
        meta_tmp = self.incoming / f"{component_id}.{uuid.uuid4().hex}.json"
        meta_tmp.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(meta_tmp, self._meta_path(component_id))
        os.replace(tmp, self.path_for(component_id))
        log.info("stored file for component %s (%d bytes)", component_id, size)

    def store_local_file(self, source: Path, component_id: str, file_name: str) -> StoredFile:
        """Copy a file produced on the server (e.g. an encode) into the store atomically."""
        tmp = part_path(self.incoming, component_id)
        md5 = hashlib.md5()
        size = 0
        with open(source, "rb") as src, open(tmp, "wb") as dst:
            for chunk in iter(lambda: src.read(1024 * 1024), b""):
                md5.update(chunk)
                size += len(chunk)
                dst.write(chunk)
        try:
            self._publish(tmp, component_id, file_name, size, md5.hexdigest())
        finally:
            tmp.unlink(missing_ok=True)
        return {"size": size, "md5": md5.hexdigest()}

    # -- multipart upload ----------------------------------------------------------------------
    def multipart_metadata(
        self,
        base_url: str,
        component_id: object,
        file_name: object,
        file_size: object,
        parts: object,
    ) -> JsonObject:
        """Start a multipart upload: one signed PUT URL per part, as the real server offers."""
        component_id = check_component_id(component_id)
        size = self._check_size(file_size)
        name = self._check_file_name(file_name, component_id)
        if isinstance(parts, bool) or not isinstance(parts, int) or not 1 <= parts <= MAX_PARTS:
            raise FileStoreError(f"parts must be a whole number from 1 to {MAX_PARTS}.")
        upload_id = uuid.uuid4().hex
        folder = self.incoming / upload_id
        record: UploadRecord = {
            "component_id": component_id,
            "file_name": name,
            "file_size": size,
            "parts": parts,
            "part_size": multipart.layout_part_size(size, parts),
            "expires": int(time.time()) + self.ttl,
        }
        with storage_faults(f"the upload of {name}"):
            folder.mkdir(parents=True)
            if record["part_size"]:
                multipart.create_assembly(folder, int(size or 0))
            (folder / "upload.json").write_text(json.dumps(record), encoding="utf-8")
        urls: List[JsonValue] = []
        for number in range(1, parts + 1):
            token = self.sign_token({"c": component_id, "n": name, "u": upload_id, "p": number})
            urls.append(
                {
                    "signed_url": f"{base_url}{UPLOAD_PATH}/{component_id}?token={token}",
                    "part_number": number,
                }
            )
        return {"component_id": component_id, "upload_id": upload_id, "urls": urls}

    def _upload_record(self, upload_id: object) -> UploadRecord:
        if not isinstance(upload_id, str) or not re.fullmatch(r"[0-9a-f]{32}", upload_id):
            raise FileStoreError("Unknown upload_id: start the upload with get_upload_metadata.")
        try:
            return json.loads((self.incoming / upload_id / "upload.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise FileStoreError(
                f"Unknown upload_id {upload_id}: it was completed, expired or never started. "
                "Start the upload again with get_upload_metadata.",
            ) from exc

    async def _receive_part(self, request: Request, ticket: UploadTicket) -> StoredFile:
        """Store one part: at its offset in the assembly file when it has the announced layout's
        length, else in a file of its own. Its receipt is written only once all bytes are in."""
        record = self._upload_record(ticket.upload_id)
        number = int(ticket.part_number or 0)
        if record["component_id"] != ticket.component_id or not 1 <= number <= record["parts"]:
            raise FileStoreError("The part URL does not belong to this upload.", 403)
        folder = self.incoming / str(ticket.upload_id)
        multipart.forget_part(folder, number)
        declared = request.headers.get("content-length")
        offset = multipart.layout_offset(record, number, declared)
        if offset is None:
            tmp = folder / f"part-{number:05d}.{uuid.uuid4().hex}.tmp"
            try:
                size, digest = await self._stream_to(request, tmp, record["file_size"])
                os.replace(tmp, multipart.part_path(folder, number))
            finally:
                tmp.unlink(missing_ok=True)
        else:
            expected = int(str(declared))
            writer = multipart.AssemblyWriter(folder, offset)
            try:
                size, digest = await self._stream_into(request, writer.write, expected)
                await run_in_threadpool(writer.sync)  # the loop keeps serving meanwhile
            finally:
                writer.close()
            if size != expected:
                raise FileStoreError(
                    f"Part {number}: received {size} of {expected} bytes; upload it again."
                )
        multipart.write_receipt(folder, number, digest.hex(), size, offset)
        return {"size": size, "md5": digest.hex()}

    def check_multipart(
        self, upload_id: object, component_id: object, parts: object
    ) -> List[multipart.Receipt]:
        """The receipts of the uploaded parts in order, if ``parts`` names them all with
        matching ETags and they hold ``file_size`` bytes.

        Checks only; nothing changes. ``complete_multipart`` runs the same checks.
        """
        component_id = check_component_id(component_id)
        record = self._upload_record(upload_id)
        if record["component_id"] != component_id:
            raise FileStoreError("upload_id belongs to another component.")
        if not isinstance(parts, list) or not parts:
            raise FileStoreError("parts must be a list of (e_tag, part_number) objects.")
        folder = self.incoming / str(upload_id)
        try:
            listed = sorted(parts, key=lambda p: int(p["part_number"]))
            pairs = [(int(p["part_number"]), str(p.get("e_tag", "")).strip('"')) for p in listed]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise FileStoreError("parts must be a list of (e_tag, part_number) objects.") from exc
        ordered: List[multipart.Receipt] = []
        for number, e_tag in pairs:
            receipt = multipart.read_receipt(folder, number)
            if receipt is None:
                raise FileStoreError(f"Part {number} was never uploaded; upload it first.")
            if receipt.md5 != e_tag:
                raise FileStoreError(
                    f"Part {number}: e_tag does not match the uploaded bytes; upload it again."
                )
            ordered.append(receipt)
        size = sum(receipt.size for receipt in ordered)
        if record.get("file_size") is not None and size != record["file_size"]:
            raise FileStoreError(
                f"The parts hold {size} bytes but file_size was {record['file_size']}; "
                "upload the missing parts.",
            )
        return ordered

    def complete_multipart(
        self, upload_id: object, component_id: object, parts: object
    ) -> StoredFile:
        """Publish the uploaded parts as one file (checking their ETags), atomically.

        Parts already in place in the assembly file are not read again: the file is renamed
        into the store. Its MD5 is composed from the parts' MD5s, as S3 does for its ETag.
        """
        with storage_faults(f"the upload of component {component_id}"):
            return self._complete_multipart(upload_id, component_id, parts)

    def _complete_multipart(
        self, upload_id: object, component_id: object, parts: object
    ) -> StoredFile:
        ordered = self.check_multipart(upload_id, component_id, parts)
        component_id = check_component_id(component_id)
        record = self._upload_record(upload_id)
        folder = self.incoming / str(upload_id)
        tmp = multipart.compose(folder, ordered, part_path(self.incoming, "multipart"))
        size = sum(receipt.size for receipt in ordered)
        md5 = multipart.composite_md5(ordered)
        try:
            self._publish(tmp, component_id, record["file_name"], size, md5)
        finally:
            tmp.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        return {"size": size, "md5": md5}

    # -- helpers -------------------------------------------------------------------------------
    def _check_size(self, file_size: object) -> Optional[int]:
        if file_size is None:
            return None
        if isinstance(file_size, bool) or not isinstance(file_size, int) or file_size < 0:
            raise FileStoreError("file_size must be a whole number of bytes.")
        if file_size > self.max_size:
            raise FileStoreError(
                f"file_size {file_size} is larger than this server accepts ({self.max_size}).",
                status=413,
            )
        return file_size

    @staticmethod
    def _check_file_name(file_name: object, component_id: str) -> str:
        if file_name is None:
            return component_id
        if not isinstance(file_name, str):
            raise FileStoreError("file_name must be a string.")
        name = os.path.basename(file_name.replace("\\", "/")).replace('"', "")
        return name[:255] or component_id

    def stored_ids(self, older_than: float) -> List[str]:
        """Ids of stored files last written more than ``older_than`` seconds ago."""
        cutoff = time.time() - older_than
        ids = []
        for entry in self.root.iterdir():
            if entry.is_file() and COMPONENT_ID_RE.match(entry.name):
                try:
                    if entry.stat().st_mtime < cutoff:
                        ids.append(entry.name)
                except OSError:
                    continue
        return ids

    def cleanup_expired(self) -> None:
        """Remove stale partial uploads (older than the URL lifetime)."""
        cutoff = time.time() - self.ttl * 2
        for entry in self.incoming.iterdir():
            try:
                if entry.stat().st_mtime < cutoff:
                    if entry.is_dir():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink(missing_ok=True)
            except OSError:
                continue
