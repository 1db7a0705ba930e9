"""``encode_media``: a real ffmpeg transcode to browser-playable H.264, run as an ftrack ``Job``.

``MediaEncoder.start`` creates the ``Job`` (``type: api_job``, ``status: queued``, ``data`` a JSON
string naming the outputs) together with the output component records (``ftrackreview-mp4`` and
``thumbnail``, linked to the job and the version, as ftrack does) and returns at once; a
background thread transcodes the source file (with :mod:`ft_dcc.media`, the same encoder the
publish pipeline uses), stores the files in ``ftrack.server`` with ``ftr_meta`` and marks the job
``done`` (or ``failed``, removing the output records). Stills (by file extension) become an
``ftrackreview-image`` JPEG instead of an mp4.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import queue
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ft_dcc.protocol import (
    REVIEW_COMPONENT_IMAGE,
    REVIEW_COMPONENT_MP4,
    REVIEW_META_KEY,
    SERVER_LOCATION_ID,
    encode_datetime,
)
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.files.filestore import FileStore, check_component_id
from ft_dcc.server.store.store import Execute

log = logging.getLogger(__name__)

THUMBNAIL_NAME = "thumbnail"
ENCODE_TIMEOUT = 3600
#: how long a stopping server keeps stopping a running encode job's ffmpeg processes
STOP_SECONDS = 30.0


class EncodeError(ServerError):
    """The encode could not start (bad input); the message says what to fix."""

    exception = "ValidationError"


def _now() -> Dict[str, str]:
    return encode_datetime(dt.datetime.now(dt.timezone.utc))


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def transcode(source: Path, mp4: Path, thumbnail: Path) -> Mapping[str, object]:
    """Encode movie ``source`` to a review mp4 and a JPEG thumbnail with :mod:`ft_dcc.media`.

    The mp4 is H.264 High/yuv420p at the source's frame rate, every frame kept once, with
    +faststart; the thumbnail shows the middle frame. Returns the ``ftr_meta`` of the mp4
    (frameIn, frameOut, frameRate, width, height). Raises ``MediaError`` when ffmpeg fails.
    """
    from ft_dcc.media import encode_review, make_thumbnail, probe_movie, review_metadata

    source_info = probe_movie(source)
    encode_review(source, mp4, source_info.fps)
    make_thumbnail(mp4, thumbnail)
    return review_metadata(probe_movie(mp4), 0)


IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".exr", ".dpx", ".bmp", ".tga", ".webp", ".psd"}
)


def transcode_image(source: Path, review: Path, thumbnail: Path) -> Mapping[str, object]:
    """Convert a still to a browser JPEG (at most 4096 wide) and a thumbnail.

    Returns the ``ftr_meta`` of an ``ftrackreview-image``: format, width, height.
    """
    import imageio_ffmpeg

    exe = ffmpeg_exe()
    for target, width in ((review, 4096), (thumbnail, 640)):
        cmd = [
            exe, "-nostdin", "-y", "-v", "error", "-i", str(source),
            "-vf", f"scale='min(iw,{width})':-2", "-frames:v", "1", "-q:v", "2",
            "-f", "mjpeg", str(target),
        ]  # fmt: skip
        _run(cmd, "convert the image")
    reader = imageio_ffmpeg.read_frames(str(review))
    try:
        info = next(reader)
    finally:
        reader.close()
    width, height = info["size"]
    return {"format": "image", "width": int(width), "height": int(height)}


def _run(cmd: List[str], what: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=ENCODE_TIMEOUT)
    if result.returncode != 0:
        tail = (result.stderr or "").strip().splitlines()[-3:]
        raise RuntimeError(f"ffmpeg could not {what}: " + " / ".join(tail))


class MediaEncoder:
    """Runs encode jobs one at a time in a background thread."""

    def __init__(self, files: FileStore, run_batch: Execute, query: Execute) -> None:
        self.files = files
        self.run_batch = run_batch
        self.query = query
        # One daemon worker: a server stopping mid-encode does not wait for ffmpeg; the job it
        # leaves running is marked failed on the next start (``fail_interrupted``).
        self._queue: queue.Queue[Optional[tuple]] = queue.Queue()
        self._busy = False
        self._worker = threading.Thread(target=self._serve, name="encode", daemon=True)
        self._worker.start()

    def _serve(self) -> None:
        while True:
            task = self._queue.get()
            if task is None:
                return
            self._busy = True
            try:
                self._work(*task)
            finally:
                self._busy = False

    def start(
        self, component_id: object, version_id: object, keep_original: object, user_id: str
    ) -> Dict[str, str]:
        """Create the job and queue the transcode; returns ``{"job_id": ...}``."""
        component_id = check_component_id(component_id)
        if not self.files.exists(component_id):
            raise EncodeError(
                f"Component {component_id} has no file in ftrack.server: upload it there "
                "before calling encode_media."
            )
        if version_id is not None:
            version_id = check_component_id(version_id)
            found = self.query(
                [
                    {
                        "action": "query",
                        "expression": "select id from AssetVersion where id is "
                        + quote(version_id),
                    }
                ],
                user_id,
            )
            if not found or not found[0].get("data"):
                raise EncodeError(
                    f"AssetVersion {version_id} does not exist; pass an existing version_id."
                )
        job_id = str(uuid.uuid4())
        outputs = {"review": str(uuid.uuid4()), "thumbnail": str(uuid.uuid4())}
        file_name = str(self.files.info(component_id).get("file_name") or "")
        is_image = Path(file_name).suffix.lower() in IMAGE_EXTENSIONS
        review_format = "image/jpeg" if is_image else "video/mp4"
        data = {
            "output": [
                {"format": review_format, "component_id": outputs["review"]},
                {"format": "image/jpeg", "component_id": outputs["thumbnail"]},
            ],
            "source_component_id": component_id,
            "keep_original": bool(keep_original),
        }
        job = {
            "__entity_type__": "Job",
            "id": job_id,
            "type": "api_job",
            "status": "queued",
            "data": json.dumps(data),
            "user_id": user_id,
            "created_at": _now(),
        }
        names = _output_names(review_format)
        self.run_batch(
            [_create("Job", job), *_output_records(job_id, outputs, names, version_id)], user_id
        )
        self._queue.put((job_id, component_id, version_id, outputs, data, user_id))
        return {"job_id": job_id}

    def _work(
        self,
        job_id: str,
        source_id: str,
        version_id: Optional[str],
        outputs: Dict[str, str],
        data: Dict[str, Any],
        user_id: str,
    ) -> None:
        try:
            self.run_batch([_update("Job", job_id, {"status": "running"})], user_id)
            meta, review_size, thumbnail_size = self._encode_files(source_id, outputs, data)
            ops = _server_location(outputs["review"], review_size)
            ops.append(_review_metadata(outputs["review"], meta))
            ops += _server_location(outputs["thumbnail"], thumbnail_size)
            if version_id:
                ops.append(
                    _update("AssetVersion", version_id, {"thumbnail_id": outputs["thumbnail"]})
                )
            # keep_original false: the source component and its file go, as on ftrack.
            remove_source = not data["keep_original"] and self._is_file_component(
                source_id, user_id
            )
            if remove_source:
                ops.append(
                    {"action": "delete", "entity_type": "FileComponent", "entity_key": [source_id]}
                )
            ops.append(_update("Job", job_id, {"status": "done", "finished_at": _now()}))
            self.run_batch(ops, user_id)
            log.info("encode job %s done", job_id)
            if remove_source:
                self.files.remove(source_id)
        except Exception as exc:  # the job records the failure; the server keeps running
            log.exception("encode job %s failed", job_id)
            self._fail(job_id, outputs, data, user_id, exc)

    def _encode_files(
        self, source_id: str, outputs: Dict[str, str], data: Dict[str, Any]
    ) -> Tuple[Mapping[str, object], int, int]:
        """Encode the source into the review and thumbnail files and store them: the review's
        metadata, then the sizes of the review and the thumbnail."""
        from ft_dcc.media.sequence import is_movie  # the media package loads on the first encode

        is_image = data["output"][0]["format"] == "image/jpeg"
        name, ext = _output_names(data["output"][0]["format"])["review"]
        with tempfile.TemporaryDirectory(dir=self.files.incoming) as tmp:
            review = Path(tmp) / f"review{ext}"
            jpg = Path(tmp) / "thumbnail.jpg"
            convert = transcode_image if is_image else transcode
            # Stored files have no extension; media tools tell movies by theirs.
            suffix = Path(str(self.files.info(source_id).get("file_name") or "")).suffix
            if not is_image and not is_movie(f"x{suffix}"):
                suffix = ".mov"  # ffmpeg reads the container from the content
            source = Path(tmp) / f"source{suffix}"
            os.symlink(self.files.path_for(source_id), source)
            meta = convert(source, review, jpg)
            review_info = self.files.store_local_file(review, outputs["review"], name + ext)
            jpg_info = self.files.store_local_file(
                jpg, outputs["thumbnail"], f"{THUMBNAIL_NAME}.jpg"
            )
        return meta, review_info["size"], jpg_info["size"]

    def _fail(
        self,
        job_id: str,
        outputs: Dict[str, str],
        data: Dict[str, Any],
        user_id: str,
        exc: Exception,
    ) -> None:
        """Record a failed encode on its Job and remove the outputs it had made."""
        for component_id in outputs.values():
            self.files.remove(component_id)
        failed = dict(data, error=f"encoding failed: {exc}"[:500])
        try:
            self.run_batch(
                [
                    _update(
                        "Job",
                        job_id,
                        {"status": "failed", "data": json.dumps(failed), "finished_at": _now()},
                    )
                ]
                + [_delete("FileComponent", c) for c in outputs.values()],
                user_id,
            )
        except Exception:
            log.exception("could not mark encode job %s as failed", job_id)

    def _is_file_component(self, component_id: str, user_id: str) -> bool:
        expression = f"select id from FileComponent where id is {quote(component_id)}"
        found = self.query([{"action": "query", "expression": expression}], user_id)
        return bool(found and found[0].get("data"))

    def fail_interrupted(self, user_id: str) -> int:
        """Mark jobs a previous server process left queued or running as failed."""
        found = self.query(
            [
                {
                    "action": "query",
                    "expression": 'select id from Job where status in ("queued", "running")',
                }
            ],
            user_id,
        )
        rows = found[0].get("data") if found else None
        ids = (
            [str(row["id"]) for row in rows if isinstance(row, dict)]
            if isinstance(rows, list)
            else []
        )
        if ids:
            self.run_batch(
                [
                    _update("Job", job_id, {"status": "failed", "finished_at": _now()})
                    for job_id in ids
                ],
                user_id,
            )
            log.warning("marked %d interrupted encode job(s) as failed", len(ids))
        return len(ids)

    def shutdown(self) -> None:
        """Stop taking jobs; queued ones stay ``queued`` (failed on the next start). A running
        job's ffmpeg is stopped, and so is one it starts while the server stops (it was marked
        ``running`` before its ffmpeg started), until the job has ended or
        :data:`STOP_SECONDS` have passed."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(None)
        deadline = time.monotonic() + STOP_SECONDS
        while self._busy and time.monotonic() < deadline:
            _terminate_ffmpeg_children()
            self._worker.join(0.05)  # the job ends soon after its ffmpeg is stopped
        if self._busy:
            log.warning("an encode job was still running when the server stopped")


