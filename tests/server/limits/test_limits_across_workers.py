"""The rate limits of failed authentication and the open-socket cap hold across server
processes: on PostgreSQL with 4 workers a guesser does not get 4 times the budget nor a user 4
times the sockets (limits injected through the environment, on a server of this module's own;
requests on new connections, so they spread over the workers).

Seen failing first (per-process counts): after the target's 8 failures, the right key from
another source was still answered 200 by the workers that had counted fewer; with 3 sockets
open, a fourth handshake was accepted by a worker holding fewer of them.
"""

from __future__ import annotations

import uuid
from typing import Any, Iterator, List

import pytest
import requests
from support.trust import add_api_user, start_server

from ..grants.hub_socket import HubSocket
from .test_auth_rate_limits import api

PER_TARGET = 8
SOCKETS = 3
TRIES = 8  # each on a new connection: with 4 workers every worker answers some


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, pg_cluster: Any) -> Iterator[Any]:
    url = pg_cluster.create_database("limits", template=pg_cluster.template)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FT_DCC_AUTH_WINDOW", "3600")
        patch.setenv("FT_DCC_AUTH_FAILURES_PER_SOURCE", "1000")
        patch.setenv("FT_DCC_AUTH_FAILURES_PER_TARGET", str(PER_TARGET))
        patch.setenv("FT_DCC_MAX_SOCKETS_PER_USER", str(SOCKETS))
        server = start_server(tmp_path_factory.mktemp("limits-pg"),
                              ["--database", url, "--workers", "4"])  # fmt: skip
    yield server
    server.stop()


def test_failures_on_a_target_lock_it_on_every_worker(shared: Any) -> None:
    name = "target-" + uuid.uuid4().hex[:6]
    _user_id, key = add_api_user(shared, name)
    wrong = [api(shared, "127.0.0.2", name, "wrong-" + uuid.uuid4().hex)[0]
             for _ in range(PER_TARGET)]  # fmt: skip
    assert wrong == [401] * PER_TARGET

    answers = [api(shared, "127.0.0.3", name, key)[0] for _ in range(TRIES)]  # the RIGHT key

    assert answers == [429] * TRIES
    assert api(shared, "127.0.0.3", shared.api_user, shared.api_key)[0] == 200  # others work


def test_a_users_sockets_are_capped_over_every_worker(shared: Any) -> None:
    name = "sockets-" + uuid.uuid4().hex[:6]
    _user_id, key = add_api_user(shared, name)
    opened: List[HubSocket] = []
    try:
        for _ in range(SOCKETS):
            opened.append(HubSocket(shared.url, shared.port, name, key))
        answers = [
            requests.get(shared.url + "/socket.io/1/", timeout=60,
                         headers={"ftrack-user": name, "ftrack-api-key": key}).status_code
            for _ in range(TRIES)
        ]  # fmt: skip
        assert answers == [429] * TRIES
    finally:
        for hub in opened:
            hub.close()
