"""Random hostile batches over real HTTP: always an array or the ftrack error shape, never a 500.

The generator mixes every action name with wrong types, path-like ids, huge numbers, nested junk
and half-valid operations. A fixed seed keeps failures reproducible.
"""

from __future__ import annotations

import json
import random
from typing import Any

import requests

ACTIONS = [
    "query", "create", "update", "delete", "query_server_information", "query_schemas",
    "get_upload_metadata", "complete_multipart_upload", "encode_media", "send_user_invite",
    "send_review_session_invite", "send_review_session_invites", "get_widget_url", "reset_remote",
]  # fmt: skip
INVALID_ACTIONS = ["bogus", "", None, 7]
KEYS = [
    "action", "entity_type", "entity_key", "entity_data", "expression", "component_id",
    "file_name", "file_size", "checksum", "parts", "upload_id", "version_id", "keep_original",
    "user_id", "review_session_invitee_id", "name", "theme", "reset_type",
]  # fmt: skip
TYPES = ["Project", "Shot", "FileComponent", "Metadata", "Job", "User", "Nope", "", "../x"]


def junk(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.randrange(12 if depth < 3 else 8)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.choice([0, -1, 2**63, 1.5, float(10**20)])
    if choice == 3:
        return rng.choice(["", "../../etc/passwd", "a" * 5000, "{x}", "é\u0000", "select from"])
    if choice == 4:
        return rng.choice(TYPES)
    if choice == 5:
        return "00000000-0000-0000-0000-00000000000" + str(rng.randrange(10))
    if choice == 6:
        return 'select id from Project where name is "' + rng.choice(['x"', "y", "(", ")"]) + '"'
    if choice == 7:
        return {"__type__": "datetime", "value": rng.choice(["2024-01-01", "nope", 5])}
    if choice == 8:
        return [junk(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(KEYS + TYPES): junk(rng, depth + 1) for _ in range(rng.randrange(5))}


def operation(rng: random.Random) -> Any:
    if rng.random() < 0.1:
        return junk(rng)
    op = {"action": rng.choice(INVALID_ACTIONS if rng.random() < 0.03 else ACTIONS)}
    for key in rng.sample(KEYS[1:], rng.randrange(6)):
        op[key] = junk(rng)
    if op["action"] in ("create", "update", "delete") and rng.random() < 0.5:
        op["entity_type"] = rng.choice(TYPES)
        op["entity_key"] = [junk(rng)]
        op["entity_data"] = {"__entity_type__": op["entity_type"], "name": junk(rng)}
    return op


def test_random_hostile_batches_never_break_the_server(fresh_server):
    rng = random.Random(20241122)
    http = requests.Session()
    headers = {"ftrack-user": fresh_server.api_user, "ftrack-api-key": fresh_server.api_key}
    outcomes = {"list": 0, "error": 0}
    for round_ in range(400):
        batch = [operation(rng) for _ in range(rng.randrange(1, 5))]
        if rng.random() < 0.05:
            batch = junk(rng)
        body = json.dumps(batch, allow_nan=False)
        response = http.post(fresh_server.url + "/api", data=body, headers=headers, timeout=60)
        assert response.status_code == 200, (round_, body[:300], response.text[:300])
        reply = response.json()
        outcomes["error" if isinstance(reply, dict) else "list"] += 1
        if isinstance(reply, dict):
            assert set(reply) == {"exception", "content", "error_code"}, (round_, reply)
            assert "Traceback" not in reply["content"]
            assert reply["exception"] != "ServerError" or "Internal" not in reply["content"], (
                round_,
                body[:500],
                reply,
            )
        else:
            assert isinstance(reply, list) and len(reply) == len(batch)
    assert outcomes["list"] >= 10 and outcomes["error"] >= 100, outcomes  # both paths exercised
    ok = http.post(
        fresh_server.url + "/api", json=[{"action": "query_schemas"}], headers=headers, timeout=30
    )
    assert isinstance(ok.json()[0], list)