def _terminate_ffmpeg_children() -> None:
    """Stop ffmpeg processes this server started (Linux ``/proc``; elsewhere they finish)."""
    import signal

    me = os.getpid()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
            if parent == me and "ffmpeg" in command:
                os.kill(int(entry.name), signal.SIGTERM)
        except (OSError, ValueError, IndexError):
            continue


def _create(
    entity_type: str, data: Dict[str, Any], key: Optional[List[str]] = None
) -> Dict[str, Any]:
    return {
        "action": "create",
        "entity_type": entity_type,
        "entity_key": key or [data["id"]],
        "entity_data": data,
    }


def _update(entity_type: str, entity_id: str, data: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "action": "update",
        "entity_type": entity_type,
        "entity_key": [entity_id],
        "entity_data": dict(data, __entity_type__=entity_type),
    }


def _delete(entity_type: str, entity_id: str) -> Dict[str, Any]:
    return {"action": "delete", "entity_type": entity_type, "entity_key": [entity_id]}


def _output_names(review_format: str) -> Dict[str, Tuple[str, str]]:
    """(component name, file type) of each output of an encode job."""
    review = (
        (REVIEW_COMPONENT_IMAGE, ".jpg")
        if review_format == "image/jpeg"
        else (REVIEW_COMPONENT_MP4, ".mp4")
    )
    return {"review": review, "thumbnail": (THUMBNAIL_NAME, ".jpg")}


