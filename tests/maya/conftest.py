"""Fixtures for the Maya adapter tests: the honest fake ``maya`` package (tests/fakes/maya) on
sys.path for these tests only, reset to a fresh GUI Maya before each test."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

import pyblish.api
import pytest
from maya_helpers import FAKES

if str(FAKES) not in sys.path:
    sys.path.insert(0, str(FAKES))

from maya import _fake


@pytest.fixture(autouse=True)
def maya_state() -> Iterator[_fake.FakeMaya]:
    """The fake Maya session, fresh for each test (GUI mode, untitled scene)."""
    _fake.state.reset()
    yield _fake.state
    _fake.state.reset()


@pytest.fixture(autouse=True)
def pyblish_isolation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts with pyblish's registries empty (host-apis.md §6.4)."""
    monkeypatch.delenv("PYBLISHPLUGINPATH", raising=False)
    for reset in _PYBLISH_RESETS:
        getattr(pyblish.api, reset)()
    yield
    for reset in _PYBLISH_RESETS:
        getattr(pyblish.api, reset)()


_PYBLISH_RESETS = (
    "deregister_all_paths",
    "deregister_all_plugins",
    "deregister_all_hosts",
    "deregister_all_targets",
    "deregister_all_callbacks",
    "deregister_test",
)


@pytest.fixture
def server_env(fresh_server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """FTRACK_* pointing at this test's own embedded server; queue and schema cache in tmp."""
    for key, value in fresh_server.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FTRACK_API_SCHEMA_CACHE_PATH", str(tmp_path / "schema-cache"))
    monkeypatch.setenv("FT_DCC_QUEUE_DIR", str(tmp_path / "queue"))
    monkeypatch.delenv("FTRACK_CONTEXTID", raising=False)
    return fresh_server


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
