"""How long Play all holds a still: the session's ``still_hold_seconds`` setting as the page
reads it (a value no page can use falls back to the default, logged), and ``--still-hold`` as
the terminal checks it (out of range: refused saying the range)."""

from __future__ import annotations

import pytest

from ft_dcc.exceptions import ClientRulesError
from ft_dcc.protocol.client_review import DEFAULT_STILL_HOLD, STILL_HOLD
from ft_dcc.review.client_rules import ClientRules, check_still_hold
from ft_dcc.server.review.page.still_hold import hold_seconds


@pytest.mark.parametrize("value, seconds", [
    ("8", 8.0), ("0.5", 0.5), ("600", 600.0), ("0.1", DEFAULT_STILL_HOLD),
    ("601", DEFAULT_STILL_HOLD), ("nan", DEFAULT_STILL_HOLD), ("inf", DEFAULT_STILL_HOLD),
    ("five", DEFAULT_STILL_HOLD), ("", DEFAULT_STILL_HOLD), (None, DEFAULT_STILL_HOLD),
])  # fmt: skip
def test_the_page_reads_the_hold_or_the_default(value: object, seconds: float) -> None:
    assert hold_seconds(value) == seconds


def test_the_terminal_refuses_a_hold_out_of_range_and_writes_the_setting() -> None:
    for wrong in (0.0, -3.0, 0.4, 601.0, float("nan")):
        with pytest.raises(ClientRulesError, match=r"0\.5 to 600 seconds"):
            check_still_hold(wrong)
    assert check_still_hold(None) is None
    assert ClientRules(still_hold=check_still_hold(2.5)).settings() == {STILL_HOLD: "2.5"}
