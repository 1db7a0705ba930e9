"""The desk's home costs what it shows, not what the studio holds: a page of projects (the most
recently active first, each with its open and recent sessions), the total, the next pages on
demand and a finder by name. The home runs the same statements, returning the same rows, with no
whole-table scan, whether the studio holds 6 projects of 30 sessions or 60 of 300; a person who
neither administers nor manages anything pages through every project, once each, with the same
total; a Supervisor's own projects come first; bad paging input gets a clear refusal.

Projects and sessions are written straight into the tables and the pages asked of the server's
own app in this process (``heard.py``). Counts and plans only, never a clock.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from typing import Any, Dict, List, Optional, Tuple

import pytest

pytest.importorskip("sqlalchemy")

from ft_dcc.server.desk.project_lists import HOME_PROJECTS
from ft_dcc.server.desk.session_lists import HOME_COUNTED, HOME_OPEN, HOME_RECENT
from server.desk.heard import ORIGIN, PASSWORD, Studio, assert_same_cost, steps

TABLES = ("ft_review_session", "ft_context")
START = dt.datetime(2025, 1, 1)


def _projects(studio: Studio, count: int, sessions: int, first: int = 0,
              name: str = "Show") -> List[str]:  # fmt: skip
    """``count`` more projects, the ``n``-th with ``sessions`` sessions (every other one open),
    its newest made ``n`` days after the first's (a later project is more recently active);
    their ids in that order."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    studio.insert("Context", [{"_entity_type": "Project", "id": ident, "context_type": "show",
                               "name": f"{name.lower()}{first + n:03d}",
                               "full_name": f"{name} {first + n:03d}"}
                              for n, ident in enumerate(ids)])  # fmt: skip
    rows = []
    for n, ident in enumerate(ids):
        newest = START + dt.timedelta(days=first + n)
        for k in range(sessions):
            made = newest - dt.timedelta(hours=k)
            ended = None if k % 2 == 0 else made + dt.timedelta(hours=2)
            rows.append({"_entity_type": "ReviewSession", "id": str(uuid.uuid4()),
                         "name": f"Dailies {first + n:03d}-{k:04d}", "project_id": ident,
                         "created_at": made, "shareable_url_enabled": True,
                         "end_date": ended})  # fmt: skip
    if rows:
        studio.insert("ReviewSession", rows)
    return ids


def _text(page: str) -> str:
    """``page``'s text as read (entities unescaped, its en dashes as hyphens)."""
    return html.unescape(page).replace("\u2013", "-")


def _listed(page: str) -> List[str]:
    return re.findall(r'<section class="project" data-project-id="([^"]+)"', page)


