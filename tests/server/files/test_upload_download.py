"""Uploads and downloads of the embedded server's file store, over real HTTP.

Signed, expiring PUT URLs; size and checksum checks; partial files never visible; multipart
uploads as the real server offers them; downloads with HTTP Range; thumbnails; removal.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests
from support import post_api

from ..store_helpers import create_component, create_server_location

FIXTURES = Path(__file__).resolve().parents[2] / "data" / "ftrack" / "fixtures"


def api(server: Any, batch: List[Dict[str, Any]]) -> Any:
    """The decoded reply of ``/api``: a list of replies, or the error dict of a failed batch."""
    return post_api(server, batch, expect_list=False)


def upload_request(cid: str, file_name: str, file_size: int, **extra: Any) -> Dict[str, Any]:
    """A ``get_upload_metadata`` operation (``extra``: ``parts``, ``checksum``)."""
    return dict(
        action="get_upload_metadata",
        component_id=cid,
        file_name=file_name,
        file_size=file_size,
        **extra,
    )


def upload_metadata(
    server: Any, cid: str, data: bytes, name: str = "clip.mp4", checksum: bool = True
) -> Dict[str, Any]:
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode() if checksum else None
    reply = api(server, [upload_request(cid, name, len(data), checksum=md5)])
    assert isinstance(reply, list), reply
    return reply[0]


def download(
    server: Any, cid: str, path: str = "/component/get", stream: bool = False, **headers: str
) -> requests.Response:
    return requests.get(
        server.url + path,
        params={"id": cid, "username": server.api_user, "apiKey": server.api_key},
        headers=headers,
        timeout=30,
        stream=stream,
    )


def thumbnail(server: Any, cid: str, size: str) -> requests.Response:
    """GET a ``size``-pixel thumbnail of component ``cid`` (credentials as query parameters)."""
    return requests.get(
        server.url + "/component/thumbnail",
        params={"id": cid, "size": size, "username": server.api_user, "apiKey": server.api_key},
        timeout=60,
    )


def test_upload_for_uncreated_component_then_download(embedded_server):
    cid = str(uuid.uuid4())
    data = os.urandom(300_000)
    meta = upload_metadata(embedded_server, cid, data)
    golden = json.loads((FIXTURES / "get_upload_metadata.json").read_text())
    assert set(golden) <= set(meta)
    assert meta["component_id"] == cid and meta["url"].startswith(embedded_server.url)
    assert "ftrack-api-key" not in {k.lower() for k in meta["headers"]}
    put = requests.put(meta["url"], data=data, headers=meta["headers"], timeout=30)
    assert put.status_code == 200, put.text
    assert put.headers["etag"].strip('"') == hashlib.md5(data).hexdigest()
    got = download(embedded_server, cid)
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == "video/mp4"
    assert got.headers["accept-ranges"] == "bytes"


def test_range_requests_for_video_seeking(embedded_server):
    cid = str(uuid.uuid4())
    data = os.urandom(100_000)
    meta = upload_metadata(embedded_server, cid, data)
    assert requests.put(meta["url"], data=data, headers=meta["headers"], timeout=30).ok
    part = download(embedded_server, cid, Range="bytes=1000-1999")
    assert part.status_code == 206
    assert part.content == data[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
    tail = download(embedded_server, cid, Range="bytes=-10")
    assert tail.status_code == 206 and tail.content == data[-10:]
    beyond = download(embedded_server, cid, Range=f"bytes={len(data) + 5}-")
    assert beyond.status_code == 416


def test_upload_streams_in_chunks(embedded_server):
    """A generator body (chunked transfer, no Content-Length) is streamed and checked."""
    cid = str(uuid.uuid4())
    chunk = os.urandom(64 * 1024)
    data = chunk * 80
    meta = upload_metadata(embedded_server, cid, data)
    sent_headers = {k: v for k, v in meta["headers"].items() if k.lower() != "content-length"}
    put = requests.put(
        meta["url"], data=(chunk for _ in range(80)), headers=sent_headers, timeout=60
    )
    assert put.status_code == 200, put.text
    assert (
        hashlib.md5(download(embedded_server, cid).content).hexdigest()
        == hashlib.md5(data).hexdigest()
    )


def test_wrong_size_is_refused_and_never_visible(embedded_server):
    cid = str(uuid.uuid4())
    data = os.urandom(5000)
    meta = upload_metadata(embedded_server, cid, data, checksum=False)
    short = {k: v for k, v in meta["headers"].items() if k.lower() != "content-length"}
    put = requests.put(meta["url"], data=iter([data[:1000]]), headers=short, timeout=30)
    assert put.status_code == 400 and "incomplete" in put.json()["content"]
    assert download(embedded_server, cid).status_code == 404
    longer = requests.put(meta["url"], data=iter([data, b"extra"]), headers=short, timeout=30)
    assert longer.status_code == 413
    assert download(embedded_server, cid).status_code == 404
    leftovers = list((embedded_server.data_dir / "files" / ".incoming").glob(f"{cid}*"))
    assert leftovers == []


def test_wrong_checksum_is_refused(embedded_server):
    cid = str(uuid.uuid4())
    data = os.urandom(2000)
    meta = upload_metadata(embedded_server, cid, data)
    corrupt = bytes([data[0] ^ 1]) + data[1:]
    put = requests.put(meta["url"], data=corrupt, headers=meta["headers"], timeout=30)
    assert put.status_code == 400 and "checksum" in put.json()["content"]
    assert download(embedded_server, cid).status_code == 404


def test_upload_url_must_be_signed_for_that_component(embedded_server):
    cid = str(uuid.uuid4())
    data = b"hello"
    meta = upload_metadata(embedded_server, cid, data)
    base, token = meta["url"].split("?token=")
    bad_sig = requests.put(f"{base}?token={token[:-4]}AAAA", data=data, timeout=10)
    assert bad_sig.status_code == 403 and bad_sig.json()["exception"] == "PermissionError"
    other = requests.put(
        base.rsplit("/", 1)[0] + f"/{uuid.uuid4()}?token={token}", data=data, timeout=10
    )
    assert other.status_code == 403
    assert requests.put(base, data=data, timeout=10).status_code == 403


def test_expired_upload_url_is_refused(embedded_server):
    """Forge a token whose expiry is in the past with the server's own key: it must be refused."""
    import hmac

    cid = str(uuid.uuid4())
    secret = (embedded_server.data_dir / "url-signing.key").read_bytes()
    assert oct((embedded_server.data_dir / "url-signing.key").stat().st_mode & 0o777) == "0o600"

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    body = b64(
        json.dumps(
            {"c": cid, "s": 5, "m": None, "n": "x.bin", "k": "upload", "e": 1000},
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
    )
    mac = b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    response = requests.put(
        f"{embedded_server.url}/file-upload/{cid}?token={body}.{mac}", data=b"hello", timeout=10
    )
    assert response.status_code == 403 and "expired" in response.json()["content"]


def test_downloads_need_credentials(embedded_server):
    cid = str(uuid.uuid4())
    meta = upload_metadata(embedded_server, cid, b"secret bytes")
    assert requests.put(meta["url"], data=b"secret bytes", headers=meta["headers"], timeout=10).ok
    for params in (
        {"id": cid},
        {"id": cid, "username": embedded_server.api_user, "apiKey": "wrong"},
    ):
        response = requests.get(embedded_server.url + "/component/get", params=params, timeout=10)
        assert response.status_code == 401
        assert response.json()["exception"] == "InvalidCredentialsError"
        assert b"secret bytes" not in response.content
    header_auth = requests.get(
        embedded_server.url + "/component/get",
        params={"id": cid},
        headers={
            "ftrack-user": embedded_server.api_user,
            "ftrack-api-key": embedded_server.api_key,
        },
        timeout=10,
    )
    assert header_auth.content == b"secret bytes"


def test_multipart_upload_like_the_real_server(embedded_server):
    cid = str(uuid.uuid4())
    parts = [os.urandom(70_000), os.urandom(70_000), os.urandom(1234)]
    total = sum(len(p) for p in parts)
    reply = api(
        embedded_server,
        [upload_request(cid, "big.mov", total, parts=3)],
    )[0]
    assert set(reply) == {"component_id", "upload_id", "urls"}
    assert [u["part_number"] for u in reply["urls"]] == [1, 2, 3]
    e_tags = []
    for url, data in zip(reversed(reply["urls"]), reversed(parts)):  # any order
        put = requests.put(url["signed_url"], data=data, timeout=30)
        assert put.status_code == 200, put.text
        e_tags.append({"e_tag": put.headers["etag"].strip('"'), "part_number": url["part_number"]})
    assert download(embedded_server, cid).status_code == 404  # not visible before completion
    done = api(
        embedded_server,
        [
            {
                "action": "complete_multipart_upload",
                "upload_id": reply["upload_id"],
                "component_id": cid,
                "parts": e_tags,
            }
        ],
    )[0]
    golden = json.loads((FIXTURES / "complete_multipart_upload.json").read_text())
    assert set(golden) == set(done)
    assert done["action"] == "complete_multipart_upload" and done["component_id"] == cid
    assert download(embedded_server, cid).content == b"".join(parts)


def test_multipart_with_wrong_etag_or_missing_part_fails(embedded_server):
    cid = str(uuid.uuid4())
    reply = api(
        embedded_server,
        [upload_request(cid, "b.bin", 20, parts=2)],
    )[0]
    put = requests.put(reply["urls"][0]["signed_url"], data=b"a" * 10, timeout=10)
    assert put.ok
    complete = {
        "action": "complete_multipart_upload",
        "upload_id": reply["upload_id"],
        "component_id": cid,
    }
    parts = [{"e_tag": put.headers["etag"], "part_number": 1}, {"e_tag": "x", "part_number": 2}]
    missing = api(embedded_server, [dict(complete, parts=parts)])
    assert missing["exception"] == "ValidationError" and "Part 2" in missing["content"]
    requests.put(reply["urls"][1]["signed_url"], data=b"b" * 10, timeout=10)
    parts = [{"e_tag": "0" * 32, "part_number": 1}, {"e_tag": "0" * 32, "part_number": 2}]
    wrong = api(embedded_server, [dict(complete, parts=parts)])
    assert wrong["exception"] == "ValidationError" and "e_tag" in wrong["content"]
    assert download(embedded_server, cid).status_code == 404
    unknown = api(
        embedded_server,
        [
            {
                "action": "complete_multipart_upload",
                "upload_id": "../../x",
                "component_id": cid,
                "parts": [],
            }
        ],
    )
    assert unknown["exception"] == "ValidationError"


def test_thumbnail_and_remove(embedded_server):
    cid = str(uuid.uuid4())
    jpeg = b"\xff\xd8\xff\xe0" + os.urandom(500)
    meta = upload_metadata(embedded_server, cid, jpeg, name="thumbnail.jpg")
    assert requests.put(meta["url"], data=jpeg, headers=meta["headers"], timeout=10).ok
    thumb = download(embedded_server, cid, path="/component/thumbnail")
    assert thumb.status_code == 200 and thumb.content == jpeg
    assert thumb.headers["content-type"] == "image/jpeg"
    removed = download(embedded_server, cid, path="/component/remove")
    assert removed.status_code == 200 and removed.json()["removed"] is True
    assert download(embedded_server, cid).status_code == 404


@pytest.mark.parametrize("size", [-1, "12", True, 10**15])
def test_bad_upload_sizes_are_refused(embedded_server, size):
    reply = api(
        embedded_server,
        [upload_request(str(uuid.uuid4()), "x", size)],
    )
    assert reply["exception"] == "ValidationError"


def test_failed_multipart_completion_writes_nothing_of_its_batch(embedded_server):
    """The JS client completes the upload in the same batch as the ComponentLocation create."""
    cid = str(uuid.uuid4())
    reply = api(
        embedded_server,
        [upload_request(cid, "c.bin", 4, parts=1)],
    )[0]
    put = requests.put(reply["urls"][0]["signed_url"], data=b"abcd", timeout=10)
    assert put.ok
    location_id = str(uuid.uuid4())
    creates = [
        create_component(cid, "c", file_type=".bin", size=4),
        create_server_location(location_id, cid),
    ]
    complete = {
        "action": "complete_multipart_upload",
        "upload_id": reply["upload_id"],
        "component_id": cid,
    }
    failed = api(
        embedded_server, [*creates, dict(complete, parts=[{"e_tag": "0" * 32, "part_number": 1}])]
    )
    assert failed["exception"] == "ValidationError" and "operation 3" in failed["content"]
    query = {
        "action": "query",
        "expression": f'select id from ComponentLocation where component_id is "{cid}"',
    }
    assert api(embedded_server, [query])[0]["data"] == []
    done = api(
        embedded_server,
        [*creates, dict(complete, parts=[{"e_tag": put.headers["etag"], "part_number": 1}])],
    )
    assert done[2]["component_id"] == cid
    assert api(embedded_server, [query])[0]["data"][0]["id"] == location_id
    assert download(embedded_server, cid).content == b"abcd"


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


@pytest.mark.slow
def test_large_upload_and_download_run_in_constant_memory(fresh_server):
    """256 MiB through the server must not raise its peak memory by more than a few MiB."""
    chunk = os.urandom(1024 * 1024)
    count = 256
    md5 = hashlib.md5()
    for _ in range(count):
        md5.update(chunk)
    cid = str(uuid.uuid4())
    reply = api(
        fresh_server,
        [
            upload_request(
                cid, "big.mov", len(chunk) * count, checksum=base64.b64encode(md5.digest()).decode()
            )
        ],
    )[0]
    before = peak_rss_kib(fresh_server.process.pid)
    put = requests.put(reply["url"], data=(chunk for _ in range(count)), timeout=300)
    assert put.status_code == 200, put.text
    with download(fresh_server, cid, stream=True) as got:
        assert got.status_code == 200
        received = hashlib.md5()
        for block in got.iter_content(1024 * 1024):
            received.update(block)
    assert received.hexdigest() == md5.hexdigest()
    grown_mib = (peak_rss_kib(fresh_server.process.pid) - before) / 1024
    assert grown_mib < 48, f"server peak memory grew by {grown_mib:.0f} MiB for a 256 MiB file"


def test_concurrent_uploads_and_commits(embedded_server):
    from concurrent.futures import ThreadPoolExecutor

    def one(index: int) -> str:
        cid = str(uuid.uuid4())
        data = os.urandom(50_000 + index)
        meta = upload_metadata(embedded_server, cid, data)
        assert requests.put(meta["url"], data=data, headers=meta["headers"], timeout=60).ok
        created = api(embedded_server, [create_component(cid, f"c{index}", size=len(data))])
        assert created[0]["data"]["id"] == cid
        assert download(embedded_server, cid).content == data
        return cid

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(one, range(24)))
    listed = ",".join(ids)
    found = api(
        embedded_server,
        [{"action": "query", "expression": f"select id from FileComponent where id in ({listed})"}],
    )
    assert len(found[0]["data"]) == 24


