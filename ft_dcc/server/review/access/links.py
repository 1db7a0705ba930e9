"""Opening a review link: who holds it, who it acts as, and whether it opens this session.

A link (see :mod:`ft_dcc.server.review.access.access`) opens a session when its token is valid for
it, the user who made it is still an active User, and:

* it was made for an invitee (``i``): that invitee still exists and belongs to the session; it
  acts as the invitee (:mod:`ft_dcc.server.review.access.identity`). An identity chosen through a
  room link (``r``) also needs the invitee to be one added in the room and the session to be still
  open to the room (not private);
* it was made for the session (or every session) by a user: the session is not private. Such a
  **room** link (the one a publish report prints) watches and follows, and writes nothing until
  its holder says who they are (:mod:`ft_dcc.server.review.page.room`): it never acts as the user
  who made it -- no presenting, no list of invitees, no managing -- and a private session is
  closed to it whoever made it (made public again, it opens again: privacy is the switch);
* it is a **personal** link (``p``, made by a User for themselves with their own API key, for
  one session, short-lived, and only while that key is theirs): the session is not private, or
  that User may manage it (creator or administrator, :mod:`ft_dcc.server.rules.review`); it
  acts as that User, who presents when they may manage the session, and writes notes, drawings
  and verdicts as themselves. A personal link made for a **signed-in** browser
  (``ft_dcc.server.signin``) rests on that sign-in instead of the key: it stops at sign-out, a
  new password or the User's deactivation.

Every request opens its link again: an inactive maker, a withdrawn invitee, a session made
private or a project an administrator closed (:data:`PROJECT_CLOSED`: every link of its
sessions, whoever made it, until it is reopened) ends it at the next use. So do the rules a
session sets on its client links -- revoked links, its window, its passphrase
(:mod:`ft_dcc.server.review.access.client_gate`).
"""

from __future__ import annotations

import hashlib
from typing import Dict, List, Optional, Set

import sqlalchemy as sa

from ft_dcc.server.http.auth import KEY_TABLE
from ft_dcc.server.identity.signins import signin_holds
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.review.access.access import PERSONAL, ReviewAccessError, ReviewSigner
from ft_dcc.server.review.access.client_gate import enforce, issued_at
from ft_dcc.server.review.access.identity import Invitee, load_invitee, own_invitee
from ft_dcc.server.review.access.link import Link
from ft_dcc.server.review.reads.data import ReviewData, SessionView
from ft_dcc.server.rules import permissions
from ft_dcc.server.rules.review import manages
from ft_dcc.server.rules.review_rights import managed_among
from ft_dcc.server.store.store import Execute

ROOM_CLOSED = (
    "This session is no longer open to its room link; ask the person who runs the review for "
    "your own invitation link."
)
KEY_REPLACED = (
    "This personal link was made with an API key that has since been replaced; make a new one "
    "with your current key: ft-dcc review open SESSION."
)
SIGNED_OUT = (
    "You signed out, or your sign-in ended (a new password, or your account was deactivated); "
    "sign in again at the server's page (/) to open this review."
)
#: a link of a session whose project an administrator closed (``Project.status`` not active)
PROJECT_CLOSED = (
    "This review's project was closed; ask the person who shared this review to reopen the "
    "project (an administrator's) or for another link."
)
PRIVATE_REFUSAL = (
    "This review session is private: only an invitee's own link or its owner's personal link "
    "(Open on the dailies desk, /desk/, or ft-dcc review open SESSION) opens it, not its shared "
    "link. Ask the person who runs the "
    "review for your own invitation link."
)


def speaks_as(link: Link, execute: Execute) -> Optional[Invitee]:
    """Whose verdicts the link gives: its invitee, for a personal link its maker's own invitee
    record (:func:`ft_dcc.server.review.access.identity.own_invitee`), for a room link no one."""
    if link.invitee is not None:
        return link.invitee
    if link.personal and link.review_session_id is not None:
        return own_invitee(execute, link.review_session_id, link.maker_id)
    return None


