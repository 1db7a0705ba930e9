"""Review-page tokens: signed with the server's own key, scoped to a session, expiring."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ft_dcc.server.identity.model import Kind
from ft_dcc.server.review.access.access import (
    ALL_SESSIONS,
    MAX_TTL,
    LinkExpired,
    ReviewAccessError,
    ReviewSigner,
    _b64,
    _unb64,
    signer_for,
)
from ft_dcc.server.review.access.door import holder_of


def test_a_token_opens_its_own_session_only() -> None:
    signer = ReviewSigner(b"k" * 32)
    token = signer.sign("rs-1", "user-1")
    payload = signer.check(token, "rs-1")
    assert (payload["rs"], payload["u"], payload["k"]) == ("rs-1", "user-1", "review")
    with pytest.raises(ReviewAccessError, match="another review session"):
        signer.check(token, "rs-2")
    with pytest.raises(ReviewAccessError, match="another review session"):
        signer.check(token, None)


def test_an_all_sessions_token_opens_the_list_and_every_session() -> None:
    signer = ReviewSigner(b"k" * 32)
    token = signer.sign(ALL_SESSIONS, "user-1")
    assert signer.check(token, None)["rs"] == ALL_SESSIONS
    assert signer.check(token, "any-session")["u"] == "user-1"


def test_forged_foreign_and_edited_tokens_are_refused() -> None:
    signer = ReviewSigner(b"k" * 32)
    token = signer.sign("rs-1", "user-1")
    body, mac = token.split(".")
    edited = json.loads(_unb64(body))
    edited["rs"] = ALL_SESSIONS
    for bad in (
        "",
        None,
        "garbage",
        body + "." + _b64(b"x" * 32),
        _b64(json.dumps(edited).encode()) + "." + mac,
        ReviewSigner(b"other" * 8).sign("rs-1", "user-1"),
    ):
        with pytest.raises(ReviewAccessError):
            signer.check(bad, "rs-1")


def test_tokens_expire_and_lifetimes_are_clamped(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_700_000_000.999]  # a stopped clock: signed late in a second, checked at once
    monkeypatch.setattr(time, "time", lambda: now[0])
    signer = ReviewSigner(b"k" * 32)
    token = signer.sign("rs-1", "user-1", ttl=1)
    assert signer.check(token, "rs-1")
    assert holder_of(signer, token).kind is Kind.ROOM_GUEST
    now[0] += 2.1
    # the link door refuses it, before any route (a route's check no longer looks at the time)
    with pytest.raises(LinkExpired, match="This review link has expired; ask for a new one"):
        holder_of(signer, token)
    assert signer.check(token, "rs-1")["u"] == "user-1"
    long_lived = signer.check(signer.sign("rs-1", "u", ttl=10**9), "rs-1")
    assert long_lived["e"] <= now[0] + MAX_TTL


def test_the_secret_lives_in_the_data_dir_private_and_stable(tmp_path: Path) -> None:
    first = signer_for(tmp_path).sign("rs-1", "user-1")
    key = tmp_path / "review-page.key"
    assert key.stat().st_mode & 0o077 == 0
    assert len(key.read_bytes()) == 32
    assert ReviewSigner(key.read_bytes()).check(first, "rs-1")
