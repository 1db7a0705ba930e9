"""An API key stops working on every server process as soon as it is rotated or its User is
deactivated: no process answers from a cached check made before (SQLite; PostgreSQL with 4
workers, where requests are spread over the workers by the shared listening socket).

Seen failing first: each worker kept a verified key for 10 s (``KeyRing.VERIFIED_TTL``), so on
PostgreSQL with 4 workers the old key was still answered by the workers that had checked it.
"""

from __future__ import annotations

import uuid
from typing import Any, List

from support.trust import add_api_user, call, update

#: Requests per check: enough for every one of 4 workers to answer several (new connection each).
ROUNDS = 40
#: A refusal: the key is wrong (401), or its guesses are being refused unseen (429, rate limit).
REFUSED = {401, 429}


def _statuses(world: Any, user: str, key: str) -> List[int]:
    """The status of ``ROUNDS`` queries as ``user``/``key``, each on a new connection."""
    operations = [{"action": "query", "expression": "select id from Project limit 1"}]
    return [call(world.server, operations, user=user, key=key).status_code for _ in range(ROUNDS)]


def _new_user(world: Any) -> Any:
    name = f"leaver-{uuid.uuid4().hex[:8]}"
    user_id, key = add_api_user(world.server, name)
    assert set(_statuses(world, name, key)) == {200}  # every process has checked (and cached) it
    return name, user_id, key


def test_a_rotated_key_is_refused_by_every_process(trust_world: Any) -> None:
    world = trust_world
    name, user_id, old_key = _new_user(world)
    reply = call(world.server, [{"action": "reset_remote", "reset_type": "api_key",
                                 "entity_type": "User", "entity_key": [user_id]}])  # fmt: skip
    assert reply.status_code == 200, reply.text
    new_key = reply.json()[0]["data"]["api_key"]

    after = _statuses(world, name, old_key)

    assert after.count(200) == 0, f"the old key was answered {after.count(200)} times"
    assert set(after) <= REFUSED
    assert set(_statuses(world, name, new_key)) == {200}


def test_a_deactivated_users_key_is_refused_by_every_process(trust_world: Any) -> None:
    world = trust_world
    name, user_id, key = _new_user(world)
    reply = call(world.server, [update("User", user_id, is_active=False)])
    assert reply.status_code == 200, reply.text

    after = _statuses(world, name, key)

    assert after.count(200) == 0, f"the deactivated key was answered {after.count(200)} times"
    assert set(after) <= REFUSED
