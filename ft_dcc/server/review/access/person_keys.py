"""A person's key in a review session, and the key the room sees: ``u:<user id>`` for a User's
own link, ``i:<invitee id>`` for an invitee, :data:`ROOM_KEY` for the room link; what a page of
the room link sees of the others is :func:`public_key`, a digest naming no id (the presenter's
watchers and lead, the feedback's verdicts)."""

from __future__ import annotations

import hashlib

#: the one person every holder of a session's room link is (it acts as no one)
ROOM_KEY = "r:room"


def public_key(review_session_id: str, key: str) -> str:
    """A person's key as the room sees it: the same for the same person in one session, naming
    no invitee's or User's id."""
    if key == ROOM_KEY:
        return key
    digest = hashlib.sha256(f"{review_session_id}\0{key}".encode()).hexdigest()
    return "w:" + digest[:20]
