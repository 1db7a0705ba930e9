"""The desk's lists cost what they show, not what the studio holds: the home page and a project's
page of sessions run the same statements, which return the same number of rows and read the
review sessions through an index (no scan of the table), whether the project holds 40 sessions
or 400. The rest of a project's sessions come on demand, a page at a time, with the total.

The sessions are written straight into the table and the pages asked of the server's own app in
this process (``heard.py``), so the test hears every statement they run. Counts and plans only.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Dict, List

import pytest

pytest.importorskip("sqlalchemy")

from ft_dcc.server.desk.session_lists import HOME_OPEN, HOME_RECENT, PAGE
from server.desk.heard import Studio, assert_same_cost, rows_and_scans

SESSIONS = ("ft_review_session",)


def _listed(html: str) -> List[str]:
    return re.findall(r'class="session-link" data-session-id="([^"]+)"', html)


def test_the_desk_lists_cost_the_same_at_ten_times_the_sessions(studio: Studio) -> None:
    engine = studio.server.store.engine
    pages = ("/desk/", f"/desk/project/{studio.project}",
             f"/desk/api/sessions?project={studio.project}&offset=100")  # fmt: skip
    studio.seed_sessions(400 // 10)
    small = {path: studio.get(path) for path in pages}
    studio.seed_sessions(400 - 400 // 10)
    big = {path: studio.get(path) for path in pages}

    assert_same_cost(engine, small, big, SESSIONS)

    home = big["/desk/"][0].text
    listed = _listed(home)  # the newest open ones and the newest ones, not 400
    assert HOME_RECENT <= len(listed) <= HOME_OPEN + HOME_RECENT, len(listed)
    assert f'<span class="shown">{len(listed)}</span> of 400 sessions' in home
    assert "Dailies 00399" in home and "Dailies 00000" not in home
    project_page = _listed(big[f"/desk/project/{studio.project}"][0].text)
    assert len(project_page) == PAGE


def test_a_projects_sessions_come_a_page_at_a_time_with_their_total(studio: Studio) -> None:
    studio.seed_sessions(120)
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


def test_a_session_and_its_writes_cost_the_same_at_ten_times_the_sessions(studio: Studio) -> None:
    """The session's page and JSON list a page of the project's other sessions; a write's answer
    reads none of them (the page keeps those it read)."""
    engine = studio.server.store.engine
    session = str(uuid.uuid4())
    studio.api([{"action": "create", "entity_type": "ReviewSession", "entity_data": {
        "id": session, "name": "Client wk50", "project_id": studio.project}}])  # fmt: skip
    names = iter(range(10))

    def ask() -> Dict[str, Any]:
        view = studio.get(f"/desk/api/session/{session}")
        page = studio.get(f"/desk/session/{session}")
        wrote = studio.post(f"/desk/api/session/{session}/rename", {"name": f"wk{next(names)}"})
        return {"view": view, "page": page, "write": wrote}

    studio.seed_sessions(40)
    small = ask()
    studio.seed_sessions(360)
    big = ask()
    for what in small:
        (_, few), (_, many) = small[what], big[what]
        assert len(few) == len(many), what
        scans = [rows_and_scans(engine, seen, SESSIONS)[1] for seen in (few, many)]
        assert scans == [[], []], what
    view = big["view"][0].json()
    assert len(view["others"]) == PAGE - 1 and session not in [o["id"] for o in view["others"]]
    written = big["write"][0].json()
    assert "others" not in written and "users" not in written
    assert written["session"]["name"] == "wk1"
