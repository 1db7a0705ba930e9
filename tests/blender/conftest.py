"""Fixtures for the real-Blender tests."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest
from blender_helpers import blender_environment


@pytest.fixture
def blender_env(tmp_path: Path) -> Dict[str, str]:
    """The environment for a Blender subprocess: temp HOME and XDG dirs, no FTRACK_* leaks."""
    return blender_environment(tmp_path)
