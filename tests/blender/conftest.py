"""Fixtures for the real-Blender tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest
from blender_helpers import blender_environment, on_own_server
from dialog_window import run_dialog_window
from feedback_window import run_feedback_window
from gui_window import run_gui_window


@pytest.fixture
def blender_env(tmp_path: Path) -> Dict[str, str]:
    """The environment for a Blender subprocess: temp HOME and XDG dirs, no FTRACK_* leaks."""
    return blender_environment(tmp_path)


@pytest.fixture(scope="session")
def feedback_window(
    tmp_path_factory: pytest.TempPathFactory, embedded_server: Any
) -> Tuple[Dict[str, Any], Path]:
    """The one windowed Blender run of the feedback tests (feedback_window.py); (its RESULT,
    the screenshots folder). Session-wide, its tests in one xdist group: made once."""
    return run_feedback_window(tmp_path_factory.mktemp("feedback-window"), embedded_server)


@pytest.fixture(scope="session")
def gui_window(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    """The one windowed Blender run of the sidebar publishes (gui_window.py), on a server of its
    own; its tests in one xdist group: made once, the server stopped at the session's end."""
    yield from on_own_server(tmp_path_factory, "gui-window", run_gui_window)


@pytest.fixture(scope="session")
def dialog_window(tmp_path_factory: pytest.TempPathFactory, embedded_server: Any) -> Dict[str, Any]:
    """The one windowed Blender run of the new-session dialogs (dialog_window.py); its tests in
    one xdist group: made once."""
    return run_dialog_window(tmp_path_factory.mktemp("dialog-window"), embedded_server)
