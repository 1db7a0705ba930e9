"""One odd review session never breaks the review room's list (``GET /review/?token=``) for
everyone: a session whose name and description are a megabyte each (a hostile or broken client
can write one) among the studio's other open sessions, and the list still answers 200, naming
the others (SQLite, a real server over HTTP).

Seen failing first: the list answered 400 ``The reply would be larger than 16 MB`` to every
reader once the studio had about 130 other open sessions: the reply's size was estimated from 16
of the rows, and the megabyte row, when one of them (the newest always is), counted as if every
row were as large. A whole-suite run's shared server, where a test leaves such a session,
refused its list this way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import requests
from support.trust import create, make_task, ok, server_with_env

MEGABYTE = 1024 * 1024
#: open sessions beside the odd one: past the 128 at which the estimate passed 16 MB
SESSIONS = 150
#: a long description: 60,000 characters of a day's notes
NOTES = "notes " * 10_000


def list_link(server: Any) -> str:
    """The server user's link to the list of open sessions."""
    reply = ok(server, [{"action": "get_widget_url", "name": "review_session"}])
    return str(reply[0]["widget_url"])


def yesterday() -> Any:
    """A day ago as the API writes a datetime: the others older than the odd session, which is
    then the first row of the list's read (the estimate's sample took it every time)."""
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    return {"__type__": "datetime", "value": when.replace(microsecond=0).isoformat()}


def test_a_megabyte_session_does_not_break_the_list_of_sessions(tmp_path: Path) -> None:
    with server_with_env(tmp_path / "server", {}) as server:
        project = make_task(server)["project"]
        ok(server, [create("ReviewSession", name=f"Dailies {n:03d}", project_id=project,
                           created_at=yesterday()) for n in range(SESSIONS)])  # fmt: skip
        ok(server, [create("ReviewSession", name="n" * MEGABYTE, description="d" * MEGABYTE,
                           project_id=project)])  # fmt: skip

        page = requests.get(list_link(server), timeout=60)

    assert page.status_code == 200, page.text[:2000]
    assert all(f"Dailies {n:03d}" in page.text for n in range(SESSIONS))


def test_a_year_of_long_descriptions_does_not_break_the_list(tmp_path: Path) -> None:
    """The list shows no description, so it reads none: 40 sessions of 60,000 characters of
    notes each, past a server's 1 MB reply limit together, and the list still answers (seen
    failing first: 400, the reply-size refusal, to every reader)."""
    with server_with_env(tmp_path / "server", {"FT_DCC_MAX_REPLY_BYTES": str(MEGABYTE)}) as server:
        project = make_task(server)["project"]
        for day in range(0, 40, 5):  # each batch's reply under the limit
            batch = [create("ReviewSession", name=f"Dailies day {n:03d}", project_id=project,
                            description=NOTES) for n in range(day, day + 5)]  # fmt: skip
            ok(server, batch)

        page = requests.get(list_link(server), timeout=60)

    assert page.status_code == 200, page.text[:2000]
    assert all(f"Dailies day {n:03d}" in page.text for n in range(40))
