"""The foundation: CLI entry point, exception messages, exact frame rates, the py3.9 check."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from ft_dcc.exceptions import ApiError, AuthenticationError, FtDccError, ServerError
from ft_dcc.publish.host_port import CaptureSpec, to_fraction

ROOT = Path(__file__).resolve().parents[1]


def test_cli_help_lists_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ft_dcc", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "usage: ft-dcc" in out


def test_errors_say_what_to_do() -> None:
    error = AuthenticationError("The server rejected user 'bob'.", exception="AuthError")
    assert isinstance(error, ServerError) and isinstance(error, ApiError)
    assert isinstance(error, FtDccError)
    assert "FTRACK_API_KEY" in str(error) and "bob" in str(error)
    assert error.exception == "AuthError"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (23.976, Fraction(24000, 1001)),
        ("24000/1001", Fraction(24000, 1001)),
        (29.97, Fraction(30000, 1001)),
        (59.94, Fraction(60000, 1001)),
        (25, Fraction(25)),
        (12.5, Fraction(25, 2)),
    ],
)
def test_fps_is_an_exact_rational(given: object, expected: Fraction) -> None:
    assert to_fraction(given) == expected


def test_capture_spec_round_trips_through_json_shape() -> None:
    spec = CaptureSpec(
        camera="cam",
        frame_start=1001,
        frame_end=1024,
        fps=23.976,
        width=640,
        height=360,
        display={"shading": "SOLID"},
    )
    data = spec.to_dict()
    assert data["fps"] == "24000/1001"
    assert CaptureSpec.from_dict(data) == spec
    assert spec.frame_count == 24


def test_py39_check_rejects_newer_syntax(tmp_path: Path) -> None:
    """vermin, as the test command runs it, fails on syntax newer than Python 3.9."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x):\n    match x:\n        case 1:\n            return 'one'\n")
    vermin = Path(sys.executable).parent / "vermin"
    result = subprocess.run(
        [str(vermin), "--no-tips", "--violations", "-t=3.9-", str(bad)],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "3.10" in result.stdout
