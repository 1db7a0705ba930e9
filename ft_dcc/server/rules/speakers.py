"""Who speaks for a review session's invitee: the Users a verdict or note of theirs comes from.

An invitee (a ``ReviewSessionInvitee``, usually a client without a login) writes through their
own link; the review routes run that write as

* the invitee's own **collaborator** User (an inactive User with an id derived from the
  invitee's id, :func:`collaborator_user_id`; ``ft_dcc.server.review.access.identity`` makes it), or
* the User who **claimed** the invitee (``ft_dcc.server.review.access.claims``: with their own key
  and the invitee's link, or by an administrator), recorded in :data:`CLAIM_TABLE`.

Those are the invitee's **speakers**: the ownership rule lets them (and the session's owner)
write the verdicts naming that invitee, and notes in a private session they are invited to. No
one else speaks for an invitee, whatever e-mail addresses say. The claims table lives here (the
rules read it) and is created at start-up by the review routes.
"""

from __future__ import annotations

from typing import List, Mapping, Optional, Set

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.model.builtin_data import stable_id
from ft_dcc.server.model.side_tables import declared_columns

CLAIM_TABLE = "ft_dcc_invitee_claim"


def claim_columns() -> List[sa.Column]:
    """The columns of :data:`CLAIM_TABLE` (one claim per invitee)."""
    return declared_columns(
        {"invitee_id": sa.String(64)},
        {"review_session_id": sa.String(64), "user_id": sa.String(64),
         "claimed_by_id": sa.String(64), "claimed_at": sa.DateTime},
    )  # fmt: skip


def collaborator_user_id(invitee_id: object) -> str:
    """The id of the invitee's own collaborator User (whether or not it exists yet)."""
    return stable_id("ReviewInviteeAuthor", str(invitee_id))


def _claims(metadata: sa.MetaData) -> Optional[sa.Table]:
    """The claims table, when this server defined it (a bare store without review routes has
    no claims)."""
    return metadata.tables.get(CLAIM_TABLE)


def speakers_of(connection: Connection, metadata: sa.MetaData, invitee: Mapping[str, object]
                ) -> Set[str]:  # fmt: skip
    """The User ids that speak for ``invitee`` (a ReviewSessionInvitee row)."""
    found = {collaborator_user_id(invitee["id"])}
    claims = _claims(metadata)
    if claims is not None:
        claimed = connection.execute(
            sa.select(claims.c.user_id).where(
                claims.c.invitee_id == str(invitee["id"]),
                claims.c.review_session_id == str(invitee.get("review_session_id")),
            )
        ).scalar()
        if claimed:
            found.add(str(claimed))
    return found


def speaks_in_session(
    connection: Connection, metadata: sa.MetaData, invitees: sa.Table, user_id: str,
    session_id: object,
) -> bool:  # fmt: skip
    """Whether ``user_id`` speaks for one of the invitees of review session ``session_id``
    (``invitees``: the ReviewSessionInvitee table)."""
    ids = [
        str(i)
        for i in connection.execute(
            sa.select(invitees.c.id).where(invitees.c.review_session_id == str(session_id))
        ).scalars()
    ]
    if any(collaborator_user_id(i) == user_id for i in ids):
        return True
    claims = _claims(metadata)
    if claims is None or not ids:
        return False
    found = connection.execute(
        sa.select(claims.c.invitee_id).where(
            claims.c.user_id == user_id,
            claims.c.review_session_id == str(session_id),
            claims.c.invitee_id.in_(ids),
        )
    ).first()
    return found is not None
