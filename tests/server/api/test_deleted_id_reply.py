"""The refusal of a deleted row's id says so in a typed field, which every client can read.

The server never accepts the id of a deleted row again (``store.tombstones``). Its 409
``IntegrityError`` reply carries ``error_code`` ``deleted_id`` and names the row's type and id
(``entity_type``, ``entity_id``), so a client tells it apart without matching the text:
``ft_dcc.Session`` raises ``DeletedIdError`` with the two, while a create losing to an existing
row stays a ``DuplicateEntryError`` (``error_code`` null, as ftrack's). The genuine
``ftrack_api`` client, which ignores the extra keys, raises its normal ``ServerError`` (strict
or not). Generation 0 of a derived id is the id as it was before generations, so servers and
queued publishes of before keep agreeing. On the shared SQLite server and the PostgreSQL one.

Seen failing first: with the server of before the typed reason, the reply's ``error_code``
was null (``ft_dcc.Session`` could only raise ``DuplicateEntryError``, as for a live row).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from support import open_session
from support.entities import genuine_sessions
from support.groups import on_pg_server
from support.trust import call, create, delete, make_task, ok

from ft_dcc.exceptions import DeletedIdError, DuplicateEntryError
from ft_dcc.protocol import ERROR_DELETED_ID
from ft_dcc.review import sessions as review


@pytest.fixture(params=["sqlite", on_pg_server("postgresql")])
def server(request: pytest.FixtureRequest) -> Any:
    """The shared SQLite server, or ``pg_server`` (its tests in its group: one per run)."""
    return request.getfixturevalue("embedded_server" if request.param == "sqlite" else "pg_server")


def _deleted_session(server: Any) -> Dict[str, Any]:
    """A review session created, then deleted: the create that names its id again."""
    ids = make_task(server)
    ident = str(uuid.uuid4())
    made = create("ReviewSession", id=ident, name="Dailies", project_id=ids["project"])
    ok(server, [made])
    ok(server, [delete("ReviewSession", ident)])
    return made


def test_the_refusal_is_typed_on_the_wire_and_in_the_client(server: Any, tmp_path: Path) -> None:
    again = _deleted_session(server)
    ident = again["entity_key"][0]
    for strict, status in ((True, 409), (False, 200)):
        reply = call(server, [again], strict=strict)
        assert reply.status_code == status, reply.text
        body = reply.json()
        assert body["exception"] == "IntegrityError" and body["error_code"] == ERROR_DELETED_ID
        assert (body["entity_type"], body["entity_id"]) == ("ReviewSession", ident)

    session = open_session(server, tmp_path)
    try:
        with pytest.raises(DeletedIdError) as refused:
            session.call([again])
        assert (refused.value.entity_type, refused.value.entity_id) == ("ReviewSession", ident)
        assert refused.value.exception == "IntegrityError"
        # a create losing to a live row is still a duplicate: no error_code, not this kind
        live = create("ReviewSession", id=str(uuid.uuid4()), name="Live",
                      project_id=again["entity_data"]["project_id"])  # fmt: skip
        ok(server, [live])
        with pytest.raises(DuplicateEntryError):
            session.call([live])
        assert call(server, [live]).json()["error_code"] is None
    finally:
        session.close()


def test_the_genuine_client_raises_its_normal_server_error(server: Any, tmp_path: Path) -> None:
    import ftrack_api

    again = _deleted_session(server)
    with genuine_sessions(server, tmp_path / "schemas") as make:
        for strict in (True, False):
            genuine = make(strict_api=strict)
            with pytest.raises(ftrack_api.exception.ServerError) as refused:
                genuine.call([again])
            assert "IntegrityError" in str(refused.value)
            assert again["entity_key"][0] in str(refused.value)


def test_generation_zero_is_the_id_as_before() -> None:
    """Ids fixed before generations existed (uuid5 of the joined names)."""
    assert review.derived_id("ReviewSession", "p", "n") == "9e2aa1d1-496a-5dfd-afbc-fa5992bdb82e"
    assert review.review_session_id_for("p", "n", 0) == review.derived_id("ReviewSession", "p", "n")
    made = {review.review_session_id_for("p", "n", g) for g in range(review.MAX_GENERATIONS)}
    assert len(made) == review.MAX_GENERATIONS
    assert review.derived_id("ReviewSessionInvitee", "s", "a@b.c") == (
        "7db11d4e-8a40-5a45-8e53-56280ac20ea4")  # fmt: skip
