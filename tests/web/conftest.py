"""Fixtures of the web page tests (``chromium`` and ``page`` come from :mod:`support.browser`)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pyblish.api
import pytest


@pytest.fixture
def pyblish_isolation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Empty pyblish registries and a private offline queue for this test."""
    monkeypatch.delenv("PYBLISHPLUGINPATH", raising=False)
    monkeypatch.setenv("FT_DCC_QUEUE_DIR", str(tmp_path / "queue"))
    pyblish.api.deregister_all_paths()
    pyblish.api.deregister_all_plugins()
    yield
    pyblish.api.deregister_all_paths()
    pyblish.api.deregister_all_plugins()
    pyblish.api.deregister_all_hosts()
