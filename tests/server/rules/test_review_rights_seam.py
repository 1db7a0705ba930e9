"""Who manages a review session (:mod:`ft_dcc.server.rules.review_rights`): the desk builds on it.

An Administrator manages every session, a creator their own, a Supervisor or Project Manager
every session of the projects their ``UserSecurityRole`` covers (all projects, all open projects
or ``UserSecurityRoleProject`` rows), a User nothing else; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Sequence

import pytest

pytest.importorskip("sqlalchemy")

from ft_dcc.server.rules import review_rights
from ft_dcc.server.rules.permissions import ROLE_IDS


def _create(entity_type: str, **data: Any) -> Dict[str, Any]:
    data.setdefault("id", str(uuid.uuid4()))
    return {"action": "create", "entity_type": entity_type, "entity_key": [data["id"]],
            "entity_data": dict(data, __entity_type__=entity_type)}  # fmt: skip


def _ids(store: Any, admin: str, operations: List[Dict[str, Any]]) -> List[str]:
    store.execute(operations, admin)
    return [op["entity_key"][0] for op in operations]


def _role(store: Any, admin: str, user: str, name: str, projects: Sequence[str] = (),
          all_projects: bool = False, all_open: bool = False) -> None:  # fmt: skip
    link = _create("UserSecurityRole", user_id=user, security_role_id=ROLE_IDS[name],
                   is_all_projects=all_projects, is_all_open_projects=all_open)  # fmt: skip
    role_link = link["entity_key"][0]
    listed = [_create("UserSecurityRoleProject", user_security_role_id=role_link, project_id=p)
              for p in projects]  # fmt: skip
    store.execute([link, *listed], admin)


def _manages(store: Any, user: str, session: str) -> bool:
    with store.engine.connect() as conn:
        return review_rights.manages_session(conn, store, user, session)


def test_who_manages_a_session(store: Any, user_id: str) -> None:
    admin = user_id
    artist, sup, pm, other, wide, opened = _ids(store, admin, [
        _create("User", username=name) for name in ("art", "sup", "pm", "oth", "wide", "open")
    ])  # fmt: skip
    proj_a, proj_b = _ids(store, admin, [
        _create("Project", name="a", full_name="A"),
        _create("Project", name="b", full_name="B", status="hidden"),
    ])  # fmt: skip
    session_a, session_b = _ids(store, admin, [
        _create("ReviewSession", name="da", project_id=proj_a),
        _create("ReviewSession", name="db", project_id=proj_b),
    ])  # fmt: skip
    own = _ids(store, artist, [_create("ReviewSession", name="mine", project_id=proj_b)])[0]
    _role(store, admin, sup, "Supervisor", [proj_a])
    _role(store, admin, pm, "Project Manager", [proj_b])
    _role(store, admin, other, "User", [proj_a, proj_b])
    _role(store, admin, wide, "Supervisor", all_projects=True)
    _role(store, admin, opened, "Supervisor", all_open=True)

    assert _manages(store, admin, session_a) and _manages(store, admin, session_b)
    assert _manages(store, sup, session_a) and not _manages(store, sup, session_b)
    assert _manages(store, pm, session_b) and _manages(store, pm, own)
    assert not _manages(store, pm, session_a)
    assert not _manages(store, other, session_a) and not _manages(store, artist, session_a)
    assert _manages(store, artist, own) and not _manages(store, artist, session_b)
    assert _manages(store, wide, session_b)
    assert _manages(store, opened, session_a) and not _manages(store, opened, session_b)
    assert not _manages(store, sup, "no-such-session")
    with store.engine.connect() as conn:
        assert review_rights.managed_project_ids(conn, store, admin) is None
        assert review_rights.managed_project_ids(conn, store, wide) is None
        assert review_rights.managed_project_ids(conn, store, sup) == {proj_a}
        assert review_rights.managed_project_ids(conn, store, opened) == {proj_a}
        assert review_rights.managed_project_ids(conn, store, artist) == set()
        assert review_rights.created_session_ids(conn, store, artist) == {own}
        assert review_rights.may_publish(conn, store, artist, proj_a)
    store.execute([{"action": "update", "entity_type": "User", "entity_key": [sup],
                    "entity_data": {"is_active": False}}], admin)  # fmt: skip
    assert not _manages(store, sup, session_a)
