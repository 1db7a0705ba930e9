"""API users' keys (stored hashed), credential checks and the ftrack error shape.

A checked key is remembered only while no revocation arrived since (``grants.bus``: a key rotated,
a User deactivated or deleted, in any server process): never for a time. The memory is used only
when the bus reaches every process that can change keys (PostgreSQL, where ``ft-dcc user add``
tells the servers too); on SQLite every request reads its key row, joined to its User's
``is_active`` in the same statement (a key changed by another process, e.g. ``ft-dcc user add``,
works at once, and a deactivated User's stops).

Every ``/api`` call carries ``ftrack-user`` and ``ftrack-api-key``; downloads carry ``username`` and
``apiKey`` query parameters instead. Keys are stored as salted SHA-256 digests in the table
``ft_dcc_api_key`` on the store's metadata; a key is never written to disk or a log in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from typing import Callable, Dict, Mapping, NamedTuple, Optional, Set, Tuple, TypedDict

import sqlalchemy as sa
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from ft_dcc.protocol import HEADER_API_KEY as HEADER_API_KEY  # the /api routes read them here
from ft_dcc.protocol import HEADER_STRICT
from ft_dcc.protocol import HEADER_USER as HEADER_USER
from ft_dcc.server.common.errors import error_text
from ft_dcc.server.grants.bus import EVERYTHING, USER, Revocation, RevocationBus, announce
from ft_dcc.server.grants.key import KeyGrant
from ft_dcc.server.identity.layer import Reader
from ft_dcc.server.identity.model import Door, Identity, Kind
from ft_dcc.server.limits import limiter
from ft_dcc.server.model.database import one_statement
from ft_dcc.server.model.side_tables import SideTable
from ft_dcc.server.model.storage import write_transaction

INVALID_CREDENTIALS = "InvalidCredentialsError"
KEY_TABLE = "ft_dcc_api_key"
#: keys remembered as proven right (beyond, the memory starts again)
MOST_PROVEN = 100_000


# -- the ftrack error shape --------------------------------------------------------------------
class ErrorPayload(TypedDict):
    """The body of an ftrack error reply."""

    exception: str
    content: str
    error_code: Optional[str]


def error_payload(exception: str, content: str, error_code: Optional[str] = None) -> ErrorPayload:
    """``{"exception", "content", "error_code"}`` as a real ftrack server sends it.

    Braces are replaced because the genuine client runs the message through ``str.format``.
    """
    return {"exception": exception, "content": error_text(content), "error_code": error_code}


def is_strict(headers: Mapping[str, str]) -> bool:
    """Whether the caller asked for HTTP error statuses (``ftrack-strict-api: true``)."""
    return str(headers.get(HEADER_STRICT, "")).strip().lower() in ("true", "1", "yes")


def error_response(
    exception: str, content: str, *, strict: bool, status: int = 400
) -> JSONResponse:
    """The error shape with HTTP 200, or with ``status`` when the caller is strict."""
    return JSONResponse(error_payload(exception, content), status_code=status if strict else 200)


def generate_api_key() -> str:
    """A new random API key (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(32)


class KeyRow(NamedTuple):
    """A key as stored, and whether its User exists and is active (True without a User table)."""

    user_id: str
    salt: str
    key_hash: str
    user_active: bool


def _key_query(keys: sa.Table, users: Optional[sa.Table]) -> sa.Select:
    """A username's key (bind parameter ``username``), joined to its User's id and
    ``is_active`` when there is a User table."""
    query = sa.select(keys.c.user_id, keys.c.salt, keys.c.key_hash)
    if users is not None:
        query = query.add_columns(users.c.id, users.c.is_active).select_from(
            keys.outerjoin(users, users.c.id == keys.c.user_id)
        )
    return query.where(keys.c.username == sa.bindparam("username"))


def _digest(salt: str, api_key: str) -> str:
    return hashlib.sha256((salt + ":" + api_key).encode("utf-8")).hexdigest()


class KeyRing(SideTable):
    """Hashed API keys of users, kept in the store's database."""

    NAME = KEY_TABLE

    KEY = {"username": sa.String(255)}
    FIELDS = {
        "user_id": sa.String(64), "salt": sa.String(64), "key_hash": sa.String(64),
        "updated_at": sa.DateTime,
    }  # fmt: skip

    def __init__(
        self,
        engine: sa.engine.Engine,
        metadata: sa.MetaData,
        revocations: Optional[RevocationBus] = None,
        users: Optional[sa.Table] = None,
    ) -> None:
        """``users``: the table holding Users (``permissions.user_table``); with it a key works
        only while its User exists and is active, read in the same statement as the key."""
        super().__init__(engine, metadata)
        #: (username, sha256 of key) -> grant: skips the look-up until a revocation arrives.
        self._verified: Dict[Tuple[str, str], KeyGrant] = {}
        #: (username, sha256 of key) this process found right: still checked, but no guess, so
        #: not rate limited (a stranger's wrong keys for a name do not lock its farm out)
        self._proven: Set[Tuple[str, str]] = set()
        self._usernames: Dict[str, str] = {}
        self._lock = threading.Lock()
        #: the statement of :meth:`_key_row`, built once (building it each time cost more than
        #: running it)
        self._key_query = _key_query(self.table, users)
        self.revocations = revocations
        if revocations is not None:
            revocations.subscribe(self._on_revocation)

    def _on_revocation(self, revocation: Revocation) -> None:
        if revocation.kind == EVERYTHING:
            with self._lock:
                self._verified.clear()
                self._usernames.clear()
        elif revocation.kind == USER:
            self.forget(revocation.subject)

    def _caching(self) -> bool:
        """Whether a checked key may be remembered: only while every revocation reaches us."""
        bus = self.revocations
        return bus is not None and bus.spans_processes and bool(getattr(bus, "listening", True))

    def set_key(self, username: str, user_id: str, api_key: str) -> None:
        """Store ``api_key`` (hashed) as the only key of ``username``; the old one stops working
        in every server process (revoked once this commits)."""
        salt = secrets.token_hex(16)
        row = {
            "username": username,
            "user_id": user_id,
            "salt": salt,
            "key_hash": _digest(salt, api_key),
            "updated_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
        }
        with write_transaction(self.engine) as conn:
            conn.execute(sa.delete(self.table).where(self.table.c.username == username))
            conn.execute(sa.insert(self.table).values(**row))
        with self._lock:
            self._verified = {k: v for k, v in self._verified.items() if k[0] != username}
        if self.revocations is not None:
            self.revocations.revoke(USER, user_id)
        else:  # a command's own ring (ft-dcc user add): tell the running servers
            announce(self.engine, USER, user_id)

    def forget(self, user_id: str) -> None:
        """Drop cached checks of ``user_id`` (its keys were revoked in the database)."""
        with self._lock:
            self._verified = {k: v for k, v in self._verified.items() if v.user_id != user_id}
            self._usernames.pop(user_id, None)

    def has_key(self, username: str) -> bool:
        with one_statement(self.engine) as conn:
            found = conn.execute(
                sa.select(self.table.c.username).where(self.table.c.username == username)
            ).first()
        return found is not None

    def count(self) -> int:
        with one_statement(self.engine) as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(self.table)).scalar() or 0
            )

    def username_for(self, user_id: str) -> Optional[str]:
        """The API user name of ``user_id`` (cached until a revocation of the user)."""
        with self._lock:
            cached = self._usernames.get(user_id)
        if cached:
            return cached
        with one_statement(self.engine) as conn:
            row = conn.execute(
                sa.select(self.table.c.username).where(self.table.c.user_id == user_id)
            ).first()
        if row is None:
            return None
        with self._lock:
            self._usernames[user_id] = row[0]
        return row[0]

    def verify(self, username: Optional[str], api_key: Optional[str]) -> Optional[str]:
        """The user id when ``api_key`` is ``username``'s key, else ``None``."""
        grant = self.grant(username, api_key)
        return grant.user_id if grant is not None else None

    def grant(self, username: Optional[str], api_key: Optional[str]) -> Optional[KeyGrant]:
        """What ``username``'s ``api_key`` grants, or ``None`` (wrong key, inactive user)."""
        if not username or not api_key:
            return None
        fingerprint = hashlib.sha256(api_key.encode("utf-8")).hexdigest()
        cache_key = (username, fingerprint)
        caching = self._caching()
        if caching:  # a key this process proved right (while it hears every revocation)
            with self._lock:
                cached = self._verified.get(cache_key)
            if cached is not None:
                return cached  # no guess: nothing to limit
        with self._lock:
            proven = cache_key in self._proven
        # a place taken before the key is judged: 429 while too many failures (limiter)
        held = limiter.Reservation() if proven else limiter.reserve(limiter.KEY, username)
        generation = self.revocations.generation if self.revocations is not None else 0
        grant = self._look_up(username, api_key)
        held.settle(grant is not None)
        if grant is not None and not proven:
            with self._lock:
                if len(self._proven) >= MOST_PROVEN:
                    self._proven.clear()
                self._proven.add(cache_key)
        if grant is None or not caching:
            return grant
        with self._lock:  # not when a revocation arrived during the look-up: it may be stale
            if self.revocations is not None and self.revocations.generation == generation:
                self._verified[cache_key] = grant
        return grant

    def _look_up(self, username: str, api_key: str) -> Optional[KeyGrant]:
        row = self._key_row(username)
        if row is None:
            return None
        if not hmac.compare_digest(_digest(row.salt, api_key), row.key_hash):
            return None
        if not row.user_active:
            return None  # a deactivated (or deleted) user's keys do not work
        return KeyGrant(username, row.user_id, row.key_hash)

    def holds(self, grant: KeyGrant) -> bool:
        """Whether ``grant`` still stands: the same key, of a user still active (database)."""
        row = self._key_row(grant.username)
        if row is None or row.user_id != grant.user_id:
            return False
        if not hmac.compare_digest(row.key_hash, grant.key_hash):
            return False
        return row.user_active

    def _key_row(self, username: str) -> Optional[KeyRow]:
        """``username``'s key row and whether its User may sign in: one statement (every
        request on SQLite makes it)."""
        with one_statement(self.engine) as conn:
            row = conn.execute(self._key_query, {"username": username}).first()
        if row is None:
            return None
        user: Tuple[object, ...] = tuple(row[3:])  # (User id, is_active) when joined
        active = not user or (user[0] is not None and user[1] is not False)
        return KeyRow(str(row[0]), str(row[1]), str(row[2]), active)


