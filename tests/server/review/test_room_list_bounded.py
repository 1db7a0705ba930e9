"""The review room's list (``GET /review/?token=``) runs the same statements whether the studio
keeps 10 private open sessions or 100: whom each private one is managed by is asked once for all
of them (``links.openable``), not once per session; and it still names to each person the
private sessions they manage (an administrator: all; an artist: those they created, by
``created_by_id`` or by the creator record) and every session open to links.

The sessions are written straight into the table and the list asked of the server's own app in
this process (``server/desk/heard.py``), so the test hears every statement. Counts only."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List
from urllib.parse import parse_qs, urlparse

import pytest

pytest.importorskip("sqlalchemy")

from server.desk.heard import Studio, open_studio, statements


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Studio]:
    with open_studio(tmp_path / "data") as opened:
        yield opened


def _list_token(studio: Studio, headers: Dict[str, str]) -> str:
    asked = [{"action": "get_widget_url", "name": "review_session"}]
    reply = studio.client.post("/api", json=asked, headers=headers)
    assert reply.status_code == 200, reply.text[:1000]
    return parse_qs(urlparse(reply.json()[0]["widget_url"]).query)["token"][0]


def _artist(studio: Studio) -> Dict[str, str]:
    """A User (no managing role) with an API key: the ``ftrack-user`` headers of their calls."""
    user = str(uuid.uuid4())
    studio.api([{"action": "create", "entity_type": "User",
                 "entity_data": {"id": user, "username": "bob"}}])  # fmt: skip
    reset = studio.api([{"action": "reset_remote", "reset_type": "api_key", "entity_type": "User",
                         "entity_key": [user]}])  # fmt: skip
    return {"id": user, "ftrack-user": "bob", "ftrack-api-key": reset[0]["data"]["api_key"]}


def _private(studio: Studio, count: int, created_by: Any, tag: str) -> List[str]:
    """``count`` private open sessions of the project (no end), made by ``created_by``."""
    rows = [{"_entity_type": "ReviewSession", "id": str(uuid.uuid4()), "name": f"{tag} {n:03d}",
             "project_id": studio.project, "shareable_url_enabled": False,
             "created_by_id": created_by} for n in range(count)]  # fmt: skip
    if rows:
        studio.insert("ReviewSession", rows)
    return [r["id"] for r in rows]


def _recorded(studio: Studio, session_ids: List[str], user_id: str) -> None:
    """The creator record names ``user_id`` as the maker of ``session_ids``."""
    from ft_dcc.server.model.side_tables import creator_table

    store = studio.server.store
    family = store.model.types["ReviewSession"].family
    rows = [{"family": family, "entity_id": s, "user_id": user_id} for s in session_ids]
    with store.write_transaction() as connection:
        connection.execute(creator_table(store.metadata).insert(), rows)


def _listed(studio: Studio, token: str) -> Any:
    studio.client.get("/review/", params={"token": token})  # what a link keeps a moment is kept
    with statements(studio.server.store.engine) as seen:
        reply = studio.client.get("/review/", params={"token": token})
    assert reply.status_code == 200, reply.text[:1000]
    return re.findall(r"(Private|Mine|Recorded) \d{3}", reply.text), len(seen)


def test_the_room_list_asks_who_manages_the_private_sessions_once(studio: Studio) -> None:
    bob = _artist(studio)
    headers = {k: v for k, v in bob.items() if k != "id"}
    tokens = {"admin": _list_token(studio, {"ftrack-user": "admin", "ftrack-api-key": "k" * 32}),
              "bob": _list_token(studio, headers)}  # fmt: skip
    heard: Dict[str, List[int]] = {"admin": [], "bob": []}
    private = 0
    for mine, others in ((10, 0), (20, 90)):  # 10 private open sessions, then 110 (20 bob's)
        _private(studio, others, None, "Private")  # by no one: the administrator's to manage
        _private(studio, 5, bob["id"], "Mine")
        _recorded(studio, _private(studio, 5, None, "Recorded"), bob["id"])
        private += others + 10
        for who, token in tokens.items():
            names, statement_count = _listed(studio, token)
            heard[who].append(statement_count)
            kinds = {name.split()[0] for name in names}
            if who == "admin":  # an administrator manages them all
                assert len(names) == private and {"Mine", "Recorded"} <= kinds
            else:  # an artist: those they made, whichever way it was recorded, and no other
                assert kinds == {"Mine", "Recorded"} and len(names) == mine, names
    assert heard["admin"][0] == heard["admin"][1], heard
    assert heard["bob"][0] == heard["bob"][1], heard
