"""A review link whose time is past is refused by the authentication layer's link door, before
any route: the same clear message on every route a link opens (the page, its items, media,
notes, feedback, verdicts, the live stream, who-am-I), and nothing stored. Real server over
HTTP, SQLite and PostgreSQL with 4 workers.

The links are the server's own, signed with its key, their time moved an hour back (no test
waits for a clock).
"""

from __future__ import annotations

import html
import json
import time
from pathlib import Path
from typing import Any, Dict

import requests
from support.insiders import assert_unchanged, review_of, snapshot, token_of, widget

from ft_dcc.server.review.access.access import EXPIRED, SECRET_FILE_NAME, ReviewSigner, _b64, _unb64


def _expired(world: Any, token: str) -> str:
    """``token`` as this server would sign it, had it expired an hour ago."""
    body, _mac = token.split(".", 1)
    payload: Dict[str, Any] = json.loads(_unb64(body))
    payload["e"] = int(time.time()) - 3600
    signer = ReviewSigner((Path(world.server.data_dir) / SECRET_FILE_NAME).read_bytes())
    body = _b64(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    return body + "." + _b64(signer._mac(body))


def test_an_expired_link_is_refused_alike_on_every_route(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    review = review_of(world, alice, private=False)
    client = token_of(widget(world, alice, "ReviewSessionInvitee", review.client))
    room = token_of(widget(world, alice, "ReviewSession", review.session))
    base = f"{world.url}/review/{review.session}"
    item, movie = review.item, review.published["movie"]
    # the links open their session while they last
    assert requests.get(base, params={"token": client}, timeout=60).status_code == 200
    assert requests.get(base, params={"token": room}, timeout=60).status_code == 200

    before = snapshot(world)
    for token in (_expired(world, client), _expired(world, room)):
        page = requests.get(base, params={"token": token}, timeout=60)
        assert page.status_code == 403, page.text[:500]
        assert page.headers["content-type"].startswith("text/html")
        assert EXPIRED in html.unescape(page.text) and "Dailies" not in page.text
        assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
        replies = {
            "items": requests.get(f"{base}/items", params={"token": token}, timeout=60),
            "media": requests.get(f"{base}/media/{movie}", params={"token": token}, timeout=60),
            "notes": requests.get(f"{base}/notes", params={"token": token}, timeout=60),
            "feedback": requests.get(f"{base}/feedback", params={"token": token}, timeout=60),
            "whoami": requests.get(f"{base}/whoami", params={"token": token}, timeout=60),
            "live": requests.get(f"{base}/live", params={"token": token}, timeout=60),
            "add a note": requests.post(f"{base}/notes", params={"token": token}, timeout=60,
                                        json={"object_id": item, "content": "too late"}),
            "a verdict": requests.post(f"{base}/status", params={"token": token}, timeout=60,
                                       json={"object_id": item, "status": "approved"}),
        }  # fmt: skip
        for route, reply in replies.items():
            assert reply.status_code == 403, (route, reply.status_code, reply.text[:500])
            assert reply.json() == {"error": EXPIRED}, (route, reply.text[:500])
            assert reply.headers["cache-control"] == "no-store", route
    assert_unchanged(world, before)
