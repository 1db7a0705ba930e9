"""SECURITY.md's table of identities: per identity, what it proves, where the policy lets it in
and what it sees of the studio's inside, generated from :mod:`.policy` and :mod:`.audience`
(``python -m ft_dcc.server.identity.table SECURITY.md``); a test holds the document to it."""

from __future__ import annotations

from pathlib import Path
from typing import List, NamedTuple

from ft_dcc.server.identity.audience import SEES, Inside
from ft_dcc.server.identity.model import (
    DOWNLOAD,
    SIGNIN_LINK,
    UPLOAD,
    WIDGET,
    Door,
    Identity,
    Kind,
)
from ft_dcc.server.identity.policy import Area, admits
from ft_dcc.server.rules.doc_table import write_between

TABLE_START = "<!-- identity-table: generated from ft_dcc/server/identity/policy.py -->"
TABLE_END = "<!-- /identity-table -->"


class Row(NamedTuple):
    """One identity of the table: who it is, and how it acts there."""

    who: str
    identity: Identity
    acts_as: str


ROWS = (
    Row("a User by API key", Identity(Kind.USER, door=Door.API_KEY),
        "themselves, under their roles (`rules.permissions`, `rules.review`)"),
    Row("a User signed in", Identity(Kind.USER, door=Door.SIGNIN),
        "themselves, under their roles; every write carries the sign-in's CSRF token"),
    Row("a User by their personal review link", Identity(Kind.USER, door=Door.REVIEW_LINK),
        "themselves, in one session, under their roles"),
    Row("an invited client", Identity(Kind.INVITEE, door=Door.REVIEW_LINK),
        "their invitee, in one session, under the session's client rules"),
    Row("a room guest", Identity(Kind.ROOM_GUEST, door=Door.REVIEW_LINK),
        "no one until they say who they are (then an invitee added in the room)"),
    Row("a signed download URL", Identity(Kind.SIGNED_URL, door=Door.SIGNED_URL,
                                          purpose=DOWNLOAD),
        "the User it was made for, for one component's file, while they are active"),
    Row("a signed upload URL", Identity(Kind.SIGNED_URL, door=Door.SIGNED_URL, purpose=UPLOAD),
        "the upload of one component, once"),
    Row("a widget URL", Identity(Kind.SIGNED_URL, door=Door.SIGNED_URL, purpose=WIDGET),
        "no one: it shows one entity's name"),
    Row("a one-time sign-in link", Identity(Kind.SIGNED_URL, door=Door.SIGNED_URL,
                                            purpose=SIGNIN_LINK),
        "its User, once: it signs the browser in"),
    Row("anonymous (no credential, or one that proved nothing)", Identity(Kind.ANONYMOUS),
        "no one: `/`, `/health`, `/ready`, the sign-in form and static files"),
)  # fmt: skip


def _sees(row: Row) -> str:
    seen = SEES[row.identity.audience]
    if not seen:
        return "none of it"
    if seen == frozenset(Inside):
        return "all of it"
    return "; ".join(part.value for part in Inside if part in seen)


def identity_table() -> List[str]:
    """The Markdown table of :data:`ROWS` (``SECURITY.md``, between its markers)."""
    lines = [
        "| identity | proved by | audience | enters | acts as | sees of the studio's inside |",
        "|---|---|---|---|---|---|",
    ]
    for row in ROWS:
        areas = [area.value for area in Area if admits(row.identity, area)]
        lines.append(
            f"| {row.who} | {row.identity.door.value} | {row.identity.audience.value} | "
            f"{'; '.join(areas) or 'nothing'} | {row.acts_as} | {_sees(row)} |"
        )
    return lines


def write_identity_table(path: Path) -> bool:
    """Put :func:`identity_table` between the markers of ``path``; whether it changed."""
    return write_between(path, TABLE_START, TABLE_END, identity_table())


if __name__ == "__main__":  # pragma: no cover - the regeneration command
    import sys

    for name in sys.argv[1:] or ["SECURITY.md"]:
        print(f"{name}: {'regenerated' if write_identity_table(Path(name)) else 'up to date'}")
