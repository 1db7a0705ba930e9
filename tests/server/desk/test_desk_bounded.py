"""The desk's lists cost what they show, not what the studio holds: the home page and a project's
page of sessions run the same statements, which return the same number of rows and read the
review sessions through an index (no scan of the table), whether the project holds 40 sessions
or 400. The rest of a project's sessions come on demand, a page at a time, with the total.

The sessions are written straight into the table (as a restore or migration leaves them: seeding
hundreds through ``/api`` would cost the suite seconds for nothing the test looks at); the pages
are asked of the server's own app in this process, so the test can hear every statement it runs.
Counts and plans only: no clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

sa = pytest.importorskip("sqlalchemy")

from starlette.testclient import TestClient  # noqa: E402

from ft_dcc.server.app import create_app  # noqa: E402
from ft_dcc.server.desk.session_lists import HOME_OPEN, HOME_RECENT, PAGE  # noqa: E402
from ft_dcc.server.runtime.config import ServerConfig  # noqa: E402
from ft_dcc.server.signin.accounts import set_password  # noqa: E402
from ft_dcc.server.signin.state import parts_for  # noqa: E402

KEY = "k" * 32
ADMIN = "admin"
PASSWORD = "a long enough password"
HEADERS = {"ftrack-user": ADMIN, "ftrack-api-key": KEY}
Seen = List[Tuple[str, Any]]


@contextlib.contextmanager
def statements(engine: Any) -> Iterator[Seen]:
    """The SELECT statements ``engine`` runs inside the block to answer the requests, with their
    parameters: not the server's own pollers (the revocation log's thread), nor the sign-in's
    lookup (kept a moment per cookie: read or not by when the request comes)."""
    seen: Seen = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if threading.current_thread().name.startswith("ft_dcc") or "ft_dcc_signin" in statement:
            return
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def rows_and_scans(engine: Any, seen: Seen) -> Tuple[int, List[str]]:
    """How many rows the statements return when run again, and the review-session table scans
    their plans hold."""
    rows, scans = 0, []
    with engine.connect() as connection:
        for statement, parameters in seen:
            rows += len(connection.exec_driver_sql(statement, parameters).fetchall())
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            scans += [str(step[-1]) for step in plan
                      if re.match(r"SCAN ft_review_session\b", str(step[-1]))]  # fmt: skip
    return rows, scans


class Studio:
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

    def seed(self, count: int) -> None:
        """``count`` more sessions of the project, as a year leaves them: most closed, one in
        ten open (no end date), each made a day after the last."""
        table = self.server.store.tables["ReviewSession"]
        start = dt.datetime(2025, 1, 1)
        rows = []
        for n in range(self.made, self.made + count):
            made = start + dt.timedelta(hours=n)
            ended = None if n % 10 == 0 else made + dt.timedelta(hours=12)
            rows.append({"_entity_type": "ReviewSession", "id": str(uuid.uuid4()),
                         "name": f"Dailies {n:05d}", "project_id": self.project,
                         "created_at": made, "shareable_url_enabled": True,
                         "end_date": ended})  # fmt: skip
        with self.server.store.write_transaction() as connection:
            connection.execute(table.insert(), rows)
        self.made += count

    def get(self, path: str) -> Tuple[Any, Seen]:
        with statements(self.server.store.engine) as seen:
            reply = self.client.get(path)
        assert reply.status_code == 200, reply.text[:2000]
        return reply, list(seen)


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Studio]:
    app = create_app(ServerConfig(data_dir=tmp_path / "data"),
                     {"FTRACK_API_USER": ADMIN, "FTRACK_API_KEY": KEY})  # fmt: skip
    server = app.state.server
    with TestClient(app, base_url="http://127.0.0.1") as client:
        set_password(parts_for(server), server.seed.user_id, PASSWORD)
        form = {"username": ADMIN, "password": PASSWORD}
        signed = client.post("/signin", data=form, headers={"Origin": "http://127.0.0.1"},
                             follow_redirects=False)  # fmt: skip
        assert signed.status_code == 303, signed.text[:1000]
        yield Studio(client, server)


def _listed(html: str) -> List[str]:
    return re.findall(r'class="session-link" data-session-id="([^"]+)"', html)


def test_the_desk_lists_cost_the_same_at_ten_times_the_sessions(studio: Studio) -> None:
    engine = studio.server.store.engine
    pages = ("/desk/", f"/desk/project/{studio.project}",
             f"/desk/api/sessions?project={studio.project}&offset=100")  # fmt: skip
    studio.seed(400 // 10)
    small = {path: studio.get(path) for path in pages}
    studio.seed(400 - 400 // 10)
    big = {path: studio.get(path) for path in pages}

    for path in pages:
        (_, few), (_, many) = small[path], big[path]
        assert len(many) == len(few), (path, [s[:90] for s, _ in few], [s[:90] for s, _ in many])
        small_rows, small_scans = rows_and_scans(engine, few)
        big_rows, big_scans = rows_and_scans(engine, many)
        assert big_rows == small_rows, path
        assert small_scans == big_scans == [], path

    home = big["/desk/"][0].text
    listed = _listed(home)  # the newest open ones and the newest ones, not 400
    assert HOME_RECENT <= len(listed) <= HOME_OPEN + HOME_RECENT, len(listed)
    assert f'<span class="shown">{len(listed)}</span> of 400 sessions' in home
    assert "Dailies 00399" in home and "Dailies 00000" not in home
    project_page = _listed(big[f"/desk/project/{studio.project}"][0].text)
    assert len(project_page) == PAGE


def test_a_projects_sessions_come_a_page_at_a_time_with_their_total(studio: Studio) -> None:
    studio.seed(120)
    seen: List[str] = []
    offset: Any = 0
    while offset is not None:
        page, _ = studio.get(f"/desk/api/sessions?project={studio.project}&offset={offset}")
        answer = page.json()
        assert answer["total"] == 120 and len(answer["sessions"]) <= PAGE
        seen += [s["name"] for s in answer["sessions"]]
        offset = answer["next"]
    assert sorted(seen) == [f"Dailies {n:05d}" for n in range(120)]  # each once, all of them
    for bad in ("-1", "x", "1e3", "²"):
        refused = studio.client.get(f"/desk/api/sessions?project={studio.project}&offset={bad}")
        assert refused.status_code == 400 and "whole number" in refused.json()["error"], bad
