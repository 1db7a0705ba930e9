"""Shared by the tests/settings tests that run ``ft-dcc`` for real (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict


def ft_dcc(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``python -m ft_dcc ARGS`` with ``env`` over this process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "ft_dcc", *args],
        env=dict(os.environ, **env), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def write(path: Path, data: Any) -> Path:
    """``data`` as JSON in ``path``."""
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
