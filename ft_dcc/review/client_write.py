"""Writing a review session's client rules (:mod:`ft_dcc.review.client_rules`) and revoking its
client links, with standard ftrack API calls only: the same commands write ftrack's own fields
on a real ftrack server.

Revoking writes ``links_revoked_at`` (or ``invitee_links_revoked_at:<invitee id>``) = now: a
server that issues the review links itself (the embedded one, ``get_widget_url
review_session``) refuses every client link of the session issued before that time. ftrack
issues its own links and has no such setting: there the session's shared link is turned off
(``shareable_url_enabled``), and an invitee's link ends only when they are removed from the
session in ftrack (:func:`revoke` says so; it deletes nobody).
"""

from __future__ import annotations

import datetime as _dt
import logging
from typing import Dict, List, Optional

from ft_dcc.exceptions import ServerError
from ft_dcc.protocol import client_review as names
from ft_dcc.protocol.query_text import quote
from ft_dcc.review import sessions as review
from ft_dcc.review.client_rules import ClientRules
from ft_dcc.session.interface import EntityLike, PublishSession

log = logging.getLogger(__name__)


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


def issues_own_links(session: PublishSession, review_session: EntityLike) -> bool:
    """Whether the server issues the session's review links itself (the embedded server): only
    its links carry the issue time a revocation mark is compared with."""
    try:
        session.call([review.review_link_operation(review_session)])
    except ServerError as exc:
        log.debug("no review_session widget on this server: %s", exc)
        return False
    return True


def revoke(
    session: PublishSession, review_session: EntityLike, invitee: Optional[EntityLike] = None
) -> List[str]:
    """End the client links of ``review_session`` (only ``invitee``'s when given), committed;
    returns what was done, one line each."""
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")
    name = names.LINKS_REVOKED_AT
    if invitee is not None:
        name = names.INVITEE_LINKS_REVOKED_AT + str(invitee["id"])
    set_setting(session, review_session["id"], name, now)
    own = issues_own_links(session, review_session)
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
