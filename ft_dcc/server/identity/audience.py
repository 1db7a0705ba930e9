"""What each audience may see of the studio's inside.

A VFX vendor never shows a client its internal statuses, its artists, their version comments or
its internal notes. The table below is the rule the review page, every JSON route a client can
reach, live events, exports and watermark text hold to; docs/reviewers.md, docs/review-identity.md
and SECURITY.md state it, and the tests hold those tables to this one.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Dict, FrozenSet, List

from ft_dcc.server.identity.model import Audience
from ft_dcc.server.rules.doc_table import write_between


class Inside(enum.Enum):
    """A part of the studio's inside that an audience may or may not see."""

    INTERNAL_STATUS = "the version's internal ftrack status"
    STUDIO_PEOPLE = "the names and e-mails of the studio's people (artists, reviewers)"
    VERSION_COMMENT = "the artist's version comment"
    INTERNAL_NOTES = "notes and drawings not shared with the client"
    OTHER_CLIENTS = "other clients' identities (unless the session lets clients see each other)"
    EDITORIAL = "the editor's cut of a session made from one (timings, handles: Play cut)"


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


#: the markers the generated table sits between in SECURITY.md, docs/reviewers.md and
#: docs/review-identity.md (tests hold every copy to :func:`sees_table`)
TABLE_START = "<!-- audience-table: generated from ft_dcc/server/identity/audience.py -->"
TABLE_END = "<!-- /audience-table -->"
#: how the table heads each audience's column
_COLUMNS = (
    (Audience.STUDIO, "a studio member (API key, sign-in, own link)"),
    (Audience.CLIENT, "an invited client (their own link)"),
    (Audience.GUEST, "a room guest (the room link)"),
)


def sees_table() -> List[str]:
    """The Markdown table of :data:`SEES`: one row per part of the studio's inside."""
    lines = [
        "| the studio's inside | " + " | ".join(name for _a, name in _COLUMNS) + " |",
        "|---|" + "---|" * len(_COLUMNS),
    ]
    for part in Inside:
        cells = " | ".join("yes" if sees(audience, part) else "never" for audience, _n in _COLUMNS)
        lines.append(f"| {part.value} | {cells} |")
    return lines


def write_sees_table(path: Path) -> bool:
    """Rewrite the table between the markers in ``path``; whether it changed."""
    return write_between(path, TABLE_START, TABLE_END, sees_table())


if __name__ == "__main__":  # pragma: no cover - the regeneration command
    import sys

    for name in sys.argv[1:] or ["SECURITY.md", "docs/reviewers.md", "docs/review-identity.md"]:
        print(f"{name}: {'regenerated' if write_sees_table(Path(name)) else 'up to date'}")
