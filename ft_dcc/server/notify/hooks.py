"""The studio's webhooks (``ft_dcc_webhook``): a URL, the topics it asked for, its signing secret
and whether it takes a Slack-compatible body. Administrators add, list and remove them (the
``/api`` action ``ft_dcc.webhook``, ``ft-dcc webhook``); the table is the server's own, never an
ftrack entity, so no query of ``/api`` reads it, and a listing never carries a secret.

A webhook's URL is any ``http(s)`` address the administrator gives, on the studio's network or
outside it: the server will ``POST`` to it. That is why only administrators add them (SECURITY.md,
"Webhooks").
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

import sqlalchemy as sa

from ft_dcc.server.common.errors import BadInput
from ft_dcc.server.model.database import one_statement
from ft_dcc.server.model.side_tables import SideTable
from ft_dcc.server.model.storage import write_transaction
from ft_dcc.server.notify.notices import TOPICS

TABLE = "ft_dcc_webhook"
#: the longest URL and secret kept
MOST_URL = 2000
MOST_SECRET = 500
#: a secret shorter than this is refused (a receiver checks the signature with it)
LEAST_SECRET = 8
#: the most webhooks a server keeps
MOST_HOOKS = 200


@dataclass(frozen=True)
class Webhook:
    id: str
    url: str
    topics: Tuple[str, ...]
    secret: str
    slack: bool
    created_by: str
    created: float

    def listed(self) -> Dict[str, object]:
        """As a listing shows it: never the secret."""
        return {"id": self.id, "url": self.url, "topics": list(self.topics), "slack": self.slack,
                "created_by": self.created_by, "created": self.created}  # fmt: skip


def check_url(url: object) -> str:
    """``url`` if it is an ``http``/``https`` URL with a host; ``BadInput`` saying what to give."""
    text = url.strip() if isinstance(url, str) else ""
    parts = urlsplit(text) if text and len(text) <= MOST_URL else None
    try:
        host = parts.hostname if parts else None
        parts.port if parts else None  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        host = None
    if parts is None or parts.scheme not in ("http", "https") or not host or any(
            c.isspace() or not c.isprintable() for c in text) or parts.username:  # fmt: skip
        raise BadInput(
            "url must be an http:// or https:// address with a host and no user or password, "
            "e.g. https://chat.studio.example/hooks/dailies (at most 2000 characters)."
        )
    return text


def check_topics(topics: object) -> Tuple[str, ...]:
    if not isinstance(topics, list) or not topics or not all(isinstance(t, str) for t in topics):
        raise BadInput(f"topics must be a list of one or more of: {', '.join(TOPICS)}.")
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise BadInput(f"{unknown[0][:60]!r} is not a topic; give one or more of: "
                       f"{', '.join(TOPICS)}.")  # fmt: skip
    return tuple(dict.fromkeys(topics))


def check_secret(secret: object) -> str:
    if not isinstance(secret, str) or not LEAST_SECRET <= len(secret) <= MOST_SECRET or any(
            not c.isprintable() for c in secret):  # fmt: skip
        raise BadInput(
            f"secret must be text of {LEAST_SECRET} to {MOST_SECRET} printable characters: "
            "the receiver checks each body's signature with it."
        )
    return secret


class Webhooks(SideTable):
    NAME = TABLE
    KEY = {"id": sa.String(32)}
    FIELDS = {
        "url": sa.Text, "topics": sa.Text, "secret": sa.Text, "slack": sa.Boolean,
        "created_by": sa.String(255), "created": sa.Float,
    }  # fmt: skip

    def add(self, url: str, topics: Sequence[str], secret: str, slack: bool, by: str) -> Webhook:
        hook = Webhook(uuid.uuid4().hex, url, tuple(topics), secret, slack, by, time.time())
        with write_transaction(self.engine) as connection:  # reads, then writes: the lock first
            have = connection.execute(sa.select(sa.func.count()).select_from(self.table)).scalar()
            if int(have or 0) >= MOST_HOOKS:
                raise BadInput(f"This server has {MOST_HOOKS} webhooks, the most it keeps; "
                               "remove one first (ft-dcc webhook remove ID).")  # fmt: skip
            connection.execute(sa.insert(self.table).values(
                id=hook.id, url=hook.url, topics=",".join(hook.topics), secret=hook.secret,
                slack=hook.slack, created_by=by, created=hook.created))  # fmt: skip
        return hook

    def remove(self, hook_id: str) -> bool:
        with write_transaction(self.engine) as connection:
            return bool(connection.execute(
                sa.delete(self.table).where(self.table.c.id == hook_id)).rowcount)  # fmt: skip

    def all(self) -> List[Webhook]:
        with one_statement(self.engine) as connection:
            rows = connection.execute(sa.select(self.table).order_by(self.table.c.created)).all()
        return [Webhook(r.id, r.url, tuple(t for t in r.topics.split(",") if t), r.secret,
                        bool(r.slack), r.created_by, float(r.created)) for r in rows]  # fmt: skip

    def listening(self) -> List[Webhook]:
        """Every webhook (each event goes to those whose topics name it)."""
        return self.all()

    def get(self, hook_id: str) -> Optional[Webhook]:
        return next((h for h in self.all() if h.id == hook_id), None)
