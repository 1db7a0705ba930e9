"""What the notification tests share: a review of Mallory's version made by Alice (her
personal link), a webhook receiver on 127.0.0.1, and what they read of the server's tables."""

from __future__ import annotations

import http.server
import threading
from typing import Any, Dict, List, NamedTuple, Tuple

import sqlalchemy as sa
from support.insiders import personal_widget, publication, token_of
from support.trust import create, new_id, ok


class Dailies(NamedTuple):
    """Alice's review session of Mallory's new version: one item, Alice's personal link."""

    session: str
    item: str
    token: str
    published: Dict[str, str]


def dailies(world: Any, *more: Any) -> Dailies:
    """Mallory publishes; Alice makes a session with the version (and ``more`` creates, e.g. an
    invitee: ``more`` entries are called with (session id) and return a create)."""
    published = publication(world, world.mallory)
    session, item = new_id(), new_id()
    ok(world.server, [
        create("ReviewSession", id=session, name="Dailies", project_id=published["project"]),
        create("ReviewSessionObject", id=item, name="sh010", review_session_id=session,
               version_id=published["version"], sort_order=1),
        *(make(session) for make in more),
    ], **world.alice.auth)  # fmt: skip
    return Dailies(session, item, token_of(personal_widget(world, world.alice, session)), published)


def count(world: Any, table: str, where: str = "") -> int:
    engine = sa.create_engine(world.database_url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql(f"select count(*) from {table} {where}").scalar())
    finally:
        engine.dispose()


def settled(world: Any) -> bool:
    """Every notice expanded, every digest queued and every queued mail sent."""
    return (
        count(world, "ft_dcc_notice") == 0
        and count(world, "ft_dcc_digest_item") == 0
        and count(world, "ft_dcc_mail", "where state in ('queued', 'sending')") == 0
    )


def unsettled(world: Any) -> str:
    """What :func:`settled` still waits for."""
    return (
        f"{count(world, 'ft_dcc_notice')} notices, {count(world, 'ft_dcc_digest_item')} digest "
        f"items, {count(world, 'ft_dcc_mail', 'where state = ' + repr('queued'))} mails queued "
        f"and {count(world, 'ft_dcc_mail', 'where state = ' + repr('sending'))} being sent wait"
    )


class Receiver:
    """A webhook receiver on 127.0.0.1: answers ``statuses`` in turn (then 200), keeps every
    request's headers and raw body."""

    def __init__(self, statuses: List[int]) -> None:
        self.statuses = list(statuses)
        self.got: List[Tuple[Dict[str, str], bytes, int]] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = owner.statuses.pop(0) if owner.statuses else 200
                owner.got.append(({k.lower(): v for k, v in self.headers.items()}, body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
