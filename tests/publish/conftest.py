"""Fixtures for publish tests: pyblish isolation, an offline ftrack environment, sequences."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pyblish.api
import pytest
from support import free_port, make_sequence


@pytest.fixture(autouse=True)
def pyblish_isolation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts with pyblish's registries empty (host-apis.md §6.4)."""
    monkeypatch.delenv("PYBLISHPLUGINPATH", raising=False)
    pyblish.api.deregister_all_paths()
    pyblish.api.deregister_all_plugins()
    pyblish.api.deregister_all_hosts()
    pyblish.api.deregister_all_targets()
    pyblish.api.deregister_all_callbacks()
    yield
    pyblish.api.deregister_all_paths()
    pyblish.api.deregister_all_plugins()
    pyblish.api.deregister_all_hosts()
    pyblish.api.deregister_test()


@pytest.fixture
def queue_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "queue"
    monkeypatch.setenv("FT_DCC_QUEUE_DIR", str(path))
    return path


@pytest.fixture
def offline_env(monkeypatch: pytest.MonkeyPatch, queue_dir: Path) -> Path:
    """FTRACK_* pointing at a loopback port nobody listens on; returns the queue dir."""
    monkeypatch.setenv("FTRACK_SERVER", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("FTRACK_API_USER", "test.user")
    monkeypatch.setenv("FTRACK_API_KEY", "test-key-7f3c1d9e2b")
    monkeypatch.delenv("FTRACK_CONTEXTID", raising=False)
    return queue_dir


@pytest.fixture
def sequence_25(tmp_path: Path) -> Path:
    return make_sequence(tmp_path / "seq25", frames=12, start=1001)
