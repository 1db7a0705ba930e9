"""A list link (``get_widget_url`` without an entity: every session its maker may open) names
only sessions that are open now: a session whose window has not started yet is not listed, so
the list never tells who will review what before it opens (the fourth hostile round). Over HTTP
on SQLite and on PostgreSQL with 4 workers.

Seen failing first on ``cd2b4ab``: the list page named the session opening tomorrow.
"""

from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest
import requests

from .gate_world import Dailies, make_owner, utc


@pytest.fixture(scope="module")
def world(gate_backend_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    base = tmp_path_factory.mktemp("list-window")
    for owner in make_owner(gate_backend_server, base):
        yield {"server": gate_backend_server, "owner": owner, "base": base}


def test_a_list_link_names_no_session_before_it_opens(world: Any) -> None:
    owner = world["owner"]
    later = Dailies(world["server"], owner, world["base"], start_date=utc(days=1),
                    name=f"Later {uuid.uuid4().hex[:6]}")  # fmt: skip
    now = Dailies(world["server"], owner, world["base"], start_date=utc(days=-1),
                  name=f"Now {uuid.uuid4().hex[:6]}")  # fmt: skip
    url = owner.call([{"action": "get_widget_url", "name": "review_session"}])[0]["widget_url"]
    listed = requests.get(url, timeout=30)
    assert listed.status_code == 200, listed.text[:300]
    assert now.id in listed.text and str(now.session["name"]) in listed.text
    assert later.id not in listed.text, "the list names a session before it opens"
    assert str(later.session["name"]) not in listed.text