def _output_records(
    job_id: str,
    outputs: Dict[str, str],
    names: Dict[str, Tuple[str, str]],
    version_id: Optional[str],
) -> List[Dict[str, Any]]:
    """The output components and their job links, created with the job (as on ftrack: the
    records exist at once, their files arrive in ``ftrack.server`` when the job is done)."""
    ops = []
    for role, component_id in outputs.items():
        name, file_type = names[role]
        component: Dict[str, Any] = {
            "__entity_type__": "FileComponent",
            "id": component_id,
            "name": name,
            "file_type": file_type,
            "system_type": "file",
        }
        if version_id:
            component["version"] = {"__entity_type__": "AssetVersion", "id": version_id}
        ops.append(_create("FileComponent", component))
        link = {"__entity_type__": "JobComponent", "job_id": job_id, "component_id": component_id}
        ops.append(_create("JobComponent", link, key=[component_id, job_id]))
    return ops


def _review_metadata(component_id: str, meta: Mapping[str, object]) -> Dict[str, Any]:
    """The review output's media metadata (frames, rate, size), as ftrack records it."""
    return _create(
        "Metadata",
        {
            "__entity_type__": "Metadata",
            "parent_id": component_id,
            "parent_type": "FileComponent",
            "key": REVIEW_META_KEY,
            "value": json.dumps(meta),
        },
        key=[component_id, REVIEW_META_KEY],
    )


def _server_location(component_id: str, size: int) -> List[Dict[str, Any]]:
    """The finished output's size and its place in ``ftrack.server``."""
    return [
        _update("FileComponent", component_id, {"size": size}),
        _create(
            "ComponentLocation",
            {
                "__entity_type__": "ComponentLocation",
                "id": str(uuid.uuid4()),
                "component": {"__entity_type__": "FileComponent", "id": component_id},
                "location": {"__entity_type__": "Location", "id": SERVER_LOCATION_ID},
                "resource_identifier": component_id,
            },
        ),
    ]
