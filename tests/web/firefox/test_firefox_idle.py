"""The test process's one Firefox (``firefox.firefox_or_skip``): handed out again while a test
process uses it, closed once left unused for ``IDLE_CLOSE`` seconds (an idle Firefox still costs
CPU), and never closed by the timer of an earlier give-back once handed out again."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..frame_code import wait_until
from . import firefox as shared

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_unused_firefox_is_closed_and_one_handed_out_again_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared, "IDLE_CLOSE", 3600.0)  # no timer fires in the first part
    holder = shared.firefox_or_skip(tmp_path / "driver.log")
    browser = next(holder)
    holder.close()  # given back: the idle one
    first_turn = browser.turn
    again = shared.firefox_or_skip(tmp_path / "unused.log")
    assert next(again) is browser  # handed out again, not launched anew
    again.close()

    shared._close_if_unused(browser, first_turn)  # the first give-back's timer, late
    assert browser.process.poll() is None
    assert [browser] == shared._IDLE  # still the idle one
    assert browser.evaluate("1 + 1") == 2

    monkeypatch.setattr(shared, "IDLE_CLOSE", 0.5)
    last = shared.firefox_or_skip(tmp_path / "unused.log")
    assert next(last) is browser
    last.close()
    wait_until(lambda: browser.process.poll() is not None, "the unused Firefox was not closed")
    assert not shared._IDLE
