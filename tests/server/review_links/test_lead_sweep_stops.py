"""The presenter lead guard's sweep (a thread per server) ends when its server stops.

Each server app starts one sweep (``review.lead_guard``); one left running after its server
closed kept checking a disposed database for as long as the process lived (a test process
starts dozens of servers)."""

from __future__ import annotations

import threading
from pathlib import Path

from starlette.testclient import TestClient

from ft_dcc.server.app import create_app
from ft_dcc.server.runtime.config import ServerConfig

SWEEP = "lead-sweep"


def _sweeps() -> set:
    return {thread for thread in threading.enumerate() if thread.name == SWEEP}


def test_a_servers_lead_sweep_ends_when_the_server_stops(tmp_path: Path) -> None:
    before = _sweeps()
    app = create_app(
        ServerConfig(data_dir=tmp_path / "data"),
        {"FTRACK_API_USER": "admin", "FTRACK_API_KEY": "k" * 32},
    )
    with TestClient(app) as client:  # runs the app's lifespan: start, then stop
        assert client.get("/review/").status_code in (200, 401, 403, 404)
        started = _sweeps() - before
        assert len(started) == 1, started
    (sweep,) = started
    sweep.join(30)  # a condition with a generous bound, not a wait for time to pass
    assert not sweep.is_alive(), "the lead sweep still runs after its server stopped"