def invalid_credentials_message(username: Optional[str]) -> str:
    if not username:
        return (
            "The supplied API key is not valid: no API user was given. Send the ftrack-user and "
            "ftrack-api-key headers (set FTRACK_API_USER and FTRACK_API_KEY)."
        )
    return (
        f"The supplied API key is not valid for user '{username}'. Check FTRACK_API_USER and "
        "FTRACK_API_KEY, or add a key with 'ft-dcc user add'."
    )


# -- the API key's door of the authentication layer (ft_dcc.server.identity.layer) -------------
#: where an API key may also come in the URL: downloads (``?username=&apiKey=``, as ftrack's
#: ``ServerLocation`` makes them) and the event hub's handshake (``?api_user=&api_key=``)
URL_KEY_FORMS = (("/component/", "username", "apiKey"), ("/socket.io/", "api_user", "api_key"))


def _presented_key(conn: HTTPConnection) -> Tuple[Optional[str], Optional[str], bool]:
    """(user name, key, whether they came in the URL) as the request presents them."""
    headers = conn.headers
    if HEADER_USER in headers or HEADER_API_KEY in headers:
        return headers.get(HEADER_USER), headers.get(HEADER_API_KEY), False
    path = conn.scope.get("path", "")
    for prefix, user_field, key_field in URL_KEY_FORMS:
        if path.startswith(prefix) and (user_field in conn.query_params
                                        or key_field in conn.query_params):  # fmt: skip
            return conn.query_params.get(user_field), conn.query_params.get(key_field), True
    return None, None, False


