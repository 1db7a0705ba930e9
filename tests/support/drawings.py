"""A reviewer's drawing held over frames, made through the review page's own API, and a newer
version published after the review, for the tests of drawings back in the DCC.

:func:`seed_drawing` runs :func:`support.feedback.seed_feedback` (v001, v002 reviewed in
"Feedback"), then has invitee Ana draw on v002 over frames 1004-1008 (a real PNG: a thick red
cross on transparency, 320 x 180) and publishes v003 into the same session, unreviewed: the DCC
views then show v002's feedback marked "addressed in v003?".
"""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any, Dict
from urllib.parse import parse_qs, urlsplit

import requests

from ft_dcc.review import sessions as review
from support.feedback import seed_feedback

FIRST, LAST = 1004, 1008  # the frames the drawing is held over
SIZE = (320, 180)
RED = (255, 40, 40, 255)


def cross_png(width: int = SIZE[0], height: int = SIZE[1]) -> bytes:
    """An RGBA PNG: a red cross 12 px thick through the centre, transparent elsewhere."""

    def pixel(x: int, y: int) -> bytes:
        on = abs(x - width // 2) < 6 or abs(y - height // 2) < 6
        return bytes(RED if on else (0, 0, 0, 0))

    raw = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def seed_drawing(session: Any, project: Any, task: Any) -> Dict[str, Any]:
    """See the module docstring; returns seed_feedback's ids plus the drawn note's and v003's."""
    seeded = seed_feedback(session, project, task)
    target = seeded["review_session"]
    invitee = session.query(
        f'ReviewSessionInvitee where review_session_id is "{target["id"]}" '
        'and email is "ana@studio.com"'
    ).one()
    url = session.get_widget_url("review_session", entity=invitee)
    parts = urlsplit(url)
    item = session.query(
        f'ReviewSessionObject where review_session_id is "{target["id"]}" '
        f'and version_id is "{seeded["v002"]}"'
    ).one()
    png = "data:image/png;base64," + base64.b64encode(cross_png()).decode("ascii")
    drawn = requests.post(
        f"{parts.scheme}://{parts.netloc}{parts.path}/annotations",
        params={"token": parse_qs(parts.query)["token"][0]},
        json={"object_id": item["id"], "frame": FIRST, "frame_out": LAST, "png": png,
              "content": "hold the pose"},
        timeout=60,
    )  # fmt: skip
    assert drawn.status_code == 201, drawn.text
    v002 = session.get("AssetVersion", seeded["v002"])
    v003 = session.create(
        "AssetVersion", {"asset_id": v002["asset_id"], "task_id": task["id"], "version": 3}
    )
    session.commit()
    newer = review.add_version(session, target, v003)
    return dict(seeded, note_id=drawn.json()["id"], v003=v003["id"], v003_object=newer["id"],
                v002_object=item["id"])  # fmt: skip
