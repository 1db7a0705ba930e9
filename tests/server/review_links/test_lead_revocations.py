"""Which presenter leads a revocation makes the lead guard check again (``review.presenter
.lead_guard``): a User's or an invitee's revocation checks the leads that person holds, not every
led session of the studio (each check reads the session, its holder and their rights); a
session's checks its own lead; a link's, a project's or a lost bus's, every lead.

The guard's decision for each lead it checks is the presenter tests' (tests/web); here, only
which sessions are checked, on a real server's presenter table.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

from starlette.testclient import TestClient

from ft_dcc.server.app import create_app
from ft_dcc.server.grants.bus import EVERYTHING, INVITEE, LINK, PROJECT, SESSION, USER, Revocation
from ft_dcc.server.review.presenter.lead_guard import LeadGuard
from ft_dcc.server.review.presenter.presenter_state import PresenterRow
from ft_dcc.server.review.presenter.presenter_table import table_for
from ft_dcc.server.runtime.config import ServerConfig

LEADS = {"s-alice": "u:alice", "s-bob": "u:bob", "s-ann": "i:ann", "s-none": None}


def test_a_revocation_checks_the_leads_its_subject_holds(tmp_path: Path) -> None:
    app = create_app(
        ServerConfig(data_dir=tmp_path / "data"),
        {"FTRACK_API_USER": "admin", "FTRACK_API_KEY": "k" * 32},
    )
    with TestClient(app):
        server = app.state.server
        table = table_for(server.store)
        for session, key in LEADS.items():
            row = PresenterRow(lead_key=key, lead_name=key, page=None, secret_hash=None)
            table.change(session, lambda _old, row=row: row)
        guard = LeadGuard(server, table, lambda *_: None)
        guard.stop()  # its sweep and the bus: only the revocations below reach it
        checked: List[str] = []
        guard.check = checked.append  # type: ignore[assignment,method-assign]

        def checks(kind: str, subject: str) -> List[str]:
            checked.clear()
            guard.revoked(Revocation(kind, subject, seq=1))
            return sorted(checked)

        led = sorted(session for session, key in LEADS.items() if key)
        assert checks(USER, "alice") == ["s-alice"]
        assert checks(USER, "carol") == []  # leads nothing
        assert checks(INVITEE, "ann") == ["s-ann"]
        assert checks(INVITEE, "alice") == []  # an invitee id is not a User's
        assert checks(SESSION, "s-bob") == ["s-bob"]
        for kind in (LINK, PROJECT, EVERYTHING):
            assert checks(kind, "") == led, kind
