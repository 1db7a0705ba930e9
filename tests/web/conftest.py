"""Fixtures of the web page tests (``chromium`` comes from :mod:`support.browser`): ``page``
at :data:`support.browser.WEB_VIEWPORT`, the module's Firefox, and the shared cut
(:mod:`web.cut_fixtures`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pyblish.api
import pytest
from support.browser import WEB_VIEWPORT, fresh_page

from .cut_fixtures import cut_project, shared_cut, shared_cut_session  # noqa: F401 (fixtures)
from .firefox.firefox import Firefox, firefox_or_skip


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


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh Chromium page of :data:`~support.browser.WEB_VIEWPORT` (own context: no
    cookies or cache shared between tests)."""
    yield from fresh_page(chromium, WEB_VIEWPORT)


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    """The test process's Firefox on a fresh page for this module (:func:`firefox_or_skip`)."""
    yield from firefox_or_skip(tmp_path_factory.mktemp("firefox") / "driver.log")
