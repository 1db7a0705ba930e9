"""A desk served in this process (the server's own app, signed in as its administrator), so a
test hears every statement a request runs: to hold that a route's statements, the rows they
return and their plans do not grow with the studio (counts and plans only, never a clock)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import sqlalchemy as sa
from starlette.testclient import TestClient

KEY = "k" * 32
ADMIN = "admin"
PASSWORD = "a long enough password"
HEADERS = {"ftrack-user": ADMIN, "ftrack-api-key": KEY}
ORIGIN = "http://127.0.0.1"
Seen = List[Tuple[str, Any]]
#: the threads a request is answered in (``run_in_threadpool``, under Starlette's TestClient)
REQUEST_THREADS = ("AnyIO worker thread",)


@contextlib.contextmanager
def statements(engine: Any, every: bool = False) -> Iterator[Seen]:
    """The SELECT statements (``every``: all of them, writes too) ``engine`` runs inside the
    block to answer the requests (in the threads that answer them), with their parameters: not
    the server's own workers and pollers (the revocation log, the notifier), nor the sign-in's
    lookup (kept a moment per cookie: read or not by when the request comes)."""
    seen: Seen = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if not threading.current_thread().name.startswith(REQUEST_THREADS):
            return
        if "ft_dcc_signin" in statement:
            return
        if every or statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def rows_and_scans(engine: Any, seen: Seen, tables: Tuple[str, ...]) -> Tuple[int, List[str]]:
    """How many rows the statements return when run again, and the whole-table scans of
    ``tables`` (or of an alias of one: ``ft_note_1``) their SQLite plans hold (a scan of a
    covering index reads no table)."""
    rows, scans = 0, []
    scan = re.compile(rf"SCAN ({'|'.join(tables)})(_\d+)?\b(?! USING COVERING INDEX)")
    with engine.connect() as connection:
        for statement, parameters in seen:
            rows += len(connection.exec_driver_sql(statement, parameters).fetchall())
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            scans += [str(step[-1]) for step in plan if scan.match(str(step[-1]))]
    return rows, scans


class Studio:
    """The in-process server (``server``), its client signed in, and one project of its own."""

    def __init__(self, client: TestClient, server: Any) -> None:
        self.client, self.server = client, server
        schema = self.api([{"action": "query", "expression": "select id from ProjectSchema"}])
        self.project = str(uuid.uuid4())
        self.api([{"action": "create", "entity_type": "Project", "entity_data": {
            "id": self.project, "name": f"year{self.project[:6]}", "full_name": "A year",
            "project_schema_id": schema[0]["data"][0]["id"]}}])  # fmt: skip
        self.made = 0

    def api(self, operations: List[Dict[str, Any]]) -> Any:
        reply = self.client.post("/api", json=operations, headers=HEADERS)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def insert(self, family: str, rows: List[Dict[str, Any]]) -> None:
        """Rows written straight into ``family``'s table, as a restore or a migration leaves
        them (hundreds through ``/api`` would cost the suite seconds for nothing looked at)."""
        table = self.server.store.tables[family]
        with self.server.store.write_transaction() as connection:
            connection.execute(table.insert(), rows)

    def seed_sessions(self, count: int) -> None:
        """``count`` more sessions of the project, as a year leaves them: most closed, one in
        ten open (no end date), each made an hour after the last."""
        start = dt.datetime(2025, 1, 1)
        rows = []
        for n in range(self.made, self.made + count):
            made = start + dt.timedelta(hours=n)
            ended = None if n % 10 == 0 else made + dt.timedelta(hours=12)
            rows.append({"_entity_type": "ReviewSession", "id": str(uuid.uuid4()),
                         "name": f"Dailies {n:05d}", "project_id": self.project,
                         "created_at": made, "shareable_url_enabled": True,
                         "end_date": ended})  # fmt: skip
        self.insert("ReviewSession", rows)
        self.made += count

    def versions(self, count: int) -> List[str]:
        """``count`` versions of one new asset of a new shot of the project, written straight
        into the tables."""
        shot, asset = str(uuid.uuid4()), str(uuid.uuid4())
        self.insert("Context", [{"_entity_type": "Shot", "id": shot, "name": f"sh{shot[:4]}",
                                 "context_type": "task", "parent_id": self.project,
                                 "project_id": self.project}])  # fmt: skip
        self.insert("Asset", [{"_entity_type": "Asset", "id": asset, "name": "comp",
                               "context_id": shot}])  # fmt: skip
        versions = [str(uuid.uuid4()) for _ in range(count)]
        self.insert("AssetVersion", [{"_entity_type": "AssetVersion", "id": ident,
                                      "asset_id": asset, "version": n + 1}
                                     for n, ident in enumerate(versions)])  # fmt: skip
        return versions

    def post(self, path: str, body: Dict[str, Any], every: bool = False) -> Tuple[Any, Seen]:
        """``path``'s reply (200) to a desk write (the page's CSRF token) and the statements it
        ran (``every``: writes too)."""
        page = self.client.get("/desk/")
        found = re.search(r'data-csrf="([^"]+)"', page.text)
        assert found is not None, page.text[:1000]
        with statements(self.server.store.engine, every) as seen:
            reply = self.client.post(path, json=body, headers={"X-CSRF-Token": found.group(1)})
        assert reply.status_code == 200, reply.text[:2000]
        return reply, list(seen)

    def get(self, path: str) -> Tuple[Any, Seen]:
        """``path``'s reply (200) and the statements it ran."""
        with statements(self.server.store.engine) as seen:
            reply = self.client.get(path)
        assert reply.status_code == 200, reply.text[:2000]
        return reply, list(seen)