def test_sized_thumbnails_of_stills_and_movies(embedded_server, tmp_path):
    import subprocess

    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    sources = {
        "still.png": ["-f", "lavfi", "-i", "testsrc=size=400x300", "-frames:v", "1"],
        "clip.mp4": [
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x360:rate=24:duration=1",
            "-pix_fmt",
            "yuv420p",
        ],
    }
    for name, args in sources.items():
        path = tmp_path / name
        subprocess.run([ffmpeg, "-nostdin", "-y", "-v", "error", *args, str(path)], check=True)
        cid = str(uuid.uuid4())
        data = path.read_bytes()
        meta = upload_metadata(embedded_server, cid, data, name=name)
        assert requests.put(meta["url"], data=data, headers=meta["headers"], timeout=30).ok
        response = thumbnail(embedded_server, cid, "120")
        # as on ftrack: a PNG's thumbnail stays PNG, a movie's first frame is a JPEG
        media_type, codec = (
            ("image/png", "png") if name.endswith(".png") else ("image/jpeg", "mjpeg")
        )
        assert response.status_code == 200 and response.headers["content-type"] == media_type
        thumb = tmp_path / f"{name}.jpg"
        thumb.write_bytes(response.content)
        entries = ["-show_entries", "stream=width,codec_name"]
        probe = subprocess.run(
            ["ffprobe", "-v", "error", *entries, "-of", "json", str(thumb)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert json.loads(probe.stdout)["streams"][0] == {"codec_name": codec, "width": 120}
    bad = thumbnail(embedded_server, cid, "-3")
    assert bad.status_code == 400


def test_a_widget_link_is_not_an_upload_link(embedded_server):
    reply = api(embedded_server, [{"action": "get_widget_url", "name": "info"}])[0]
    token = reply["widget_url"].split("token=", 1)[1]
    cid = str(uuid.uuid4())
    response = requests.put(
        f"{embedded_server.url}/file-upload/{cid}?token={token}", data=b"x", timeout=10
    )
    assert response.status_code == 403
    assert download(embedded_server, cid).status_code == 404


def test_old_uploads_never_committed_are_removed_at_start(fresh_server):
    """A publish that uploaded and then rolled back leaves a file nobody refers to."""
    orphan, kept = str(uuid.uuid4()), str(uuid.uuid4())
    for cid in (orphan, kept):
        meta = upload_metadata(fresh_server, cid, b"bytes")
        assert requests.put(meta["url"], data=b"bytes", headers=meta["headers"], timeout=10).ok
    api(fresh_server, [create_component(kept, "kept", size=5)])
    fresh = str(uuid.uuid4())
    meta = upload_metadata(fresh_server, fresh, b"bytes")
    assert requests.put(meta["url"], data=b"bytes", headers=meta["headers"], timeout=10).ok
    two_days_ago = time.time() - 2 * 24 * 3600
    for cid in (orphan, kept):
        os.utime(fresh_server.data_dir / "files" / cid, (two_days_ago, two_days_ago))
    fresh_server.stop()
    fresh_server.start()
    assert download(fresh_server, orphan).status_code == 404
    assert download(fresh_server, kept).content == b"bytes"
    assert download(fresh_server, fresh).content == b"bytes"  # recent: its commit may still come


def test_interrupted_upload_leaves_nothing_visible(embedded_server):
    import socket
    from urllib.parse import urlsplit

    cid = str(uuid.uuid4())
    meta = upload_metadata(embedded_server, cid, b"x" * 100_000, checksum=False)
    parts = urlsplit(meta["url"])
    incoming = embedded_server.data_dir / "files" / ".incoming"
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            f"PUT {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Content-Length: 100000\r\n\r\n".encode()
            + b"x" * 30_000
        )
        deadline = time.monotonic() + 60  # the server is writing the partial upload
        while not list(incoming.glob(f"{cid}*")):
            assert time.monotonic() < deadline, "the partial upload never reached the disk"
            time.sleep(0.05)
    deadline = time.monotonic() + 60
    while list(incoming.glob(f"{cid}*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(incoming.glob(f"{cid}*")) == []
    assert download(embedded_server, cid).status_code == 404
    # the same URL still works for a complete retry
    retry = requests.put(meta["url"], data=b"x" * 100_000, headers=meta["headers"], timeout=10)
    assert retry.status_code == 200
    assert download(embedded_server, cid).content == b"x" * 100_000


def test_file_of_a_committed_component_cannot_be_replaced(embedded_server):
    cid, location_id = str(uuid.uuid4()), str(uuid.uuid4())
    meta = upload_metadata(embedded_server, cid, b"original")
    assert requests.put(meta["url"], data=b"original", headers=meta["headers"], timeout=10).ok
    api(
        embedded_server,
        [
            create_component(cid, "main", size=8),
            create_server_location(location_id, cid),
        ],
    )
    refused = api(
        embedded_server,
        [upload_request(cid, "x.bin", 5)],
    )
    assert (
        refused["exception"] == "ValidationError"
        and "already in ftrack.server" in refused["content"]
    )
    assert download(embedded_server, cid).content == b"original"
