"""The feedback queries of ``ft_dcc.protocol.feedback`` (one copy for the client and the embedded
server) read the same feedback from the client's entities and from the server's raw
JSON rows - the ``execute(expressions) -> rows`` each side gives them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Sequence

import pytest
import requests
from support import open_session
from support.feedback import seed_feedback

from ft_dcc import protocol
from ft_dcc.protocol import feedback as queries
from ft_dcc.protocol.query_text import quote


@pytest.fixture
def seeded(embedded_server: Any, tmp_path: Path):
    with open_session(embedded_server, tmp_path) as session:
        schema = session.query("ProjectSchema").first()
        project = session.create(
            "Project", {"name": "proto_fb", "full_name": "proto_fb", "project_schema": schema}
        )
        seeded = seed_feedback(session, project)
        yield session, seeded


def _entities(session: Any):
    def execute(expressions: Sequence[str]) -> List[List[Any]]:
        return [list(session.query(e).all()) for e in expressions]

    return execute


def _json_rows(session: Any):
    """The server's side: one /api batch per call, the rows as the wire's JSON objects."""
    calls: List[int] = []

    def execute(expressions: Sequence[str]) -> List[List[Any]]:
        calls.append(len(expressions))
        reply = requests.post(
            session.server_url + protocol.API_PATH,
            json=[{"action": "query", "expression": e} for e in expressions],
            headers={
                protocol.HEADER_USER: session.api_user,
                protocol.HEADER_API_KEY: session.api_key,
            },
            timeout=60,
        )
        reply.raise_for_status()
        return [list(result["data"]) for result in reply.json()]

    execute.calls = calls  # type: ignore[attr-defined]
    return execute


def _read(execute: Any, review_session_id: str):
    where = f"review_session_id is {quote(review_session_id)}"
    objects = execute([f"select id from ReviewSessionObject where {where}"])[0]
    object_ids = [o["id"] for o in objects]
    notes = queries.notes_of(execute, object_ids)
    details = queries.note_details(execute, notes)
    statuses = queries.latest_statuses(queries.status_rows(execute, object_ids), when=_when)
    return {
        "notes": sorted(
            (
                n["content"],
                details.frames[n["id"]],
                queries.display_name(details.users.get(n["user_id"])),
                len(details.drawings.get(n["id"], [])),
                n["in_reply_to_id"] is not None,
            )
            for n in notes
        ),
        "statuses": sorted(s["status"] for s in statuses),
    }


def _when(value: Any) -> str:
    """A date from either side as a sortable text (an entity's datetime, the wire's object)."""
    if isinstance(value, dict):
        return str(value.get("value") or "")
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def test_the_same_feedback_from_entities_and_from_the_servers_json(seeded):
    session, seeded_ids = seeded
    target = seeded_ids["review_session"]["id"]
    from_json = _json_rows(session)
    expected = {
        "notes": [
            ("arm pops here", 1010, "Ana Lee", 0, False),
            ("fixed in the next take", None, queries.display_name(_me(session)), 0, True),
            ("nice arc, keep it", 1003, "Bob", 1, False),
            ("old take", 1001, "Ana Lee", 0, False),
        ],
        "statuses": ["approved", "require_changes"],  # Ana's latest, Bob's
    }
    assert _read(_entities(session), target) == expected
    assert _read(from_json, target) == expected
    # objects, notes, replies, then frames + drawings + authors in ONE batch, then statuses
    assert from_json.calls == [1, 1, 1, 3, 1]


def test_nothing_is_asked_for_no_ids():
    def execute(expressions):  # pragma: no cover - must not be called
        raise AssertionError(f"asked {expressions}")

    assert queries.rows_in(execute, "select id from Note where id in", [None, ""]) == []
    assert queries.notes_of(execute, []) == []
    assert queries.note_details(execute, []) == ({}, {}, {}, {})


def _me(session: Any) -> Any:
    return session.query(
        f"select username, first_name, last_name from User where username is "
        f"{quote(session.api_user)}"
    ).one()
