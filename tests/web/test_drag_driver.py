"""The tests' pointer drags in Chromium (``player_checks.ChromiumDriver``) place each point by
the element's box as it is at that moment: the drawing tests drag over a page that may still be
moving the element (content loading above it, a scroll). Firefox's driver:
test_player_firefox.py."""

from __future__ import annotations

from typing import Any

import pytest

from .player_checks import ChromiumDriver, check_drag_follows_a_moving_element

pytestmark = pytest.mark.browser


def test_a_drag_follows_an_element_the_page_moves(page: Any) -> None:
    check_drag_follows_a_moving_element(ChromiumDriver(page))
