"""``ft-dcc demo``'s shot: ``--frames``/``--size``, else ``FT_DCC_DEMO_FRAMES``/``FT_DCC_DEMO_SIZE``
(the README test's small shot), else 48 frames at 960x540."""

from __future__ import annotations

import pytest

from ft_dcc.demo import FRAMES_VARIABLE, SIZE_VARIABLE, demo_frames, demo_shape, demo_size
from ft_dcc.exceptions import ConfigurationError


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


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        (FRAMES_VARIABLE, "twelve"),
        (FRAMES_VARIABLE, "0"),
        (SIZE_VARIABLE, "wide"),
        (SIZE_VARIABLE, "320x0"),
    ],
)
def test_a_bad_value_is_refused_naming_where_it_came_from(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """A shot no one can render is refused before the demo starts its server, and the error
    names the variable (or option) to fix, not a Python traceback."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        demo_frames(None) if variable == FRAMES_VARIABLE else demo_shape(None)
    assert variable in caught.value.message and repr(value) in caught.value.message


def test_a_bad_size_option_is_refused_naming_the_option() -> None:
    with pytest.raises(ConfigurationError) as caught:
        demo_shape("1920*1080")
    assert "--size" in caught.value.message
    assert demo_shape("1920X1080") == (1920, 1080)
