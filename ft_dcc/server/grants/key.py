"""The grant of a checked API key, shared by the key ring (``http.auth``) that makes and
re-checks it and the event hub (``events.grants``) whose sockets hold it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyGrant:
    """What a checked key grants: who it is, and which key (its stored digest) it was.

    Held by things that stay open on one check (a hub socket); ``KeyRing.holds`` re-checks it
    against the database."""

    username: str
    user_id: str
    key_hash: str
