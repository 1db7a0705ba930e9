"""The desk's home on a studio of many projects, in a real headless Chromium, as an artist (a
User who is neither an administrator nor the owner of any of them): the first page shows a few
projects with their sessions and how many there are in all; "More projects" goes to the next
page and "Previous projects" back; the finder narrows the projects to those whose name holds
what is typed, newest first, and pages through them, each once. Screenshots:
``test-artifacts/desk_home_paging/``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any, List

import pytest
from support.cli import run_ft_dcc
from support.trust import add_api_user, create, ok

from ft_dcc.server.desk.project_lists import HOME_PROJECTS

pytestmark = [pytest.mark.browser]
PROJECTS = 2 * HOME_PROJECTS + 2  # three pages: two full, one of two


def _when(minutes_ago: int) -> Any:
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    return {"__type__": "datetime", "value": (now - dt.timedelta(minutes=minutes_ago)).isoformat()}


def _studio(server: Any, tag: str) -> List[str]:
    """``PROJECTS`` projects named after ``tag``, the ``n``-th with a session made ``n`` minutes
    after the first's; their ids, the most recently active first."""
    ids = [str(uuid.uuid4()) for _ in range(PROJECTS)]
    made = [create("Project", id=p, name=f"paging{tag}{n:02d}", full_name=f"Paging {tag} {n:02d}")
            for n, p in enumerate(ids)]  # fmt: skip
    made += [create("ReviewSession", name=f"Dailies {n:02d}", project_id=p,
                    created_at=_when(PROJECTS - n)) for n, p in enumerate(ids)]  # fmt: skip
    ok(server, made)
    return list(reversed(ids))


def _sign_in(page: Any, url: str, name: str, password: str) -> None:
    page.goto(url + "/")
    page.fill("#signin-username", name)
    page.fill("#signin-password", password)
    page.click("form.signin-form button[type=submit]")
    page.wait_for_function("() => location.pathname === '/desk/' && "
                           "document.querySelector('section.project')")  # fmt: skip


def _listed(page: Any) -> List[str]:
    return list(page.eval_on_selector_all(
        "section.project", "(all) => all.map((s) => s.dataset.projectId)"))  # fmt: skip


def _next(page: Any, kind: str = "next") -> None:
    before = page.url
    page.click(f"nav.more-projects a.{kind}-projects")
    page.wait_for_function("(before) => location.href !== before && "
                           "document.querySelector('nav.more-projects')", arg=before)  # fmt: skip


def test_an_artist_pages_the_desks_projects_and_finds_one_in_chromium(
    embedded_server: Any, page: Any, artifacts_dir: Path
) -> None:
    shots = artifacts_dir / "desk_home_paging"
    shots.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:6]
    newest_first = _studio(embedded_server, tag)
    name, password = f"artist-{tag}", f"pw {uuid.uuid4().hex}"
    add_api_user(embedded_server, name)  # a User: no role over any project, owns none
    done = run_ft_dcc(["user", "password", name, "--password-stdin", "--data",
                       str(embedded_server.data_dir)], input=password + "\n")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    _sign_in(page, embedded_server.url, name, password)

    first = _listed(page)  # the studio's newest projects: a page of them, and how many in all
    assert len(first) == HOME_PROJECTS, first
    total = int(page.get_attribute("nav.more-projects", "data-total") or 0)
    assert total >= PROJECTS
    line = page.inner_text("nav.more-projects .shown")
    assert line == f"Projects 1\u2013{HOME_PROJECTS} of {total}", line
    assert page.locator("section.project li.session-link").count() >= 1
    page.screenshot(path=str(shots / "desk_home_first_page.png"), full_page=True)
    _next(page)
    second = _listed(page)
    assert len(second) >= 1 and not set(first) & set(second), (first, second)
    assert page.url.endswith(f"/desk/?offset={HOME_PROJECTS}"), page.url
    page.screenshot(path=str(shots / "desk_home_second_page.png"), full_page=True)
    _next(page, "previous")
    assert _listed(page) == first

    page.fill("#find-project", f"paging {tag.upper()}")  # any case, part of the full name
    page.click("form.find-project button[type=submit]")
    page.wait_for_function("() => location.search.includes('find=')")
    seen = _listed(page)
    page.screenshot(path=str(shots / "desk_home_found.png"), full_page=True)
    while page.locator("nav.more-projects a.next-projects").count():
        _next(page)
        seen += _listed(page)
    assert seen == newest_first, (seen, newest_first)  # each once, most recently active first
    line = page.inner_text("nav.more-projects .shown")
    assert line.startswith(f"Projects {2 * HOME_PROJECTS + 1}\u2013{PROJECTS} of {PROJECTS} "), line
