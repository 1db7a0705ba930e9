"""Found by ``bench/hostile_round.py``: an error reply echoed the caller's input unbounded (now
at most ``MAX_ERROR_CHARS`` of it).

A User sends one query whose expression is 17 MB of one word: the server answers
"Unknown entity type '<the 17 MB word>'" -- a reply larger than the 16 MB the server promises
to answer at most in one request (``FT_DCC_MAX_REPLY_BYTES``), built and held in memory for a
body of no value. In the hostile round a 30 MB body of this kind was answered with a 31 MB reply
in ~42 s on SQLite while another user's one-note write waited up to 40 s.
"""

from __future__ import annotations

from typing import Any

from support.trust import call

from ft_dcc.server.query.reply_budget import DEFAULT_MAX_REPLY_BYTES

WORD = 17 * 1024 * 1024


def test_an_error_reply_stays_within_the_reply_limit(embedded_server: Any) -> None:
    reply = call(embedded_server, [{"action": "query", "expression": "x" * WORD}])
    assert reply.status_code < 500, reply.status_code
    assert len(reply.content) < DEFAULT_MAX_REPLY_BYTES, len(reply.content)
    assert len(reply.content) < 64 * 1024, "an error names the problem, not the whole input"
