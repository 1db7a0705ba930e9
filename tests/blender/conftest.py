"""Fixtures for the real-Blender tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict

import pytest
from blender_helpers import ROOT


@pytest.fixture
def blender_env(tmp_path: Path) -> Dict[str, str]:
    """The environment for a Blender subprocess: temp HOME and XDG dirs, no FTRACK_* leaks."""
    home = tmp_path / "home"
    for sub in ("", ".cache", ".config"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FTRACK_", "FT_DCC_"))}
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        PYTHONPATH=str(ROOT),
    )
    return env
