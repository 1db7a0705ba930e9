"""The rules a review session sets on its **client links**, checked on every use of one.

A client link is any link that does not act as a User who may manage the session: an invitee's
link, the room (shared) link, an identity chosen in the room, and the personal link of a User who
may not manage the session. The studio's own access (a manager's personal link, ``/api`` with a
key) is not bound. The rules are ftrack's own fields of the ``ReviewSession`` and its settings:

* **Revoked**: an ``EntitySetting`` (group ``review``) ``links_revoked_at`` (ISO-8601 UTC) ends
  every client link of the session issued before it; ``invitee_links_revoked_at:<invitee id>``
  the same for one invitee's links. A link's issue time is its token's ``t``.
* **Window**: before ``start_date`` the session is not open yet to client links, after
  ``end_date`` it is closed (as ``is_open``, which ftrack computes from ``end_date``); either way
  every route serves nothing and the page says when it opens or closed. ``availability`` is
  stored and read back as sent; it does not widen the window.
* **Passphrase**: with ``passphrase_enabled`` and a passphrase set, every route needs the
  viewer's **passphrase grant**: a cookie given for a right answer to the page's prompt
  (:mod:`ft_dcc.server.review.page.passphrase_page`), an HMAC over the session, the link and a mark
  of the stored hash (:func:`ft_dcc.server.rules.passphrase.mark`). A new passphrase, or turning it
  off and on again, changes the mark: every grant given before ends.

A client link of a session with an ``end_date`` expires then too (``Link.expires``): an open
``/live`` stream ends when the window closes. The rules are read straight from the database (the
hash never passes through a query reply).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Optional

import sqlalchemy as sa

from ft_dcc.server.audit import record_after
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.review.access.access import ReviewAccessError, ReviewSigner
from ft_dcc.server.rules import passphrase as passphrases
from ft_dcc.server.rules.review import manages

if TYPE_CHECKING:
    from ft_dcc.server.review.access.link import Link

SETTINGS_GROUP = "review"
LINKS_REVOKED = "links_revoked_at"
INVITEE_LINKS_REVOKED = "invitee_links_revoked_at:"
COOKIE_PREFIX = "ftdcc_pass_"
GRANT_PURPOSE = "passphrase grant"

OUTSIDE_WINDOW = "Ask the person who runs the review if you need it at another time."
NEEDS_PASSPHRASE = (
    "This review asks for a passphrase: open the review page and enter it (ask the person who "
    "sent you the link for it)."
)


class GateRefusal(ReviewAccessError):
    """A client link refused by one of its session's rules: who held it, for the audit trail
    (``access.refused``, :func:`record_refusal`)."""

    who = ""
    review_session_id: Optional[str] = None


class PassphraseNeeded(GateRefusal):
    """The link's session asks for a passphrase and this viewer holds no grant for it (the
    prompt: not recorded as a refusal)."""


class ReviewNotOpen(GateRefusal):
    """Outside the session's window: ``opens`` (not yet) or ``closed`` (already)."""

    def __init__(self, headline: str, state: str, when: dt.datetime) -> None:
        super().__init__(f"{headline} {OUTSIDE_WINDOW}")
        #: what the page says ("This review opens on ..." / "This review closed on ...")
        self.headline = headline
        self.state = state
        self.when = when


class LinkRevoked(GateRefusal):
    """The link was issued before the session's (or its invitee's) revocation mark."""


@dataclass(frozen=True)
class SessionRules:
    """What a session asks of its client links (read from the database)."""

    start: Optional[dt.datetime]
    end: Optional[dt.datetime]
    #: the stored passphrase hash when a passphrase is on, else None
    passphrase: Optional[str]
    created_by_id: Optional[str]
    #: Unix seconds of the revocation marks that apply to the link (0: none)
    revoked_at: float


def _aware(value: object) -> Optional[dt.datetime]:
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _mark_seconds(value: object) -> float:
    """A revocation mark's Unix seconds (an unreadable mark revokes everything: fail closed)."""
    try:
        parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)).timestamp()


def _table(store: StoreParts, type_name: str) -> sa.Table:
    return store.tables[store.model.types[type_name].family]