@contextlib.contextmanager
def open_studio(data_dir: Path, database_url: Optional[str] = None) -> Iterator[Studio]:
    """The server's app in this process on ``data_dir`` (its SQLite, or ``database_url``), its
    administrator signed in."""
    from ft_dcc.server.app import create_app
    from ft_dcc.server.runtime.config import ServerConfig
    from ft_dcc.server.signin.accounts import set_password
    from ft_dcc.server.signin.state import parts_for

    app = create_app(ServerConfig(data_dir=data_dir, database_url=database_url),
                     {"FTRACK_API_USER": ADMIN, "FTRACK_API_KEY": KEY})  # fmt: skip
    server = app.state.server
    with TestClient(app, base_url=ORIGIN) as client:
        set_password(parts_for(server), server.seed.user_id, PASSWORD)
        form = {"username": ADMIN, "password": PASSWORD}
        signed = client.post("/signin", data=form, headers={"Origin": ORIGIN},
                             follow_redirects=False)  # fmt: skip
        assert signed.status_code == 303, signed.text[:1000]
        yield Studio(client, server)


Answers = Dict[str, Tuple[Any, Seen]]


def assert_same_cost(engine: Any, small: Answers, big: Answers, tables: Tuple[str, ...]) -> None:
    """Each path of ``small`` and ``big`` (``Studio.get``'s answers before and after the studio
    grew) ran as many statements, returning as many rows, with no whole-table scan of
    ``tables``."""
    for path in small:
        (_, few), (_, many) = small[path], big[path]
        assert len(many) == len(few), (path, [s[:90] for s, _ in few], [s[:90] for s, _ in many])
        small_rows, small_scans = rows_and_scans(engine, few, tables)
        big_rows, big_scans = rows_and_scans(engine, many, tables)
        assert big_rows == small_rows, path
        assert small_scans == big_scans == [], (path, small_scans, big_scans)


def steps(engine: Any, seen: Any) -> int:
    """The steps of SQLite's virtual machine the statements take when run again (counted a
    hundred at a time by a progress handler): the rows a read visits, whatever the machine."""
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        counted = [0]

        def step() -> int:
            counted[0] += 1
            return 0

        driver.set_progress_handler(step, 100)
        try:
            for statement, parameters in seen:
                driver.execute(statement, parameters).fetchall()
        finally:
            driver.set_progress_handler(None, 0)
    finally:
        raw.close()
    return counted[0] * 100


@contextlib.contextmanager
def transactions(engine: Any) -> Iterator[List[str]]:
    """The transactions ``engine`` begins inside the block in the threads that answer the
    requests (each a connection taken, ``BEGIN`` and its end: the round trips a statement does
    not count), by the first statement each runs (the sign-in's lookup left out, as in
    :func:`statements`)."""
    begun: List[str] = []
    fresh: Dict[int, bool] = {}

    def begin(conn: Any) -> None:
        if threading.current_thread().name.startswith(REQUEST_THREADS):
            fresh[id(conn)] = True

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if fresh.pop(id(conn), False) and "ft_dcc_signin" not in statement:
            begun.append(" ".join(statement.split())[:120])

    sa.event.listen(engine, "begin", begin)
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield begun
    finally:
        sa.event.remove(engine, "begin", begin)
        sa.event.remove(engine, "before_cursor_execute", note)