def open_link(
    store: StoreParts,
    execute: Execute,
    signer: ReviewSigner,
    token: Optional[str],
    review_session_id: Optional[str],
    passed: Optional[str] = None,
    answering: bool = False,
) -> Link:
    """The link of ``token`` for ``review_session_id`` (``None``: the list page), or raise
    :class:`ReviewAccessError` saying why it does not open it. ``passed``: the viewer's
    passphrase grant; ``answering``: the holder answers the passphrase prompt (every rule of
    :mod:`~ft_dcc.server.review.access.client_gate` but the passphrase)."""
    payload: Dict[str, object] = signer.check(token, review_session_id)
    link = _opened(store, execute, payload, str(token), review_session_id)
    enforce(store, signer, link, issued_at(payload), passed, answering)
    return link


def _opened(
    store: StoreParts,
    execute: Execute,
    payload: Dict[str, object],
    token: str,
    review_session_id: Optional[str],
) -> Link:
    """The link of a checked token's ``payload`` (who it acts as; a private session, a closed
    project's)."""
    maker = payload.get("u")
    if not isinstance(maker, str) or not permissions.is_active_user(store, maker):
        raise ReviewAccessError(
            "The user this review link was made for no longer exists or is inactive; ask "
            "for a new link."
        )
    expires = payload.get("e")  # a whole number of seconds (ReviewSigner.check read it so)
    link = Link(
        token=token,
        maker_id=maker,
        review_session_id=review_session_id,
        expires=float(expires) if isinstance(expires, (int, float)) else 0.0,
    )
    session: Optional[SessionView] = None  # the session, read once (none for the list page)
    if review_session_id is not None:
        session = ReviewData(execute, maker).session_facts(review_session_id)
        if session is not None and session.project_closed:
            raise ReviewAccessError(PROJECT_CLOSED)
    if "i" in payload:
        invitee = load_invitee(execute, payload.get("i"))
        if invitee is None or invitee.review_session_id != review_session_id:
            raise ReviewAccessError(
                "This invitation was withdrawn (the invitee is no longer part of the review "
                "session); ask for a new link."
            )
        if payload.get("r") and (not invitee.from_room or session is None or session.private):
            raise ReviewAccessError(ROOM_CLOSED)
        link.invitee = invitee
        return link
    link.personal = payload.get("p") == PERSONAL and review_session_id is not None
    signin = payload.get("si")
    if link.personal and signin:
        if not signin_holds(store, str(signin), maker):
            raise ReviewAccessError(SIGNED_OUT)
    elif link.personal and payload.get("km") != key_mark(store, maker):
        raise ReviewAccessError(KEY_REPLACED)
    link.shared = not link.personal
    if session is not None and not may_open(store, maker, session, shared=link.shared):
        raise ReviewAccessError(PRIVATE_REFUSAL)
    return link


def key_mark(store: StoreParts, user_id: str) -> str:
    """A mark of ``user_id``'s stored API key (a digest of its digest): a personal link made with
    it stops opening once the key is replaced (``""``: the User has no key)."""
    table = store.metadata.tables.get(KEY_TABLE)
    if table is None:
        return ""
    query = sa.select(table.c.key_hash).where(table.c.user_id == user_id)
    with store.engine.connect() as connection:
        row = connection.execute(query.order_by(table.c.username)).first()
    return hashlib.sha256(str(row[0]).encode("ascii")).hexdigest()[:16] if row else ""


def may_open(store: StoreParts, user_id: str, session: SessionView, shared: bool = False) -> bool:
    """Whether a user's (not an invitee's) link opens ``session``: a private one opens to no
    ``shared`` (room) link, whoever made it, and to a user's own link when they may manage it."""
    if not session.private:
        return True
    return not shared and manages(store, user_id, session.id)


def openable(store: StoreParts, user_id: str, sessions: List[SessionView]) -> List[SessionView]:
    """Those of ``sessions`` a user's own link opens (:func:`may_open` of each), in order: whom
    the private ones are managed by asked once, not once per session."""
    private = [s for s in sessions if s.private]
    managed: Set[str] = set()
    if private:
        rows = [{"id": s.id, "project_id": s.project_id, "created_by_id": s.created_by_id}
                for s in private]  # fmt: skip
        with store.engine.connect() as connection:
            managed = managed_among(connection, store, user_id, rows)
    return [s for s in sessions if not s.private or s.id in managed]
