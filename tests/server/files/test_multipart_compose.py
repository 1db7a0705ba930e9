"""Multipart completion composes the received parts without reading or copying them again.

Parts of the layout the server announces (equal sizes, the last one shorter) are written at their
offsets into one file while they arrive, so completing the upload renames that file into place;
its checksum is composed from the parts' MD5s as S3 does (``md5(part digests)-N``). Any other
layout still completes correctly (parts joined in order).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any, Dict, List

import requests
from support import post_api
from support.asyncio_thread import run_async

from .test_upload_download import download, upload_request


def start(server: Any, cid: str, size: int, parts: int) -> Dict[str, Any]:
    reply = post_api(server, [upload_request(cid, "big.bin", size, parts=parts)])
    return reply[0]


def put_part(url: str, data: bytes) -> Dict[str, Any]:
    put = requests.put(url, data=data, timeout=30)
    assert put.status_code == 200, put.text
    return {"e_tag": put.headers["etag"].strip('"')}


def complete(server: Any, reply: Dict[str, Any], cid: str, parts: List[Dict[str, Any]]) -> Any:
    operation = {
        "action": "complete_multipart_upload",
        "upload_id": reply["upload_id"],
        "component_id": cid,
        "parts": parts,
    }
    return post_api(server, [operation], expect_list=False)


def stored_md5(server: Any, cid: str) -> str:
    meta = json.loads((server.data_dir / "files" / f"{cid}.json").read_text())
    return str(meta["md5"])


def composite_md5(parts: List[bytes]) -> str:
    joined = b"".join(hashlib.md5(part).digest() for part in parts)
    return f"{hashlib.md5(joined).hexdigest()}-{len(parts)}"


def split(data: bytes, count: int) -> List[bytes]:
    size = -(-len(data) // count)
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_completion_renames_the_assembled_file_instead_of_copying_it(embedded_server):
    cid = str(uuid.uuid4())
    data = os.urandom(3 * 65536 + 1000)
    parts = split(data, 4)
    reply = start(embedded_server, cid, len(data), len(parts))
    e_tags = []
    for url, part in zip(reversed(reply["urls"]), reversed(parts)):  # in any order
        e_tags.append(dict(put_part(url["signed_url"], part), part_number=url["part_number"]))
    assembled = Path(embedded_server.data_dir) / "files" / ".incoming" / reply["upload_id"] / "data"
    assert assembled.is_file(), "parts are written at their offsets into one file as they arrive"
    inode = assembled.stat().st_ino
    assert complete(embedded_server, reply, cid, e_tags)[0]["component_id"] == cid
    stored = Path(embedded_server.data_dir) / "files" / cid
    assert stored.stat().st_ino == inode, "completion renamed the file (no re-write)"
    assert not assembled.parent.exists()
    assert download(embedded_server, cid).content == data
    assert stored_md5(embedded_server, cid) == composite_md5(parts)


def test_resent_part_replaces_the_earlier_bytes(embedded_server):
    cid = str(uuid.uuid4())
    data = os.urandom(2 * 40_000)
    parts = split(data, 2)
    reply = start(embedded_server, cid, len(data), 2)
    first = put_part(reply["urls"][0]["signed_url"], parts[0])
    put_part(reply["urls"][1]["signed_url"], os.urandom(40_000))  # wrong bytes, then sent again
    second = put_part(reply["urls"][1]["signed_url"], parts[1])
    done = complete(
        embedded_server,
        reply,
        cid,
        [dict(first, part_number=1), dict(second, part_number=2)],
    )
    assert done[0]["component_id"] == cid
    assert download(embedded_server, cid).content == data
    assert stored_md5(embedded_server, cid) == composite_md5(parts)


def test_other_part_layouts_are_joined_in_order(embedded_server):
    cid = str(uuid.uuid4())
    parts = [os.urandom(10_000), os.urandom(50_000), os.urandom(7)]
    reply = start(embedded_server, cid, sum(map(len, parts)), 3)
    e_tags = [
        dict(put_part(url["signed_url"], part), part_number=url["part_number"])
        for url, part in zip(reply["urls"], parts)
    ]
    assert complete(embedded_server, reply, cid, e_tags)[0]["component_id"] == cid
    assert download(embedded_server, cid).content == b"".join(parts)
    assert stored_md5(embedded_server, cid) == composite_md5(parts)


class _Body:
    """The part of a starlette ``Request`` that ``FileStore`` reads: headers and the stream."""

    def __init__(self, data: bytes) -> None:
        self.headers = {"content-length": str(len(data))}
        self._data = data

    async def stream(self) -> Any:
        for start in range(0, len(self._data), 65536):
            yield self._data[start : start + 65536]


def test_syncing_received_bytes_to_disk_never_blocks_the_event_loop(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Each part (and each single upload) is fsynced before it counts as received; that wait is
    done in a worker thread, so the server keeps reading other uploads and answering API calls."""
    import threading
    from urllib.parse import parse_qs, urlsplit

    from ft_dcc.server.files.filestore import FileStore

    store = FileStore(tmp_path / "files", b"k" * 32)
    synced_on: List[str] = []
    real_fsync = os.fsync
    monkeypatch.setattr(
        os, "fsync", lambda fd: (synced_on.append(threading.current_thread().name), real_fsync(fd))
    )
    data = os.urandom(3 * 65536 + 7)
    cid = str(uuid.uuid4())
    reply = store.multipart_metadata("http://x", cid, "big.bin", len(data), 2)
    single = store.upload_metadata("http://x", str(uuid.uuid4()), "one.bin", len(data))

    def ticket(url: str) -> Any:
        parts = urlsplit(url)
        return store.ticket(parts.path.rsplit("/", 1)[-1], parse_qs(parts.query)["token"][0])

    async def receive_all() -> str:
        for entry, piece in zip(reply["urls"], split(data, 2)):
            await store.receive(_Body(piece), ticket(entry["signed_url"]))  # type: ignore[arg-type]
        await store.receive(_Body(data), ticket(single["url"]))  # type: ignore[arg-type]
        return threading.current_thread().name

    loop_thread = run_async(receive_all)
    assert len(synced_on) == 3  # two parts and one single upload, each synced
    assert loop_thread not in synced_on
