"""The hostile-insider world: an administrator, a User "alice" and a User "mallory"
on a real ``ft-dcc server`` (SQLite, or PostgreSQL with 4 workers), and what the tests need to
prove a refusal: the reply says what to do, and no database row and no stored file changed.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import attr
import requests
import sqlalchemy as sa

from support.db_reading import reading
from support.trust import (
    SERVER_LOCATION_ID,
    add_api_user,
    call,
    create,
    make_task,
    new_id,
    ok,
    start_server,
    update,
    user_id_of,
)

#: A refusal's message must say what to do: name who may, or what to do instead.
WHAT_TO_DO = re.compile(
    r"\b(ask|only|owner|creator|administrator|instead|first|send|use|give|at most|fewer|"
    r"split|smaller|less)\b",
    re.IGNORECASE,
)


@attr.s(auto_attribs=True)
class Person:
    id: str
    user: str
    key: str
    email: str = ""

    @property
    def auth(self) -> Dict[str, str]:
        return {"user": self.user, "key": self.key}


@attr.s(auto_attribs=True)
class World:
    """A running server and its three people."""

    server: Any
    backend: str
    database_url: str
    admin: Person
    alice: Person
    mallory: Person

    @property
    def url(self) -> str:
        return str(self.server.url)

    @property
    def files_root(self) -> Path:
        return Path(self.server.data_dir) / "files"


def make_world(
    base: Path, backend: str, database_url: Optional[str] = None, extra_args: Sequence[str] = ()
) -> World:
    """Start the server (``database_url`` None: SQLite in its data dir; ``extra_args``: more
    ``ft-dcc server`` options) and add alice, mallory."""
    args = [] if database_url is None else ["--database", database_url, "--workers", "4"]
    args += list(extra_args)
    server = start_server(base, args)
    url = database_url or f"sqlite:///{server.data_dir / 'ft_dcc.sqlite'}"
    admin = Person(user_id_of(server, server.api_user), server.api_user, server.api_key)
    people = []
    for name in ("alice", "mallory"):
        user_id, key = add_api_user(server, name)
        email = f"{name}@studio.example"
        ok(server, [update("User", user_id, email=email)])
        people.append(Person(user_id, name, key, email))
    admin.email = "admin@studio.example"
    ok(server, [update("User", admin.id, email=admin.email)])
    return World(server, backend, url, admin, people[0], people[1])


# -- the state a refusal must leave alone ----------------------------------------------------------
@attr.s(auto_attribs=True)
class State:
    tables: Dict[str, List[str]]
    files: Dict[str, str]


#: Tables that change without any write of the caller (the event relay between workers; the
#: sign-in counters and open-socket counts the workers share on PostgreSQL, which a request's
#: sign-in counts in), and the review audit trail, which records a refused request by design
#: (``access.refused``), with its per-minute row counts shared by the workers on PostgreSQL;
#: and the notifier's queues, which its own thread works through after the writes committed
#: before (notices claimed and spent, digest items, webhook deliveries, the mail they queue):
#: a refused request commits nothing, so it leaves no notice (``ApiContext.on_committed``).
VOLATILE_TABLES = {
    "ft_dcc_event_relay", "event_relay", "ft_dcc_audit", "ft_dcc_limit",
    "ft_dcc_open_count", "ft_dcc_event_hub_id", "ft_dcc_audit_rows",
    "ft_dcc_notice", "ft_dcc_digest_item", "ft_dcc_webhook_delivery", "ft_dcc_webhook_attempt",
    "ft_dcc_mail",
}  # fmt: skip


def snapshot(world: World) -> State:
    """Every row of every table (sorted reprs) and every stored file (path -> sha256)."""
    with reading(world.database_url) as connection:
        names = sa.inspect(connection).get_table_names()
        kept = [n for n in names if n not in VOLATILE_TABLES and "relay" not in n]
        tables = _rows(connection, kept)
    files = {}
    for path in sorted(world.files_root.rglob("*")):
        relative = path.relative_to(world.files_root).as_posix()
        if path.is_file() and not relative.startswith(".thumbnails/"):
            files[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return State(tables, files)


def _rows(connection: sa.Connection, names: List[str]) -> Dict[str, List[str]]:
    """Each table's rows as the sorted reprs of their plain tuples: every value whole (a Row's
    repr cuts values over 300 characters) and made in C. Read on the driver's own cursor, as the
    driver gives them (SQLAlchemy's result machinery around a hundred statements took most of
    a snapshot's CPU). On PostgreSQL every table's ``select`` goes in one query string, one
    round trip (a result per statement, in order), not a hundred: 2.0 -> 0.2 ms of the test's
    CPU per snapshot of a hundred tables."""
    cursor = connection.connection.cursor()
    at_once = connection.dialect.name == "postgresql" and bool(names)
    try:
        if at_once:
            cursor.execute("; ".join(f'select * from "{name}"' for name in names))
        tables = {}
        for index, name in enumerate(names):
            if not at_once:
                cursor.execute(f'select * from "{name}"')
            elif index:
                cursor.nextset()
            tables[name] = sorted(repr(tuple(row)) for row in cursor.fetchall())
        return tables
    finally:
        cursor.close()


def assert_unchanged(world: World, before: State) -> None:
    after = snapshot(world)
    changed = [n for n in set(before.tables) | set(after.tables)
               if before.tables.get(n) != after.tables.get(n)]  # fmt: skip
    assert not changed, f"tables changed by a refused request: {sorted(changed)}"
    assert after.files == before.files, "the file store changed by a refused request"


# -- replies ---------------------------------------------------------------------------------------
def api_refused(response: requests.Response, status: int = 403) -> str:
    """The message of an ``/api`` refusal with ``status``; it must say what to do."""
    assert response.status_code == status, (response.status_code, response.text[:1500])
    body = response.json()
    message = str(body.get("content") or "")
    assert WHAT_TO_DO.search(message), f"the refusal does not say what to do: {message!r}"
    return message


def route_refused(response: requests.Response, statuses: Tuple[int, ...] = (403,)) -> str:
    """The message of a refusal from the file or review routes (JSON ``error`` or ``content``)."""
    assert response.status_code in statuses, (response.status_code, response.text[:1500])
    body = response.json()
    message = str(body.get("error") or body.get("content") or "")
    assert WHAT_TO_DO.search(message), f"the refusal does not say what to do: {message!r}"
    return message


# -- what alice owns -------------------------------------------------------------------------------
def location_row(component_id: str) -> Dict[str, Any]:
    ident = new_id()  # the key and the data name one id (the server refuses two)
    return {
        "action": "create",
        "entity_type": "ComponentLocation",
        "entity_key": [ident],
        "entity_data": {
            "__entity_type__": "ComponentLocation",
            "id": ident,
            "component_id": component_id,
            "location_id": SERVER_LOCATION_ID,
            "resource_identifier": component_id,
        },
    }


def stored_component(
    world: World, who: Person, version_id: str, payload: bytes, name: str, file_name: str
) -> str:
    """Upload ``payload`` and commit it as ``who``'s component ``name`` of ``version_id``."""
    component_id = new_id()
    response = upload_named(world, who, component_id, payload, file_name)
    assert response.status_code == 200, response.text
    ok(world.server, [create("FileComponent", id=component_id, name=name, version_id=version_id,
                             file_type=Path(file_name).suffix),
                      location_row(component_id)], **who.auth)  # fmt: skip
    return component_id


def upload_named(
    world: World, who: Person, component_id: str, payload: bytes, file_name: str
) -> requests.Response:
    import base64

    checksum = base64.b64encode(hashlib.md5(payload).digest()).decode("ascii")
    meta = ok(world.server, [{"action": "get_upload_metadata", "component_id": component_id,
                              "file_name": file_name, "file_size": len(payload),
                              "checksum": checksum}], **who.auth)[0]  # fmt: skip
    return requests.put(meta["url"], data=payload, headers=meta["headers"], timeout=60)


def publication(
    world: World, who: Person, project: Optional[Dict[str, str]] = None
) -> Dict[str, str]:
    """``who``'s asset, version, movie and thumbnail on a task (a new project by default)."""
    task = project or make_task(world.server)
    ids = dict(task, asset=new_id(), version=new_id())
    ok(world.server, [
        create("Asset", id=ids["asset"], name="a" + ids["asset"][:6], context_id=task["shot"]),
        create("AssetVersion", id=ids["version"], asset_id=ids["asset"], task_id=task["task"]),
    ], **who.auth)  # fmt: skip
    ids["movie"] = stored_component(world, who, ids["version"], b"movie-bytes" * 100, "main",
                                    "movie.mp4")  # fmt: skip
    ids["thumbnail"] = stored_component(world, who, ids["version"], b"\xff\xd8\xff" + b"j" * 64,
                                        "thumbnail", "thumbnail.jpg")  # fmt: skip
    ok(world.server, [update("AssetVersion", ids["version"], thumbnail_id=ids["thumbnail"])],
       **who.auth)  # fmt: skip
    return ids


def file_bytes(world: World, component_id: str) -> Optional[bytes]:
    path = world.files_root / component_id
    return path.read_bytes() if path.is_file() else None


# -- review sessions -------------------------------------------------------------------------------
@attr.s(auto_attribs=True)
class Review:
    session: str
    item: str
    client: str  # the invitee id
    client_email: str
    published: Dict[str, str]


def review_of(world: World, who: Person, *, private: bool = True) -> Review:
    """``who``'s review session of a new publication, one item and an invitee "client"."""
    published = publication(world, who)
    session, item, client = new_id(), new_id(), new_id()
    email = f"client-{client[:8]}@client.example"
    data: Dict[str, Any] = {"name": "Dailies", "project_id": published["project"]}
    if private:
        data["shareable_url_enabled"] = False
    ok(world.server, [
        create("ReviewSession", id=session, **data),
        create("ReviewSessionObject", id=item, name="sh010", review_session_id=session,
               version_id=published["version"], sort_order=1),
        create("ReviewSessionInvitee", id=client, name="Client Person", email=email,
               review_session_id=session),
    ], **who.auth)  # fmt: skip
    return Review(session, item, client, email, published)


def widget(world: World, who: Person, entity_type: str, ident: str) -> requests.Response:
    return call(world.server, [{"action": "get_widget_url", "name": "review_session",
                                "entity_type": entity_type, "entity_key": [ident]}],
                **who.auth)  # fmt: skip


def personal_widget(world: World, who: Person, session: str) -> requests.Response:
    """``who``'s personal link to their own review session (``purpose: "personal"``: it acts as
    them; a session's shared room link opens nothing of a private session)."""
    return call(world.server, [{"action": "get_widget_url", "name": "review_session",
                                "entity_type": "ReviewSession", "entity_key": [session],
                                "purpose": "personal"}], **who.auth)  # fmt: skip


def token_of(response: requests.Response) -> str:
    assert response.status_code == 200, response.text[:1500]
    url = response.json()[0]["widget_url"]
    return urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["token"][0]


def review_post(world: World, session: str, token: str, route: str, body: Any) -> requests.Response:
    kwargs: Dict[str, Any] = {"data": body} if isinstance(body, (bytes, str)) else {"json": body}
    return requests.post(f"{world.url}/review/{session}/{route}", params={"token": token},
                         timeout=60, **kwargs)  # fmt: skip


def note_authors(world: World, item: str) -> List[Tuple[str, str]]:
    """(content, author user id) of the notes on review item ``item``."""
    rows = ok(world.server, [{"action": "query", "expression":
                              f'select content, user_id from Note where parent_id is "{item}"'}]
              )[0]["data"]  # fmt: skip
    return [(r["content"], r["user_id"]) for r in rows]


def upload_meta(world: World, who: Person, component_id: str, size: int) -> Dict[str, Any]:
    """``get_upload_metadata`` for ``size`` bytes (no checksum) as ``who``: url and headers."""
    return ok(world.server, [{"action": "get_upload_metadata", "component_id": component_id,
                              "file_name": "movie.mp4", "file_size": size}],
              **who.auth)[0]  # fmt: skip


def item_post(world: World, review: Review, token: str, route: str, **fields: Any) -> Any:
    """POST ``fields`` about ``review``'s item to its review ``route`` (notes, status, ...)."""
    return review_post(world, review.session, token, route, dict(fields, object_id=review.item))