def carries_key(conn: HTTPConnection) -> bool:
    """Whether the request presents an API key (or a user name for one)."""
    username, api_key, _ = _presented_key(conn)
    return username is not None or api_key is not None


#: what checks a presented key: ``KeyRing.grant``
Grant = Callable[[Optional[str], Optional[str]], Optional[KeyGrant]]


def key_reader(grant_of: Grant) -> Reader:
    """The API key's door: a User (:attr:`Kind.USER`) when the key is the user's and the User
    active; else anonymous at this door, with the name it gave (the route says what to fix). Too
    many wrong keys for a name: 429 before any route (``limiter``)."""

    def resolve(conn: HTTPConnection) -> Identity:
        username, api_key, in_url = _presented_key(conn)
        grant = grant_of(username, api_key)
        if grant is None:
            return Identity(Kind.ANONYMOUS, door=Door.API_KEY, username=username,
                            key_in_url=in_url)  # fmt: skip
        return Identity(Kind.USER, user_id=grant.user_id, username=username, door=Door.API_KEY,
                        grant=grant, key_in_url=in_url)  # fmt: skip

    # on the event loop, as the API's own check always was: a worker thread's hop cost more
    # than the check (a cached grant; on SQLite one indexed read)
    return Reader("api key", carries_key, resolve, blocking=False)
