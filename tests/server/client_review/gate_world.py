"""A module's server and review session for the client-gate tests (passphrase, window, revoked
links): one server per module, the genuine ``ftrack_api`` client making the session, its links
spoken to over HTTP."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import requests
from support import genuine_sessions
from support.trust import call, start_server
from support.waiting import wait_until
from web.feedback_fixtures import Page, link, make_dailies, personal_link

#: the routes a client link reads (page, feedback, notes, presenter, whoami)
READS = ("", "/feedback", "/notes", "/presenter", "/whoami")


@contextlib.contextmanager
def gate_server(base: Path, *args: str, **env: str) -> Iterator[Any]:
    """A server of its own, started with ``env`` set (e.g. a low rate limit) and more
    ``ft-dcc server`` options in ``args`` (e.g. ``--database``, ``--workers``)."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        server = start_server(base, list(args))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    try:
        yield server
    finally:
        server.stop()


def tiny_png() -> bytes:
    """A 4 x 4 grey PNG (a version's thumbnail: one of the session's media)."""
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * 4 for _ in range(4))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) \
        + chunk(b"IEND", b"")  # fmt: skip


class Dailies:
    """A review session made by the genuine client (two versions, invitees Ann and Bob), one
    version with a thumbnail (a medium the page serves), and its links."""

    def __init__(self, server: Any, owner: Any, tmp: Path, **fields: Any) -> None:
        self.server = server
        self.owner = owner
        self.dailies = make_dailies(owner)
        self.session = self.dailies.review_session
        self.id = str(self.session["id"])
        picture = tmp / f"thumb-{uuid.uuid4().hex[:6]}.png"
        picture.write_bytes(tiny_png())
        version = self.dailies.objects[0]["asset_version"]
        self.thumbnail_id = str(version.create_thumbnail(str(picture))["id"])
        if fields:
            self.update(**fields)

    def update(self, **fields: Any) -> None:
        """Set ``fields`` of the session with the genuine client."""
        for name, value in fields.items():
            self.session[name] = value
        self.owner.commit()

    def invitee(self, name: str = "ann") -> Page:
        return link(self.owner, getattr(self.dailies, name))

    def room(self) -> Page:
        return link(self.owner, self.session)

    def personal(self) -> Page:
        return personal_link(self.owner, self.session)

    def media(self) -> str:
        return f"/media/{self.thumbnail_id}"


def make_owner(server: Any, tmp: Path) -> Iterator[Any]:
    """The genuine client session of the server's first user (closed at the end)."""
    with genuine_sessions(server, tmp / "cache") as make:
        yield make()


def raw_rows(server: Any, expression: str) -> List[Dict[str, Any]]:
    response = call(server, [{"action": "query", "expression": expression}])
    assert response.status_code == 200, response.text
    return list(response.json()[0]["data"])


def stored_session_row(server: Any, review_session_id: str) -> Dict[str, Any]:
    """The session's row as the database holds it (the SQLite file or the PostgreSQL database
    given by ``--database``, read directly)."""
    args = list(getattr(server, "extra_args", None) or [])
    if "--database" in args and args[args.index("--database") + 1].startswith("postgresql"):
        import psycopg
        from psycopg.rows import dict_row

        url = args[args.index("--database") + 1]
        with psycopg.connect(url, row_factory=dict_row) as connection:
            found = connection.execute(
                "select * from ft_review_session where id = %s", (review_session_id,)
            ).fetchone()
            assert found is not None, review_session_id
            return dict(found)
    database = Path(server.data_dir) / "ft_dcc.sqlite"
    with contextlib.closing(sqlite3.connect(str(database))) as connection:
        connection.row_factory = sqlite3.Row
        row = connection.execute(
            "select * from ft_review_session where id = ?", (review_session_id,)
        )
        return dict(row.fetchone())


def snapshot(server: Any, dailies: Dailies) -> Dict[str, List[Any]]:
    """What a review link could write: the session's notes, statuses, invitees and the session."""
    objects = ", ".join(f'"{o["id"]}"' for o in dailies.dailies.objects)
    expressions = {
        "session": f'select name, end_date, start_date, passphrase_enabled, availability '
                   f'from ReviewSession where id is "{dailies.id}"',
        "invitees": f'select id, name, email from ReviewSessionInvitee '
                    f'where review_session_id is "{dailies.id}"',
        "notes": f"select id, content from Note where parent_id in ({objects})",
        "statuses": f"select id, status from ReviewSessionObjectStatus "
                    f"where review_session_object_id in ({objects})",
    }  # fmt: skip
    return {name: sorted(raw_rows(server, e), key=repr) for name, e in expressions.items()}


def get(page: Page, route: str = "", cookies: Optional[Dict[str, str]] = None,
        **headers: str) -> requests.Response:  # fmt: skip
    """GET one of ``page``'s routes (streamed: ``/live`` answers at once, then is closed)."""
    with requests.get(page.base + route, params={"token": page.token}, cookies=cookies,
                      headers=headers, timeout=30, stream=True) as response:  # fmt: skip
        if response.status_code != 200 or not route.endswith("/live"):
            response.content  # noqa: B018 - read the body before the connection closes
        return response


def writes(dailies: Dailies) -> List[Any]:
    item = dailies.dailies.objects[0]["id"]
    return [
        ("/notes", {"object_id": item, "content": "through a gated link", "frame": 2}),
        ("/status", {"object_id": item, "status": "approved"}),
        ("/whoami", {"name": "Eve Gate", "email": "eve@gate.example"}),
    ]


def utc(days: float = 0.0, seconds: float = 0.0) -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days, seconds=seconds)


def audit_acts(server: Any, review_session_id: str, wanted: List[str]) -> List[Dict[str, Any]]:
    """The session's audit entries once every act of ``wanted`` is among them (an entry is
    written after its reply: waited for, at most 60 s)."""

    def entries() -> List[Dict[str, Any]]:
        answer = call(server, [{"action": "ft_dcc.audit", "review_session_id": review_session_id}])
        assert answer.status_code == 200, answer.text
        found: List[Dict[str, Any]] = answer.json()[0]["entries"]
        return found if set(wanted) <= {entry["act"] for entry in found} else []

    return wait_until(entries, f"the audit entries {wanted} of {review_session_id}")
