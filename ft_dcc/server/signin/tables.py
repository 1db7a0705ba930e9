"""The sign-in's side tables: passwords, signed-in browsers and one-time sign-in links.

None of them is an ftrack entity type, so no ``/api`` query, echo or event can name them.

- ``ft_dcc_password`` (:class:`Passwords`): one row per User with a password, its salted scrypt
  hash (``rules.passphrase.hash_passphrase``: N=2**14, r=8, p=1, a 16-byte random salt, 32 bytes
  derived; ~50 ms and 16 MB per check). The password itself is never stored or logged.
- ``ft_dcc_signin`` (:class:`SignIns`): one row per signed-in browser, keyed by the SHA-256 of
  the random id its cookie holds (the cookie's value is never stored), with its User and when it
  ends. A row counts only while its User exists and is active (joined in the same statement).
- ``ft_dcc_signin_link`` (:class:`OneTimeLinks`): one row per sign-in link an administrator
  printed, keyed by the SHA-256 of its token, deleted by the one use that consumes it, and with
  every other link of its User when their password changes or they are deactivated or made
  active again (a link counts only while its User is active, read with it).
- ``ft_dcc_signin_reset`` (:class:`Resets`): the sign-ins a one-time link made, which may set a
  password without giving the old one (keyed as ``ft_dcc_signin``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import NamedTuple, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ft_dcc.server.identity.signins import SIGNIN_TABLE
from ft_dcc.server.model.side_tables import SideTable
from ft_dcc.server.model.storage import write_transaction

PASSWORD_TABLE = "ft_dcc_password"
LINK_TABLE = "ft_dcc_signin_link"
RESET_TABLE = "ft_dcc_signin_reset"


def now() -> dt.datetime:
    """The time as the tables store it (UTC, naive)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def digest(secret: str) -> str:
    """What a table keeps of a cookie's id or a link's token: its SHA-256 (hex)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret() -> str:
    """A new random id or token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


