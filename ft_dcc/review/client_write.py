"""Writing a review session's client rules (:mod:`ft_dcc.review.client_rules`) and revoking its
client links, with standard ftrack API calls only: the same commands write ftrack's own fields
on a real ftrack server.

Revoking writes ``links_revoked_at`` (or ``invitee_links_revoked_at:<invitee id>``) = now: a
server that issues the review links itself (the embedded one, ``get_widget_url
review_session``) refuses every client link of the session issued before that time. "Now" is
the server's clock, read from the issue time of a link it has just issued (the machine's own
clock only when that cannot be read), so a machine whose clock is off revokes the right
links. ftrack issues its own links and has no such setting: there the session's shared link is
turned off (``shareable_url_enabled``), and an invitee's link ends only when they are removed
from the session in ftrack (:func:`revoke` says so; it deletes nobody).
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import logging
from typing import Dict, List, Optional
from urllib.parse import parse_qs, urlsplit

from ft_dcc.exceptions import ServerError
from ft_dcc.protocol import client_review as names
from ft_dcc.protocol.query_text import quote
from ft_dcc.review import sessions as review
from ft_dcc.review.client_rules import ClientRules
from ft_dcc.session.interface import EntityLike, PublishSession
from ft_dcc.session.replies import widget_url

log = logging.getLogger(__name__)


def _client_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def settings_of(session: PublishSession, review_session_id: str) -> Dict[str, EntityLike]:
    """The session's ``EntitySetting`` rows of group ``review``, by name (a fresh query)."""
    rows = session.query(
        "select parent_id, group, name, value from EntitySetting "
        f"where parent_id is {quote(review_session_id)} and group is {quote(names.GROUP)}"
    ).all()
    return {row["name"]: row for row in rows}


def set_setting(
    session: PublishSession, review_session_id: str, name: str, value: str,
    existing: Optional[Dict[str, EntityLike]] = None,
) -> None:  # fmt: skip
    """Create or change (not commit) the session's ``review`` setting ``name``."""
    rows = existing if existing is not None else settings_of(session, review_session_id)
    row = rows.get(name)
    if row is not None:
        row["value"] = value
        return
    rows[name] = session.create("EntitySetting", setting_data(review_session_id, name, value))


def setting_data(review_session_id: str, name: str, value: str) -> Dict[str, str]:
    """The values of a new ``EntitySetting`` row of the session (group ``review``)."""
    return {
        "parent_id": review_session_id,
        "parent_type": "ReviewSession",
        "group": names.GROUP,
        "name": name,
        "value": value,
    }


def apply_rules(
    session: PublishSession, review_session: EntityLike, wanted: ClientRules,
    existing: Optional[Dict[str, EntityLike]] = None,
) -> None:  # fmt: skip
    """Set ``wanted`` on ``review_session`` (not committed): ftrack's fields and its rows
    (``existing``: its rows when the caller knows them, ``{}`` for a session being created)."""
    if wanted.passphrase is not None:
        review_session["passphrase"] = wanted.passphrase
        review_session["passphrase_enabled"] = True
    elif wanted.passphrase_enabled is False:
        review_session["passphrase_enabled"] = False
    if wanted.opens is not None:
        review_session["start_date"] = wanted.opens
    if wanted.closes is not None:
        review_session["end_date"] = wanted.closes
    settings = wanted.settings()
    if settings and existing is None:
        existing = settings_of(session, review_session["id"])
    for name, value in settings.items():
        set_setting(session, review_session["id"], name, value, existing)


def issues_own_links(session: PublishSession, review_session: EntityLike) -> Optional[str]:
    """A fresh link to the session when the server issues its review links itself (the
    embedded server: only its links carry the issue time a revocation mark is compared with);
    None on a server that does not (ftrack)."""
    try:
        return widget_url(session.call([review.review_link_operation(review_session)])[0])
    except ServerError as exc:
        log.debug("no review_session widget on this server: %s", exc)
        return None


def issued_at(url: str) -> Optional[_dt.datetime]:
    """The server's time when it issued ``url`` (its token's ``t``), None when unreadable."""
    token = parse_qs(urlsplit(url).query).get("token", [""])[0]
    payload = token.split(".", 1)[0]
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:  # binascii.Error and JSON errors are ValueErrors
        return None
    when = data.get("t") if isinstance(data, dict) else None
    if isinstance(when, bool) or not isinstance(when, (int, float)) or when != when:
        return None
    return _dt.datetime.fromtimestamp(when, _dt.timezone.utc)


def revoke(
    session: PublishSession, review_session: EntityLike, invitee: Optional[EntityLike] = None
) -> List[str]:
    """End the client links of ``review_session`` (only ``invitee``'s when given), committed;
    returns what was done, one line each."""
    own = issues_own_links(session, review_session)
    # the server's clock (the fresh link's issue time), which the links' issue times are on
    now = ((issued_at(own) if own else None) or _client_now()).isoformat(timespec="microseconds")
    name = names.LINKS_REVOKED_AT
    if invitee is not None:
        name = names.INVITEE_LINKS_REVOKED_AT + str(invitee["id"])
    set_setting(session, review_session["id"], name, now)
    done = [f"{name} = {now}"]
    if not own and invitee is None:
        review_session["shareable_url_enabled"] = False
        done.append("this server issues ftrack's own links: its shared link is now off")
    if not own and invitee is not None:
        done.append(
            "this server issues ftrack's own links: remove the invitee from the session in "
            "ftrack to end theirs"
        )
    session.commit()
    return done
