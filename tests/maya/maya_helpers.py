"""Paths and helpers for the Maya adapter tests (shared ones live in ``tests/support``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FAKES = ROOT / "tests" / "fakes" / "maya"


def count_versions(session: Any) -> int:
    return len(session.query("select id from AssetVersion").all())
