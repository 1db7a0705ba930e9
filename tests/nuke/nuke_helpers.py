"""Paths for the Nuke adapter tests (shared helpers live in ``tests/support``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAKES = ROOT / "tests" / "fakes" / "nuke"
