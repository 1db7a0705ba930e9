"""Fixtures for the Maya adapter tests: the honest fake ``maya`` package (tests/fakes/maya) on
sys.path for these tests only, reset to a fresh GUI Maya before each test."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

FAKES = Path(__file__).resolve().parents[1] / "fakes" / "maya"
if str(FAKES) not in sys.path:
    sys.path.insert(0, str(FAKES))

from maya import _fake  # noqa: E402 - the fake's path must be added first


@pytest.fixture(autouse=True)
def maya_state() -> Iterator[_fake.FakeMaya]:
    """The fake Maya session, fresh for each test (GUI mode, untitled scene)."""
    _fake.state.reset()
    yield _fake.state
    _fake.state.reset()


@pytest.fixture
def saved_scene(maya_state: _fake.FakeMaya, tmp_path: Path) -> Path:
    """A saved scene ``shot.ma`` with a ``shotCam``: 1001-1012 at film (24 fps), 320x240."""
    maya_state.add_camera("shotCam", renderable=True)
    maya_state.attributes["perspShape.renderable"] = False
    maya_state.playback.update(minTime=1001.0, maxTime=1012.0)
    maya_state.attributes.update({"defaultResolution.width": 320, "defaultResolution.height": 240})
    path = tmp_path / "scenes" / "shot.ma"
    path.parent.mkdir()
    maya_state.scene_name = str(path)
    maya_state.save_scene_file(path)
    maya_state.modified = False
    return path
