"""A review session made with the genuine ``ftrack_api`` client, its links, and drawn PNGs."""

from __future__ import annotations

import base64
import datetime as dt
import struct
import subprocess
import uuid
import zlib
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

import attr
import imageio_ffmpeg
import requests

#: The drawing: a 64 x 36 transparent canvas with an opaque red horizontal stroke on rows 16-19.
CANVAS = (64, 36)
STROKE_ROWS = range(16, 20)
STROKE_RGBA = (230, 20, 30, 255)


@attr.s(auto_attribs=True)
class Dailies:
    review_session: Any
    objects: List[Any]
    ann: Any
    bob: Any


def make_dailies(session: Any, *, private: bool = False) -> Dailies:
    """A project with two versions in an open review session, and two invitees."""
    name = f"fb{uuid.uuid4().hex[:8]}"
    project = session.create(
        "Project",
        {"name": name, "full_name": name, "project_schema": session.query("ProjectSchema").first()},
    )
    asset_type = session.query('AssetType where short is "upload"').one()
    asset = session.create("Asset", {"name": "sh010_anim", "parent": project, "type": asset_type})
    versions = [session.create("AssetVersion", {"asset": asset}) for _ in range(2)]
    data: Dict[str, Any] = {
        "name": "Dailies",
        "project": project,
        "end_date": dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1),
    }
    if private:
        data["shareable_url_enabled"] = False
    review_session = session.create("ReviewSession", data)
    objects = [
        session.create(
            "ReviewSessionObject",
            {
                "review_session": review_session,
                "asset_version": version,
                "name": "sh010_anim",
                "version": f"v{index:03d}",
                "sort_order": index,
            },
        )
        for index, version in enumerate(versions, 1)
    ]
    ann, bob = (
        session.create(
            "ReviewSessionInvitee",
            {"review_session": review_session, "name": who, "email": f"{who.lower()}-{name}@x.org"},
        )
        for who in ("Ann Lee", "Bob Ray")
    )
    session.commit()
    return Dailies(review_session=review_session, objects=objects, ann=ann, bob=bob)


class Page:
    """The review routes of one link (``get_widget_url``), spoken to over HTTP."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.base = f"{parts.scheme}://{parts.netloc}{parts.path}"
        self.token = parse_qs(parts.query)["token"][0]
        self.origin = f"{parts.scheme}://{parts.netloc}"

    def get(self, route: str = "", token: Optional[str] = None) -> requests.Response:
        params = {"token": self.token if token is None else token}
        return requests.get(self.base + route, params=params, timeout=30)

    def post(self, route: str, body: Any) -> requests.Response:
        kwargs: Dict[str, Any] = (
            {"data": body} if isinstance(body, (bytes, str)) else {"json": body}
        )
        return requests.post(self.base + route, params={"token": self.token}, timeout=60, **kwargs)

    def feedback(self) -> Dict[str, Any]:
        response = self.get("/feedback")
        assert response.status_code == 200, response.text
        return response.json()


def link(session: Any, entity: Any) -> Page:
    """``entity``'s link: a session's shared room link, or an invitee's own."""
    return Page(session.get_widget_url("review_session", entity=entity))


def another_user(server: Any, make: Any, prefix: str = "mallory") -> Any:
    """A genuine session of a new User of ``server`` (``make`` of ``support.genuine_sessions``)."""
    from support.trust import add_api_user

    name = f"{prefix}{uuid.uuid4().hex[:6]}"
    _user_id, key = add_api_user(server, name)
    return make(api_user=name, api_key=key)


def personal_url(session: Any, entity: Any, **more: Any) -> str:
    """The caller's own link to the session ``entity`` (``purpose: "personal"``): it acts as
    the caller (``ft-dcc review open``)."""
    operation = dict(
        action="get_widget_url", name="review_session", entity_type=entity.entity_type,
        entity_key=[entity["id"]], purpose="personal", **more,
    )  # fmt: skip
    return str(session.call([operation])[0]["widget_url"])


def personal_link(session: Any, entity: Any, **more: Any) -> Page:
    """:func:`personal_url`'s routes."""
    return Page(personal_url(session, entity, **more))


def png_rgba(width: int, height: int, pixel: Any) -> bytes:
    """A real RGBA PNG (8 bit, no interlace) whose pixel (x, y) is ``pixel(x, y)``."""
    raw = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def stroke_png() -> bytes:
    return png_rgba(
        *CANVAS, lambda x, y: STROKE_RGBA if y in STROKE_ROWS and 4 <= x < 60 else (0, 0, 0, 0)
    )


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def decode_rgba(png: bytes) -> Tuple[int, int, bytes]:
    """(width, height, RGBA bytes) of a PNG, decoded by ffmpeg (not by the code under test)."""
    width, height = struct.unpack(">II", png[16:24])
    result = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
         "-f", "png_pipe", "-i", "-", "-f", "rawvideo", "-pix_fmt", "rgba", "-"],
        input=png, capture_output=True, check=True,
    )  # fmt: skip
    return width, height, result.stdout


def pixel(decoded: Tuple[int, int, bytes], x: int, y: int) -> Tuple[int, ...]:
    width, _height, rgba = decoded
    offset = (y * width + x) * 4
    return tuple(rgba[offset : offset + 4])


def component_bytes(session: Any, component: Any, server: Optional[Any] = None) -> bytes:
    """A component's file through the genuine client's ``ftrack.server`` location URL."""
    location = session.query('Location where name is "ftrack.server"').one()
    url = location.get_url(component)
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, (url, response.status_code)
    return response.content