def _link(page: str, kind: str) -> Optional[str]:
    found = re.search(rf'class="button {kind}-projects" rel="\w+" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def _walk(studio: Studio, path: str) -> Tuple[List[str], List[str]]:
    """Every project the home's pages list from ``path`` on (following "More projects"), and
    each page's line of how many."""
    seen: List[str] = []
    lines: List[str] = []
    following: Optional[str] = path
    while following is not None:
        page, _ = studio.get(following)
        assert len(_listed(page.text)) <= HOME_PROJECTS
        seen += _listed(page.text)
        shown = re.search(r'<span class="shown">([^<]*)</span>', page.text)
        lines.append(_text(shown.group(1)) if shown else "")
        following = _link(page.text, "next")
    return seen, lines


def test_the_desk_home_costs_the_same_at_ten_times_the_projects_and_sessions(
    studio: Studio,
) -> None:
    engine = studio.server.store.engine
    pages = ("/desk/", f"/desk/?offset={HOME_PROJECTS}", "/desk/?find=show+00",
             "/desk/api/sessions")  # fmt: skip
    _projects(studio, 2 * HOME_PROJECTS, 30)  # two full pages, each project more open
    small = {path: studio.get(path) for path in pages}  # sessions than the home shows
    _projects(studio, 18 * HOME_PROJECTS, 300, first=100, name="Feature")
    big = {path: studio.get(path) for path in pages}

    assert_same_cost(engine, small, big, TABLES)

    home = big["/desk/"][0].text  # the newest projects, each with a few sessions
    assert len(_listed(home)) == HOME_PROJECTS
    newest = 100 + 18 * HOME_PROJECTS - 1
    assert f"Feature {newest}" in home and "Show 000" not in home
    shown = home.count('class="session-link"')
    assert HOME_PROJECTS * HOME_OPEN <= shown <= HOME_PROJECTS * (HOME_OPEN + HOME_RECENT)
    assert f"Projects 1-{HOME_PROJECTS} of {20 * HOME_PROJECTS + 1}" in _text(home)


def test_the_home_pages_every_project_once_newest_first_and_finds_one_by_name(
    each_studio: Studio,
) -> None:
    studio = each_studio
    shows = _projects(studio, 12, 3)
    quiet = _projects(studio, 2, 0, first=50, name="Quiet")  # no session yet: listed last
    seen, lines = _walk(studio, "/desk/")
    assert seen == [*reversed(shows), studio.project, *quiet][: len(seen)]
    assert sorted(seen) == sorted([*shows, *quiet, studio.project]) and len(seen) == 15
    assert lines[0] == f"Projects 1-{HOME_PROJECTS} of 15" and lines[-1].endswith(" of 15")

    previous = _link(studio.get(f"/desk/?offset={HOME_PROJECTS}")[0].text, "previous")
    assert previous == "/desk/?offset=0"
    found, lines = _walk(studio, "/desk/?find=SHOW+01")  # a part of the name, any case
    assert found == [shows[11], shows[10]]
    assert lines == ["Projects 1-2 of 2 whose name holds “SHOW 01”"]
    for odd in ("%", "_", "\\"):  # taken as themselves, not as patterns
        page, _ = studio.get("/desk/?find=" + {"%": "%25", "_": "_", "\\": "%5C"}[odd])
        assert _listed(page.text) == [], odd
        assert "No project's name holds" in html.unescape(page.text), odd
    marked, _ = studio.get("/desk/?find=%3Cb%3Eshow%22")  # what is typed is shown, never run
    assert "<b>show" not in marked.text and "&lt;b&gt;show&#34;" in marked.text
    beyond, _ = studio.get("/desk/?offset=900")
    assert _listed(beyond.text) == [] and "No more projects" in beyond.text

    for query, said in (("offset=-1", "whole number"), ("offset=x", "whole number"),
                        ("find=" + "a" * 101, "at most 100")):  # fmt: skip
        refused = studio.client.get(f"/desk/?{query}")
        assert refused.status_code == 400 and said in refused.text, query
        answered = studio.client.get(f"/desk/api/sessions?{query}")
        assert answered.status_code == 400 and said in answered.json()["error"], query


def test_a_small_studios_home_shows_no_pages_and_no_finder(studio: Studio) -> None:
    studio.seed_sessions(3)
    page, _ = studio.get("/desk/")
    assert _listed(page.text) == [studio.project]
    assert "find-project" not in page.text and "more-projects" not in page.text
    assert page.text.count('class="session-link"') == 3


def _sign_in_as_new(studio: Studio, username: str, role: Optional[str] = None,
                    projects: Tuple[str, ...] = ()) -> str:  # fmt: skip
    """A new User (``role``: a Supervisor's of ``projects``), signed in instead of the
    administrator; their id."""
    from ft_dcc.server.rules.permissions import ROLE_IDS
    from ft_dcc.server.signin.accounts import set_password
    from ft_dcc.server.signin.state import parts_for

    user = str(uuid.uuid4())
    made: List[Dict[str, Any]] = [{"action": "create", "entity_type": "User", "entity_data": {
        "id": user, "username": username, "is_active": True}}]  # fmt: skip
    if role:
        link = str(uuid.uuid4())
        made.append({"action": "create", "entity_type": "UserSecurityRole", "entity_data": {
            "id": link, "user_id": user, "security_role_id": ROLE_IDS[role],
            "is_all_projects": False, "is_all_open_projects": False}})  # fmt: skip
        made += [{"action": "create", "entity_type": "UserSecurityRoleProject", "entity_data": {
            "user_security_role_id": link, "project_id": p}} for p in projects]  # fmt: skip
    studio.api(made)
    set_password(parts_for(studio.server), user, PASSWORD)
    signed = studio.client.post("/signin", data={"username": username, "password": PASSWORD},
                                headers={"Origin": ORIGIN}, follow_redirects=False)  # fmt: skip
    assert signed.status_code == 303, signed.text[:500]
    return user


def test_an_artist_pages_every_project_and_a_supervisors_own_come_first(
    each_studio: Studio,
) -> None:
    studio = each_studio
    shows = _projects(studio, 9, 2)
    everyone = sorted([*shows, studio.project])
    _sign_in_as_new(studio, "artist")  # neither an administrator nor anyone's manager
    seen, lines = _walk(studio, "/desk/")
    assert sorted(seen) == everyone and lines[0] == f"Projects 1-{HOME_PROJECTS} of 10"
    assert "you manage its reviews" not in studio.get("/desk/")[0].text

    _sign_in_as_new(studio, "sup", "Supervisor", (shows[0],))  # the least active project
    seen, lines = _walk(studio, "/desk/")
    assert seen[0] == shows[0] and sorted(seen) == everyone, seen
    first = studio.get("/desk/")[0].text
    assert first.count("you manage its reviews") == 1 and lines[0].endswith(" of 10")


def test_a_projects_open_sessions_are_read_through_their_index_with_the_planners_statistics(
    studio: Studio,
) -> None:
    """Behind a project's few open sessions, thousands of closed ones: once the planner has
    statistics (``ANALYZE``, as a year's database has them), the home's read of the sessions
    takes about as many steps as before them (it once walked every session of the project,
    newest first, for the one whose end is to come), and the count stops at its bound."""
    engine = studio.server.store.engine
    ending = {"_entity_type": "ReviewSession", "id": str(uuid.uuid4()), "name": "Client wk50",
              "project_id": studio.project, "created_at": START, "shareable_url_enabled": True,
              "end_date": dt.datetime(2099, 1, 1)}  # fmt: skip
    studio.insert("ReviewSession", [ending])
    studio.seed_sessions(30)

    def read_sessions() -> List[Tuple[str, Any]]:
        page, seen = studio.get("/desk/")
        assert f'data-session-id="{ending["id"]}"' in page.text
        return [(s, p) for s, p in seen if "UNION ALL" in s and "end_date" in s]

    few = read_sessions()
    small = steps(engine, few)
    year = [{"_entity_type": "ReviewSession", "id": str(uuid.uuid4()), "name": f"Dailies #{k}",
             "project_id": studio.project, "created_at": START + dt.timedelta(hours=k),
             "shareable_url_enabled": True,
             "end_date": START + dt.timedelta(days=k % 365 + 1)}
            for k in range(HOME_COUNTED + 2500)]  # a year of dailies, closed the next day
    studio.insert("ReviewSession", year)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()  # a SQLite connection reads the statistics when it opens
    many = read_sessions()
    assert len(few) == len(many) == 1, (few, many)
    big = steps(engine, many)
    assert big <= 1.3 * small, (small, big)
    home = studio.get("/desk/")[0].text
    assert f"of more than {HOME_COUNTED} sessions" in home and 'data-more="1"' in home
