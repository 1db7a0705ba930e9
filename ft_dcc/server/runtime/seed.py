"""First start of a data dir: the API user and its key, and ``credentials.env``.

With ``$FTRACK_API_USER`` and ``$FTRACK_API_KEY`` both set, that user gets that key. Otherwise, the
first start generates a key, stores it hashed, writes ``DATA/credentials.env`` (mode 0600) with
``export FTRACK_SERVER/FTRACK_API_USER/FTRACK_API_KEY`` lines and hands the key back to be printed
once. ``add_user`` is ``ft-dcc user add`` (the first user is an Administrator, see
``permissions``).
"""

from __future__ import annotations

import getpass
import logging
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Tuple

from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.http.auth import KeyRing, generate_api_key
from ft_dcc.server.rules.permissions import ensure_role
from ft_dcc.server.store.store import Store

log = logging.getLogger(__name__)

DEFAULT_USER = "admin"
_SERVER_LINE = re.compile(r"^export FTRACK_SERVER=\S*$", re.M)
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+\-]{1,128}$")


class SeedError(ServerError):
    """Credentials could not be set up; the message says what to fix."""

    exception = "ValidationError"


@dataclass
class SeedResult:
    """The API user of this server; ``generated_key`` is set only when a key was just made."""

    username: str
    user_id: str
    generated_key: Optional[str] = None
    credentials_file: Optional[Path] = None


def check_username(name: str) -> str:
    if not USERNAME_RE.match(name or ""):
        raise SeedError(
            f"Invalid user name {name!r}: use letters, digits and . _ @ + - (at most 128)."
        )
    return name


def write_credentials(path: Path, server_url: str, username: str, api_key: str) -> Path:
    """Write ``export`` lines ready to ``source``; the file is created with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "# ft-dcc embedded server credentials (keep private)\n"
        f"export FTRACK_SERVER={server_url}\n"
        f"export FTRACK_API_USER={username}\n"
        f"export FTRACK_API_KEY={api_key}\n"
    )
    return _write_private(path, text)


def _write_private(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text`` at once, readable by its owner only (mode 0600)."""
    tmp = path.with_name(path.name + f".{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
    os.chmod(path, 0o600)
    return path


def readdress_credentials(path: Path, server_url: str) -> None:
    """Make the ``credentials.env`` at ``path`` (if any) name ``server_url``: a later start may
    serve another port than the one the file was written for (the first start's port taken, a
    new ``--port``). Its user and key lines are kept as they are."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return
    line = f"export FTRACK_SERVER={server_url}"
    updated = _SERVER_LINE.sub(lambda _found: line, text, count=1)
    if updated == text:
        return
    log.info("credentials.env now names %s", server_url)
    _write_private(path, updated)


def ensure_credentials(
    store: Store, keys: KeyRing, server_url: str, credentials_file: Path, environ: Mapping[str, str]
) -> SeedResult:
    """Seed the store and make sure its API user has a key (see the module docstring)."""
    env_user = environ.get("FTRACK_API_USER") or ""
    env_key = environ.get("FTRACK_API_KEY") or ""
    if env_user and env_key:
        username = check_username(env_user)
        user_id = store.ensure_seed(username)
        if keys.verify(username, env_key) is None:
            keys.set_key(username, user_id, env_key)
        return SeedResult(username, user_id)
    username = check_username(env_user or _default_username())
    user_id = store.ensure_seed(username)
    if keys.has_key(username):
        readdress_credentials(credentials_file, server_url)
        return SeedResult(username, user_id)
    api_key = generate_api_key()
    keys.set_key(username, user_id, api_key)
    path = write_credentials(credentials_file, server_url, username, api_key)
    return SeedResult(username, user_id, generated_key=api_key, credentials_file=path)


def _default_username() -> str:
    try:
        name = getpass.getuser()
    except Exception:
        return DEFAULT_USER
    return name if USERNAME_RE.match(name) else DEFAULT_USER


def add_user(
    store: Store, keys: KeyRing, username: str, api_key: Optional[str], admin: bool = False
) -> Tuple[str, str, str]:
    """Create (or reuse) the User ``username``, set its API key; returns (user_id, key, role).

    The first user of a server is an Administrator; ``admin`` makes this one an Administrator.
    """
    user_id = store.ensure_seed(check_username(username))
    with store.write_transaction() as connection:
        role = ensure_role(store, connection, user_id, admin=True if admin else None)
    key = api_key or generate_api_key()
    keys.set_key(username, user_id, key)
    return user_id, key, role
