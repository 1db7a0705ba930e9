"""Shared by the tests/settings tests that run ``ft-dcc`` for real (support.cli)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.cli import ft_dcc as ft_dcc  # re-exported: the settings tests import it here


def write(path: Path, data: Any) -> Path:
    """``data`` as JSON in ``path``."""
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
