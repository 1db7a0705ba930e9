"""A module's server and review session for the client media tests (download policy and the
per-viewer watermark): one server per module; the genuine ``ftrack_api`` client makes a version
with a tiny review movie (16 frames, 320 x 180, H.264), a thumbnail and a source file, puts it
in a session with invitees Ann and Bob, and the tests speak to its links over HTTP."""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
import uuid
from pathlib import Path
from typing import AbstractSet, Any, Dict, Iterator, List, Optional, Set

import imageio_ffmpeg
import numpy as np
import requests
from support import genuine_sessions
from support.trust import call, start_server
from support.waiting import wait_until
from web.feedback_fixtures import Page

from .gate_world import Dailies

WIDTH, HEIGHT, FRAMES = 320, 180, 16


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
    )


def make_movie(path: Path) -> Path:
    """A flat mid-grey H.264 movie with a moving bar (so frames differ), +faststart."""
    graph = (
        f"color=c=0x808080:s={WIDTH}x{HEIGHT}:r=24,"
        "drawbox=x=t*200:y=20:w=20:h=20:c=white:t=fill"
    )
    ffmpeg("-f", "lavfi", "-i", graph, "-frames:v", str(FRAMES), "-c:v", "libx264",
           "-pix_fmt", "yuv420p", "-g", "8", "-movflags", "+faststart", str(path))  # fmt: skip
    return path


def decode_rgb(movie: bytes, scratch: Path) -> np.ndarray[Any, Any]:
    """Every frame of ``movie`` (bytes) as an array (frames, height, width, 3) of uint8."""
    scratch.mkdir(parents=True, exist_ok=True)
    source = scratch / f"{uuid.uuid4().hex}.mp4"
    source.write_bytes(movie)
    raw = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(source), "-f", "rawvideo",
         "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    frames = np.frombuffer(raw, dtype=np.uint8)
    return frames.reshape(-1, HEIGHT, WIDTH, 3)


def media_get(page: Page, component_id: str, range_header: Optional[str] = None,
              **params: str) -> requests.Response:  # fmt: skip
    headers = {"Range": range_header} if range_header else {}
    return requests.get(
        f"{page.base}/media/{component_id}",
        params={"token": page.token, **params},
        headers=headers,
        timeout=120,
    )


def whole_by_ranges(page: Page, component_id: str) -> bytes:
    """The whole file, read as a player does: consecutive range requests until the end."""
    data, total = b"", None
    while total is None or len(data) < total:
        reply = media_get(page, component_id, f"bytes={len(data)}-")
        assert reply.status_code == 206, (reply.status_code, reply.text[:200])
        total = int(reply.headers["Content-Range"].rsplit("/", 1)[1])
        assert reply.content, "an empty range reply"
        data += reply.content
    return data


def copy_made(folder: Path, before: AbstractSet[str] = frozenset()) -> str:
    """The one watermarked copy in ``folder`` (a component's) that is not in ``before``, once it
    is renamed to its place and listed in ``made.log``, once: a copy is served while it is made,
    so the reply carrying its last byte can come before that."""
    logged = folder / "made.log"

    def new() -> Set[str]:
        names = {p.name for p in folder.glob("[!.]*.mp4")} if folder.is_dir() else set()
        return names - set(before)

    def made() -> Set[str]:
        return new() & set(logged.read_text().splitlines()) if logged.is_file() else set()

    found = wait_until(made, "a new copy made and logged", timeout=300)
    assert len(found) == 1 and new() == found, ("one new copy", new(), found)
    (name,) = found
    assert logged.read_text().splitlines().count(name) == 1, "made more than once"
    return name


class MediaWorld(Dailies):
    """The gate tests' session and links (a version with a PNG thumbnail), its version's review
    movie and source file; the owner's genuine session."""

    def __init__(self, server: Any, owner: Any, tmp: Path) -> None:
        super().__init__(server, owner, tmp)
        self.tmp = tmp
        version = self.dailies.objects[0]["asset_version"]
        self.movie_path = make_movie(tmp / "review.mp4")
        self.movie_id = self.component(version, self.movie_path, "ftrackreview-mp4")
        source = tmp / "scene.blend"
        source.write_bytes(b"BLENDER-v300" + bytes(range(256)) * 64)
        self.source_path = source
        self.source_id = self.component(version, source, "source")

    def component(self, version: Any, path: Path, name: str) -> str:
        location = self.owner.query('Location where name is "ftrack.server"').one()
        component = self.owner.create_component(
            str(path), {"name": name, "version": version}, location=location
        )
        self.owner.commit()
        return str(component["id"])

    # -- settings --------------------------------------------------------------------------
    def set_setting(self, name: str, value: Optional[str]) -> None:
        """The owner sets (or with ``None`` removes) the session's ``review`` setting ``name``
        through /api, as ``ftrack_api`` would commit it (the key: parent_id, group, name)."""
        key = [self.id, "review", name]
        operations: List[Dict[str, Any]] = []
        if self.setting(name) is not None:
            operations.append(
                {"action": "delete", "entity_type": "EntitySetting", "entity_key": key}
            )
        if value is not None:
            operations.append({
                "action": "create",
                "entity_type": "EntitySetting",
                "entity_data": {"parent_id": self.id, "parent_type": "ReviewSession",
                                "group": "review", "name": name, "value": value},
            })  # fmt: skip
        if operations:
            reply = call(self.server, operations)
            assert reply.status_code == 200, reply.text

    def setting(self, name: str) -> Optional[str]:
        expression = (
            f'select value from EntitySetting where parent_id is "{self.id}" and name is "{name}"'
        )
        reply = call(self.server, [{"action": "query", "expression": expression}])
        assert reply.status_code == 200, reply.text
        rows = reply.json()[0]["data"]
        return str(rows[0]["value"]) if rows else None

    def stored_files(self) -> Dict[str, str]:
        """Every stored file outside the caches (path -> sha256)."""
        root = Path(self.server.data_dir) / "files"
        return {
            path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*"))
            if path.is_file() and not path.relative_to(root).as_posix().startswith(".")
        }


@contextlib.contextmanager
def watermarked_world(base: Path) -> Iterator[MediaWorld]:
    """A :class:`MediaWorld` on a server of its own under ``base``, its session's watermark on."""
    server = start_server(base)
    try:
        with genuine_sessions(server, base / "cache") as make:
            made = MediaWorld(server, make(), base)
            made.set_setting("watermark", "true")
            yield made
    finally:
        server.stop()