class Passwords(SideTable):
    """Users' password hashes."""

    NAME = PASSWORD_TABLE
    KEY = {"user_id": sa.String(255)}
    FIELDS = {"hash": sa.String(255), "updated_at": sa.DateTime}

    def stored(self, user_id: str) -> Optional[str]:
        """``user_id``'s stored hash (``None``: no password set)."""
        query = sa.select(self.table.c.hash).where(self.table.c.user_id == user_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return str(row[0]) if row is not None else None

    def set(self, user_id: str, hashed: str) -> None:
        """Store ``hashed`` as ``user_id``'s only password."""
        table = self.table
        with write_transaction(self.engine) as connection:
            connection.execute(sa.delete(table).where(table.c.user_id == user_id))
            connection.execute(
                sa.insert(table).values(user_id=user_id, hash=hashed, updated_at=now())
            )


def of_active_user(table: sa.Table, users: sa.Table, *columns: sa.Column) -> sa.Select:
    """``columns`` of ``table``'s row whose ``id`` is bound as ``id``, only while the User of
    its ``user_id`` exists and is active (joined in the same statement)."""
    return (
        sa.select(*columns)
        .select_from(table.join(users, users.c.id == table.c.user_id))
        .where(table.c.id == sa.bindparam("id"), users.c.is_active.isnot(False))
    )


class SignedIn(NamedTuple):
    """A signed-in browser's row, with its User's name (only while that User is active)."""

    user_id: str
    username: str
    expires_at: dt.datetime


class SignIns(SideTable):
    """Signed-in browsers, by the digest of their cookie's id."""

    NAME = SIGNIN_TABLE
    KEY = {"id": sa.String(64)}
    FIELDS = {"user_id": sa.String(255), "created_at": sa.DateTime, "expires_at": sa.DateTime}
    INDEXED = ("user_id",)

    def __init__(self, engine: Engine, metadata: sa.MetaData, users: sa.Table) -> None:
        super().__init__(engine, metadata)
        table = self.table
        self._users = users
        self._query = of_active_user(table, users, table.c.user_id, users.c.username,
                                     table.c.expires_at)  # fmt: skip

    def open(self, user_id: str, lifetime: dt.timedelta) -> str:
        """A new sign-in of ``user_id``: the id its cookie holds (stored only as its digest)."""
        raw, started = new_secret(), now()
        row = {"id": digest(raw), "user_id": user_id, "created_at": started,
               "expires_at": started + lifetime}  # fmt: skip
        with write_transaction(self.engine) as connection:
            connection.execute(sa.delete(self.table).where(self.table.c.expires_at < started))
            connection.execute(sa.insert(self.table).values(**row))
        return raw

    def find(self, session_id: str) -> Optional[SignedIn]:
        """The sign-in stored under ``session_id`` (a digest), while it lasts and its User is
        active; else ``None``."""
        with self.engine.connect() as connection:
            row = connection.execute(self._query, {"id": session_id}).first()
        if row is None or row[2] <= now():
            return None
        return SignedIn(str(row[0]), str(row[1] or ""), row[2])

    def end(self, session_id: str) -> Optional[str]:
        """End the sign-in stored under ``session_id``; its User's id (``None``: none was)."""
        table = self.table
        with write_transaction(self.engine) as connection:
            row = connection.execute(
                sa.select(table.c.user_id).where(table.c.id == session_id)
            ).first()
            connection.execute(sa.delete(table).where(table.c.id == session_id))
        return str(row[0]) if row is not None else None

    def end_inactive(self, user_id: Optional[str] = None) -> int:
        """End the sign-ins of Users deactivated or deleted (of ``user_id`` only, when given):
        made active again, a User signs in anew. How many ended."""
        table, users = self.table, self._users
        active = sa.select(users.c.id).where(users.c.is_active.isnot(False))
        ended = sa.delete(table).where(table.c.user_id.notin_(active.scalar_subquery()))
        if user_id is not None:
            ended = ended.where(table.c.user_id == user_id)
        with write_transaction(self.engine) as connection:
            return int(connection.execute(ended).rowcount or 0)

    def end_all(self, user_id: str) -> int:
        """End every sign-in of ``user_id`` (a new password); how many there were."""
        with write_transaction(self.engine) as connection:
            done = connection.execute(sa.delete(self.table).where(self.table.c.user_id == user_id))
        return int(done.rowcount or 0)


class Resets(SideTable):
    """Sign-ins made by a one-time link, which may set a new password without the old one (the
    administrator's link is the reset), until they end or set one."""

    NAME = RESET_TABLE
    KEY = {"id": sa.String(64)}
    FIELDS = {"expires_at": sa.DateTime}

    def allow(self, session_id: str, lifetime: dt.timedelta) -> None:
        started = now()
        with write_transaction(self.engine) as connection:
            connection.execute(sa.delete(self.table).where(self.table.c.expires_at < started))
            connection.execute(
                sa.insert(self.table).values(id=session_id, expires_at=started + lifetime)
            )

    def allowed(self, session_id: str) -> bool:
        table = self.table
        query = sa.select(table.c.id).where(table.c.id == session_id, table.c.expires_at > now())
        with self.engine.connect() as connection:
            return connection.execute(query).first() is not None

    def drop(self, session_id: str) -> None:
        with write_transaction(self.engine) as connection:
            connection.execute(sa.delete(self.table).where(self.table.c.id == session_id))


class OneTimeLinks(SideTable):
    """Sign-in links, each good for one use before it expires, while its User is active."""

    NAME = LINK_TABLE
    KEY = {"id": sa.String(64)}
    FIELDS = {"user_id": sa.String(255), "expires_at": sa.DateTime}
    INDEXED = ("user_id",)

    def __init__(self, engine: Engine, metadata: sa.MetaData, users: sa.Table) -> None:
        super().__init__(engine, metadata)
        table = self.table
        self._users = users
        self._query = of_active_user(table, users, table.c.user_id, table.c.expires_at)

    def make(self, user_id: str, lifetime: dt.timedelta) -> str:
        """A new link's token for ``user_id`` (stored only as its digest)."""
        token, started = new_secret(), now()
        with write_transaction(self.engine) as connection:
            connection.execute(sa.delete(self.table).where(self.table.c.expires_at < started))
            connection.execute(sa.insert(self.table).values(
                id=digest(token), user_id=user_id, expires_at=started + lifetime))  # fmt: skip
        return token

    def holder(self, token: str) -> Optional[str]:
        """The User ``token`` would sign in, while it is unused and unexpired (not used up)."""
        with self.engine.connect() as connection:
            row = connection.execute(self._query, {"id": digest(token)}).first()
        return str(row[0]) if row is not None and row[1] > now() else None

    def consume(self, token: str) -> Optional[str]:
        """Use ``token`` up: its User's id when it was unused and unexpired, else ``None``. Of
        two uses at once, one deletes the row and the other finds none."""
        table, key = self.table, digest(token)
        with write_transaction(self.engine) as connection:
            row = connection.execute(self._query, {"id": key}).first()
            done = connection.execute(sa.delete(table).where(table.c.id == key))
        if row is None or not done.rowcount or row[1] <= now():
            return None
        return str(row[0])

    def end_all(self, user_id: str) -> int:
        """End every link of ``user_id`` (a new password, deactivated or active again)."""
        with write_transaction(self.engine) as connection:
            done = connection.execute(sa.delete(self.table).where(self.table.c.user_id == user_id))
        return int(done.rowcount or 0)

    def end_inactive(self) -> int:
        """End the links of Users deactivated or deleted (notifications may have been missed)."""
        users = self._users
        active = sa.select(users.c.id).where(users.c.is_active.isnot(False))
        ended = sa.delete(self.table).where(self.table.c.user_id.notin_(active.scalar_subquery()))
        with write_transaction(self.engine) as connection:
            return int(connection.execute(ended).rowcount or 0)
