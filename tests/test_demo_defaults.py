"""``ft-dcc demo``'s shot: ``--frames``/``--size``, else ``FT_DCC_DEMO_FRAMES``/``FT_DCC_DEMO_SIZE``
(the README test's small shot), else 48 frames at 960x540."""

from __future__ import annotations

import pytest

from ft_dcc.demo import FRAMES_VARIABLE, SIZE_VARIABLE, demo_frames, demo_size


def test_the_options_win_then_the_variables_then_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(FRAMES_VARIABLE, raising=False)
    monkeypatch.delenv(SIZE_VARIABLE, raising=False)
    assert (demo_frames(None), demo_size(None)) == (48, "960x540")
    monkeypatch.setenv(FRAMES_VARIABLE, "12")
    monkeypatch.setenv(SIZE_VARIABLE, "320x180")
    assert (demo_frames(None), demo_size(None)) == (12, "320x180")
    assert (demo_frames(24), demo_size("640x360")) == (24, "640x360")
