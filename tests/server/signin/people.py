"""A browser's side of the sign-in, over HTTP: a person with a password, and a
``requests.Session`` that asks for pages and keeps its cookies as a browser does."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import attr
import requests
from support.cli import run_ft_dcc
from support.trust import add_api_user

PAGE = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@attr.s(auto_attribs=True)
class Signer:
    """A User with a password (and their API key)."""

    name: str
    user_id: str
    key: str
    password: str


def user_args(world: Any) -> List[str]:
    """``--data`` (and ``--database``) of the world's server, for ``ft-dcc user …``."""
    args = ["--data", str(world.server.data_dir)]
    if world.backend != "sqlite":
        args += ["--database", world.database_url]
    return args


def ft_dcc_user(world: Any, *args: str, password: Optional[str] = None) -> Any:
    """``ft-dcc user ARGS`` on the world's server (``password`` on standard input)."""
    given = None if password is None else password + "\n"
    return run_ft_dcc(["user", *args, *user_args(world)], env=dict(os.environ), input=given)


def password_on(server: Any, prefix: str, from_file: bool = False) -> Tuple[str, str]:
    """A new User of ``server`` (SQLite in its data dir) with a password set by ``ft-dcc user
    password NAME`` (``--password-stdin``, or ``--password-file`` with ``from_file``)."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    add_api_user(server, name)
    password = f"pw {uuid.uuid4().hex}"
    args = ["user", "password", name, "--data", str(server.data_dir)]
    given: Optional[str] = password + "\n"
    if from_file:
        path = Path(server.data_dir).parent / f"password-{name}"
        path.write_text(given, encoding="utf-8")
        path.chmod(0o600)
        args, given = [*args, "--password-file", str(path)], None
    else:
        args.append("--password-stdin")
    done = run_ft_dcc(args, env=dict(os.environ), input=given)
    assert done.returncode == 0, done.stderr
    return name, password


def new_signer(world: Any, prefix: str = "signer") -> Signer:
    """A new User with a password set by ``ft-dcc user password NAME --password-stdin``."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    user_id, key = add_api_user(world.server, name)
    password = f"pw {uuid.uuid4().hex}"
    done = ft_dcc_user(world, "password", name, "--password-stdin", password=password)
    assert done.returncode == 0, done.stderr
    return Signer(name, user_id, key, password)


def browser(world: Any) -> requests.Session:
    """A session that asks for pages and sends the same-origin headers a browser's form does."""
    session = requests.Session()
    session.headers.update(PAGE)
    session.headers["Origin"] = world.url
    return session


def sign_in(world: Any, session: requests.Session, name: str, password: str) -> requests.Response:
    """POST the sign-in form (no redirect followed)."""
    return session.post(f"{world.url}/signin", data={"username": name, "password": password},
                        allow_redirects=False, timeout=60)  # fmt: skip


def signs_in(world: Any, name: str, password: str) -> int:
    """The status of the sign-in form posted from a new browser (303: signed in)."""
    return sign_in(world, browser(world), name, password).status_code


def signed_in(world: Any, signer: Signer) -> Tuple[requests.Session, str]:
    """A browser signed in as ``signer`` and its CSRF token (read from ``/``'s page)."""
    session = browser(world)
    reply = sign_in(world, session, signer.name, signer.password)
    assert reply.status_code == 303, reply.text[:1000]
    return session, csrf_of(world, session)


def csrf_of(world: Any, session: requests.Session) -> str:
    page = session.get(f"{world.url}/", timeout=60)
    assert page.status_code == 200, page.text[:1000]
    found = CSRF_FIELD.search(page.text)
    assert found is not None, f"no CSRF token on the signed-in page: {page.text[:1000]}"
    return found.group(1)


def who(world: Any, session: requests.Session) -> Optional[str]:
    """The name ``/`` says the browser is signed in as (``None``: the sign-in form)."""
    page = session.get(f"{world.url}/", timeout=60)
    assert page.status_code == 200, page.text[:1000]
    found = re.search(r"signed in as <strong>([^<]+)</strong>", page.text)
    return found.group(1) if found else None


def cookie_header(reply: requests.Response) -> Dict[str, str]:
    """The attributes of the sign-in cookie a reply sets (lower-cased names)."""
    raw = reply.headers.get("set-cookie", "")
    parts = [part.strip() for part in raw.split(";")]
    name, _, value = parts[0].partition("=")
    found = {"name": name, "value": value}
    for part in parts[1:]:
        key, _, setting = part.partition("=")
        found[key.lower()] = setting or "yes"
    return found