def read_rules(
    store: StoreParts, review_session_id: str, invitee_id: Optional[str]
) -> Optional[SessionRules]:
    """The rules of ``review_session_id`` for a link (of ``invitee_id``), or None (no session)."""
    sessions, settings = _table(store, "ReviewSession"), _table(store, "EntitySetting")
    names = [LINKS_REVOKED] + ([INVITEE_LINKS_REVOKED + invitee_id] if invitee_id else [])
    with store.engine.connect() as connection:
        row = connection.execute(
            sa.select(sessions).where(sessions.c.id == review_session_id)
        ).mappings().first()  # fmt: skip
        if row is None:
            return None
        marks = connection.execute(
            sa.select(settings.c.value).where(
                settings.c.parent_id == review_session_id,
                settings.c.group == SETTINGS_GROUP,
                settings.c.name.in_(names),
            )
        ).scalars().all()  # fmt: skip
    stored = row.get("passphrase")
    return SessionRules(
        start=_aware(row.get("start_date")),
        end=_aware(row.get("end_date")),
        passphrase=stored if row.get("passphrase_enabled") and stored else None,
        created_by_id=row.get("created_by_id"),
        revoked_at=max([0.0, *(_mark_seconds(value) for value in marks if value)]),
    )


def is_client(store: StoreParts, link: Link, rules: SessionRules) -> bool:
    """Whether ``link`` is bound by the session's rules (see the module)."""
    if link.invitee is not None or link.shared:
        return True
    return not manages(store, link.maker_id, link.review_session_id)


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def check_window(rules: SessionRules, now: dt.datetime) -> None:
    """``ReviewNotOpen`` outside the session's window."""
    if rules.start is not None and now < rules.start:
        raise ReviewNotOpen(f"This review opens on {_when(rules.start)}.", "opens", rules.start)
    if rules.end is not None and now >= rules.end:
        raise ReviewNotOpen(f"This review closed on {_when(rules.end)}.", "closed", rules.end)


def check_revoked(rules: SessionRules, issued_at: float) -> None:
    if rules.revoked_at and issued_at < rules.revoked_at:
        raise LinkRevoked(
            "This review link was revoked by the person who runs the review; ask them for a "
            "new link."
        )


def cookie_name(token: str) -> str:
    """The name of a link's passphrase grant cookie (one per link, so two links' viewers in one
    browser do not take each other's grant)."""
    return COOKIE_PREFIX + hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


def grant_value(signer: ReviewSigner, review_session_id: str, token: str, stored: str) -> str:
    """The grant a right answer gives: bound to the session, the link and the stored hash."""
    link_digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    text = "\0".join((review_session_id, link_digest, passphrases.mark(stored)))
    return signer.seal(GRANT_PURPOSE, text)


def holds_grant(
    signer: ReviewSigner, review_session_id: str, token: str, stored: str, passed: Optional[str]
) -> bool:
    if not passed:
        return False
    expected = grant_value(signer, review_session_id, token, stored)
    return hmac.compare_digest(expected.encode("ascii"), passed.encode("ascii", "replace"))


def passed_of(cookies: Mapping[str, str], token: Optional[str]) -> Optional[str]:
    """The passphrase grant a request carries for ``token``'s link (None: none)."""
    return cookies.get(cookie_name(token)) if token else None


def enforce(
    store: StoreParts,
    signer: ReviewSigner,
    link: Link,
    issued_at: float,
    passed: Optional[str],
    answering: bool = False,
) -> Optional[SessionRules]:
    """Raise when ``link`` (of its session) breaks one of the session's rules; a client link of
    a session with an ``end_date`` expires then. ``answering``: the holder is answering the
    passphrase prompt (every rule but the passphrase). The rules read, or None (not bound)."""
    session_id = link.review_session_id
    if session_id is None:
        return None
    invitee = link.invitee.id if link.invitee is not None else None
    rules = read_rules(store, session_id, invitee)
    if rules is None or not is_client(store, link, rules):
        return None
    try:
        check_revoked(rules, issued_at)
        check_window(rules, dt.datetime.now(dt.timezone.utc))
        if rules.passphrase and not answering:
            if not holds_grant(signer, session_id, link.token, rules.passphrase, passed):
                raise PassphraseNeeded(NEEDS_PASSPHRASE)
            link.passed = passed
    except GateRefusal as refusal:
        refusal.who, refusal.review_session_id = link.who, session_id
        raise
    if rules.end is not None:
        link.expires = min(link.expires or float("inf"), rules.end.timestamp())
    return rules


def record_refusal(store: StoreParts, refusal: GateRefusal, source: str) -> None:
    """Add ``access.refused`` to the trail for a revoked link or one outside the window (a
    passphrase prompt is not a refusal: a wrong answer is ``passphrase.failed``)."""
    if isinstance(refusal, PassphraseNeeded) or not refusal.who:
        return
    reason = "revoked" if isinstance(refusal, LinkRevoked) else "window"
    record_after(store, "access.refused", who=refusal.who,
                 review_session_id=refusal.review_session_id, source=source,
                 detail={"reason": reason, "message": refusal.message})  # fmt: skip


def issued_at(payload: Mapping[str, object]) -> float:
    """A token's issue time (``t``; 0 without one)."""
    value = payload.get("t")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value) if value == value else 0.0  # NaN: 0

