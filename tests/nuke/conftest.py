"""Fixtures for the Nuke adapter tests: the honest fake ``nuke`` (tests/fakes/nuke) on sys.path
for these tests only, reset to a fresh terminal-mode session before each test."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from nuke_helpers import FAKES

if str(FAKES) not in sys.path:
    sys.path.insert(0, str(FAKES))

import nuke


@pytest.fixture(autouse=True)
def nuke_state() -> Iterator[Any]:
    """The fake Nuke session, fresh for each test (``nuke -t`` mode, untitled script)."""
    from ft_dcc_hosts.nuke import callbacks

    state = nuke._fake.reset(gui=False)
    callbacks._rendered.clear()
    callbacks.reports.clear()
    callbacks.jobs.clear()
    yield state
    for job in callbacks.jobs:  # never leave a worker running into the next test
        if job.thread is not None:
            state.run_main_thread(until=job.done)
    nuke._fake.reset(gui=False)


@pytest.fixture
def comp(tmp_path: Path) -> Any:
    """A saved comp ``shot.nk``: Constant1 -> Write1 (``render/shot.####.png``),
    1001-1012 at 25 fps in a 320x180 format. Returns the Write node."""
    root = nuke.root()
    root["first_frame"].setValue(1001)
    root["last_frame"].setValue(1012)
    root["fps"].setValue(25)
    root["format"].setValue(nuke.addFormat("320 180 review_320"))
    constant = nuke.nodes.Constant(color=[0.8, 0.3, 0.1, 1.0])
    write = nuke.nodes.Write(
        file=(tmp_path / "render" / "shot.####.png").as_posix(), create_directories=True
    )
    write.setInput(0, constant)
    nuke.scriptSaveAs((tmp_path / "shot.nk").as_posix())
    return write


@pytest.fixture
def server_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Point FTRACK_* at a server (call with it) and the offline queue at a temp folder."""

    def point_at(server: Any) -> Any:
        for key, value in server.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("FT_DCC_QUEUE_DIR", str(tmp_path / "queue"))
        monkeypatch.delenv("FTRACK_CONTEXTID", raising=False)
        return server

    return point_at
