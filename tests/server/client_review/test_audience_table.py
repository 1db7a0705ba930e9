"""The who-sees-what table in SECURITY.md, docs/reviewers.md and docs/review-identity.md is the
code's (``ft_dcc.server.identity.audience.SEES``), as the review rights table is held to
``review_rights.RIGHTS``; and a client or room guest is shown none of the studio's inside."""

from __future__ import annotations

from pathlib import Path

import pytest

from ft_dcc.server.identity.audience import (
    SEES,
    TABLE_END,
    TABLE_START,
    Inside,
    sees_table,
)
from ft_dcc.server.identity.model import Audience

ROOT = Path(__file__).resolve().parents[3]


DOCUMENTS = ["SECURITY.md", "docs/reviewers.md", "docs/review-identity.md"]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_documents_table_is_the_codes(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    body = text[text.index("\n", text.index(TABLE_START)) + 1 : text.index(TABLE_END)]
    assert body.strip().splitlines() == sees_table(), (
        f"{document}'s who-sees-what table differs from ft_dcc/server/identity/audience.py; "
        f"regenerate it: python -m ft_dcc.server.identity.audience {document}"
    )


def test_every_part_of_the_inside_has_a_row_and_outsiders_see_none() -> None:
    rows = sees_table()[2:]
    assert [row.split(" | ")[0].lstrip("| ") for row in rows] == [p.value for p in Inside]
    assert SEES[Audience.STUDIO] == frozenset(Inside)
    for outsider in (Audience.CLIENT, Audience.GUEST, Audience.NOBODY):
        assert SEES[outsider] == frozenset()
