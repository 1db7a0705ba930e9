"""Signed, expiring tokens that open the web review page (``/review/...``) without an API key.

A token is ``<base64url JSON payload>.<base64url HMAC-SHA256>`` signed with a per-server secret
kept in the data dir (``review-page.key``, mode 0600, created on first use; delete it to revoke
every link at once). The payload holds ``k`` ("review"), ``rs`` (a ReviewSession id, or ``"*"``
for every session), ``u`` (the user who made the link), ``e`` (expiry, Unix seconds), ``t``
(when it was issued, Unix seconds to the millisecond: a session's revocation marks end the client
links issued before them, :mod:`ft_dcc.server.review.access.client_gate`; a token without ``t``
counts as issued at 0) and, for
an invitee's link, ``i`` (the ``ReviewSessionInvitee`` id the link acts as: notes, drawings and
statuses are theirs) and, for an identity chosen through a room link
(:mod:`ft_dcc.server.review.page.room`), ``r`` (1).

A link carries a **purpose**. Without ``i`` it is the session's shared **room** link (what a
publish report prints): it watches and follows, acts as no one, and never presents, lists the
invitees or manages, whoever made it. ``p`` = ``"personal"`` marks a **personal** link: made by a
User with their own API key for themselves, for one session, living at most
:data:`PERSONAL_MAX_TTL`, and only while that User's API key is the one it was made with (``km``,
a mark of the stored key's digest); it acts as that User (the owner presents and gives verdicts
through it). A personal link made for a signed-in browser carries ``si`` (the sign-in, as its
table keys it) instead of resting on the key: it opens only while that sign-in lasts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from pathlib import Path
from typing import Dict, Optional

from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.common.token_text import b64 as _b64
from ft_dcc.server.common.token_text import unb64 as _unb64  # strict: one spelling per token
from ft_dcc.server.files.filestore import load_or_create_secret
from ft_dcc.server.limits import limiter

SECRET_FILE_NAME = "review-page.key"
TOKEN_KIND = "review"
ALL_SESSIONS = "*"
#: How long a review link stays valid unless the caller asks otherwise (seconds).
DEFAULT_TTL = 24 * 3600
#: The longest validity a caller may ask for (seconds).
MAX_TTL = 30 * 24 * 3600
#: An invitee's link lives as long as its session's window: until the session's ``end_date``
#: (at most :data:`INVITEE_MAX_TTL`), or :data:`INVITEE_NO_END_TTL` when the session has none
#: (``widget_link.invitee_ttl``).
INVITEE_NO_END_TTL = 30 * 24 * 3600
INVITEE_MAX_TTL = 365 * 24 * 3600
#: The purposes of a link made for a session (not an invitee): shared, or one's own.
ROOM = "room"
PERSONAL = "personal"
PURPOSES = (ROOM, PERSONAL)
#: How long a personal link lives unless asked otherwise, and at most (seconds).
PERSONAL_TTL = 3600
PERSONAL_MAX_TTL = 12 * 3600

_signers: Dict[Path, ReviewSigner] = {}
_signers_lock = threading.Lock()


class ReviewAccessError(ServerError):
    """A review token is missing, forged, expired or for another review session."""

    exception = "PermissionError"
    status = 403


class LinkExpired(ReviewAccessError):
    """A link this server signed whose time is past: refused by the authentication layer's link
    door before any route (:mod:`ft_dcc.server.review.access.door`), the same on every route."""


EXPIRED = (
    "This review link has expired; ask for a new one (get_widget_url with "
    "name='review_session')."
)


def refuse_expired(payload: Dict[str, object], now: Optional[float] = None) -> None:
    """:class:`LinkExpired` when the checked token ``payload`` expired (``e`` before ``now``)."""
    expires = payload.get("e")
    if not isinstance(expires, (int, float)) or expires < (time.time() if now is None else now):
        raise LinkExpired(EXPIRED)


#: the longest token read (a link's is a few hundred characters): longer is refused unread
MAX_TOKEN = 4096


class ReviewSigner:
    """Signs and checks review-page tokens with one secret."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"ft_dcc review page", hashlib.sha256).digest()

    def _mac(self, body: str) -> bytes:
        return hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest()

    def sign(
        self,
        review_session_id: str,
        user_id: str,
        ttl: Optional[int] = None,
        invitee_id: Optional[str] = None,
        room: bool = False,
        personal: bool = False,
        key_mark: str = "",
        signin: str = "",
    ) -> str:
        """A token for ``review_session_id`` (or ``ALL_SESSIONS``) valid ``ttl`` seconds; with
        ``invitee_id`` it acts as that invitee of the session (``room``: one chosen through the
        session's room link); ``personal``: it acts as ``user_id`` (one session, short-lived), while
        ``user_id``'s API key is the one of ``key_mark`` -- or, with ``signin`` (a personal link
        made for a signed-in browser, ``ft_dcc.server.signin``), while that sign-in lasts."""
        longest = PERSONAL_MAX_TTL if personal else MAX_TTL
        if invitee_id is not None:
            longest = INVITEE_MAX_TTL
        default = PERSONAL_TTL if personal else DEFAULT_TTL
        seconds = default if ttl is None else max(1, min(int(ttl), longest))
        now = time.time()
        payload: Dict[str, object] = {
            "k": TOKEN_KIND,
            "rs": review_session_id,
            "u": user_id,
            "e": int(now) + seconds,
            "t": round(now, 3),
        }
        if invitee_id is not None:
            if review_session_id == ALL_SESSIONS:
                raise ValueError("an invitee's link opens their own review session only")
            payload["i"] = invitee_id
            if room:
                payload["r"] = 1
        if personal:
            if review_session_id == ALL_SESSIONS or invitee_id is not None:
                raise ValueError("a personal link opens one review session as its maker")
            payload["p"] = PERSONAL
            payload["km"] = key_mark
            if signin:  # a signed-in person's page: it lives as long as that sign-in
                payload["si"] = signin
        body = _b64(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8"))
        return body + "." + _b64(self._mac(body))

    def seal(self, purpose: str, text: str) -> str:
        """An HMAC of ``text`` for ``purpose`` under this server's secret (hex): what a grant
        given on top of a link carries (a passphrase grant's cookie)."""
        key = hmac.new(self._key, purpose.encode("utf-8"), hashlib.sha256).digest()
        return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def peek(self, token: str) -> Optional[Dict[str, object]]:
        """The payload of a token this server signed (``None``: not one), whatever its session
        and expiry, counting nothing: what the authentication layer reads a link's holder from
        (:mod:`ft_dcc.server.review.access.door`); :meth:`check` decides whether it opens a
        session."""
        try:
            if len(token) > MAX_TOKEN:
                return None
            body, mac = token.split(".", 1)
            if not hmac.compare_digest(self._mac(body), _unb64(mac)):
                return None
            payload = json.loads(_unb64(body))
        except (ValueError, TypeError, UnicodeError):
            return None
        return payload if isinstance(payload, dict) and payload.get("k") == TOKEN_KIND else None

    def check(
        self, token: Optional[str], review_session_id: Optional[str], any_session: bool = False
    ) -> Dict[str, object]:
        """The payload of a token this server signed for ``review_session_id`` (``None``: the list
        page; ``any_session``: whichever session it is for), expired or not: a request's link
        that expired never reaches a route (the link door refuses it, :func:`refuse_expired`)."""
        if not token:
            raise ReviewAccessError("This review link has no token; ask for a new link.")
        target = ALL_SESSIONS if any_session else str(review_session_id)  # the limiter's target
        try:
            if len(token) > MAX_TOKEN:
                raise ValueError("too long")
            body, mac = token.split(".", 1)
            if not hmac.compare_digest(self._mac(body), _unb64(mac)):
                raise ValueError("signature mismatch")
            payload = json.loads(_unb64(body))
            if not isinstance(payload, dict) or payload.get("k") != TOKEN_KIND:
                raise ValueError("not a review token")
            payload["e"] = int(payload.get("e", 0))
        except (ValueError, TypeError, UnicodeError):
            # a forged token counts (429 once its source or session is full); one this server
            # signed is no guess, and costs the limiter nothing
            limiter.reserve(limiter.LINK, target)
            raise ReviewAccessError(
                "This review link is not valid; ask for a new one (get_widget_url with "
                "name='review_session')."
            ) from None
        scope = payload.get("rs")
        if not any_session and scope != ALL_SESSIONS and scope != review_session_id:
            raise ReviewAccessError("This review link is for another review session.")
        return payload


def signer_for(data_dir: Path) -> ReviewSigner:
    """The signer of the server whose data dir is ``data_dir`` (secret created on first use)."""
    path = Path(data_dir) / SECRET_FILE_NAME
    with _signers_lock:
        signer = _signers.get(path)
        if signer is None:
            signer = _signers[path] = ReviewSigner(load_or_create_secret(path))
        return signer
