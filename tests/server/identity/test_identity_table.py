"""SECURITY.md's table of identities is the policy's: generated from it, and what each row says
an identity enters is what :func:`~ft_dcc.server.identity.policy.admits` answers."""

from __future__ import annotations

from pathlib import Path

from ft_dcc.server.identity.model import Door, Identity, Kind
from ft_dcc.server.identity.policy import ENTERS, Area, admits
from ft_dcc.server.identity.table import ROWS, TABLE_END, TABLE_START, identity_table

SECURITY = Path(__file__).resolve().parents[3] / "SECURITY.md"


def test_security_md_states_the_policys_table() -> None:
    text = SECURITY.read_text("utf-8")
    body = text[text.index("\n", text.index(TABLE_START)) + 1 : text.index(TABLE_END)]
    assert body.strip().splitlines() == identity_table(), (
        "SECURITY.md's identity table differs from the policy: run "
        "python -m ft_dcc.server.identity.table SECURITY.md"
    )


def test_every_identity_the_policy_admits_has_its_row() -> None:
    listed = {(row.identity.kind, row.identity.door, row.identity.purpose) for row in ROWS}
    for entries in ENTERS.values():
        for kind, door, purpose in entries:
            assert (kind, door, purpose) in listed or (
                purpose is None and any((kind, door) == (k, d) for k, d, _ in listed)
            )


def test_a_credential_of_one_door_enters_no_other_doors_area() -> None:
    key_user = Identity(Kind.USER, user_id="u", door=Door.API_KEY)
    signed_in = Identity(Kind.USER, user_id="u", door=Door.SIGNIN)
    personal = Identity(Kind.USER, user_id="u", door=Door.REVIEW_LINK)
    assert admits(key_user, Area.API) and not admits(key_user, Area.DESK)
    assert admits(signed_in, Area.DESK) and not admits(signed_in, Area.API)
    assert admits(personal, Area.REVIEW) and not admits(personal, Area.API)
    assert not admits(personal, Area.DESK) and not admits(key_user, Area.REVIEW)
    anonymous_at_key = Identity(Kind.ANONYMOUS, door=Door.API_KEY, username="u")
    assert not any(admits(anonymous_at_key, area) for area in Area)
