"""What each audience may see of the studio's inside.

A VFX vendor never shows a client its internal statuses, its artists, their version comments or
its internal notes. The table below is the rule the review page, every JSON route a client can
reach, live events, exports and watermark text hold to; docs/reviewers.md, docs/review-identity.md
and SECURITY.md state it, and the tests hold those tables to this one.
"""

from __future__ import annotations

import enum
from typing import Dict, FrozenSet

from ft_dcc.server.identity.model import Audience


class Inside(enum.Enum):
    """A part of the studio's inside that an audience may or may not see."""

    INTERNAL_STATUS = "the version's internal ftrack status"
    STUDIO_PEOPLE = "the names and e-mails of the studio's people (artists, reviewers)"
    VERSION_COMMENT = "the artist's version comment"
    INTERNAL_NOTES = "notes and drawings not shared with the client"
    OTHER_CLIENTS = "other clients' identities (unless the session lets clients see each other)"


_EVERYTHING: FrozenSet[Inside] = frozenset(Inside)

#: what each audience sees of :class:`Inside`; anything not listed it never sees
SEES: Dict[Audience, FrozenSet[Inside]] = {
    Audience.STUDIO: _EVERYTHING,
    Audience.CLIENT: frozenset(),
    Audience.GUEST: frozenset(),
    Audience.NOBODY: frozenset(),
}


def sees(audience: Audience, part: Inside) -> bool:
    """Whether ``audience`` may see ``part`` of the studio's inside."""
    return part in SEES[audience]
