"""A pyblish UI (pyblish-lite, pyblish-qml) drives the plugins it discovers; the settings given
to :func:`ft_dcc.publish.install` reach them as they reach a publish's: each plugin receives the
keys it owns as class attributes, a plugin the settings turn off is not offered, and an older
caller's former fields (``resolution``, ``check_severity``) still reach their plugins.

Seen failing first: the plugins a UI discovered kept their own defaults (the settings were read
from the request only by the publish path, once the plugins owned their keys).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterator

import pyblish.api
import pytest
from support import make_sequence

from ft_dcc.host.files import FilesHost
from ft_dcc.publish.pipeline import ui


@pytest.fixture
def installed(tmp_path: Path) -> Iterator[FilesHost]:
    host = FilesHost(str(make_sequence(tmp_path / "frames", frames=2, start=1001)), fps=25)
    filters = list(pyblish.api.registered_discovery_filters())
    try:
        yield host
    finally:
        ui.install(host)  # no settings: the next test's UI sees the plugins as they are
        assert list(pyblish.api.registered_discovery_filters()) == filters
        ui.release_work_dir()


def _discovered() -> Dict[str, type]:
    return {plugin.__name__: plugin for plugin in pyblish.api.discover()}


def test_the_plugins_a_ui_discovers_carry_the_settings_given_to_install(
    installed: FilesHost,
) -> None:
    settings = {"plugins": {"CollectCaptureSpec": {"resolution": "320x240", "hud": False},
                            "ValidateSceneSaved": {"enabled": False},
                            "ValidateFrameRange": {"severity": "warn"}}}  # fmt: skip
    ui.install(installed, settings=settings)
    plugins = _discovered()
    assert plugins["CollectCaptureSpec"].resolution == "320x240"  # type: ignore[attr-defined]
    assert plugins["CollectCaptureSpec"].hud is False  # type: ignore[attr-defined]
    assert plugins["ValidateFrameRange"].severity == "warn"  # type: ignore[attr-defined]
    assert "ValidateSceneSaved" not in plugins

    ui.install(installed)  # installed again without settings: the plugins' own values
    plugins = _discovered()
    assert "ValidateSceneSaved" in plugins
    assert plugins["ValidateFrameRange"].severity == "block"  # type: ignore[attr-defined]
    assert plugins["CollectCaptureSpec"].resolution != "320x240"  # type: ignore[attr-defined]


def test_an_older_callers_former_fields_reach_the_plugins_a_ui_discovers(
    installed: FilesHost,
) -> None:
    older = {"resolution": [640, 360], "check_severity": {"ValidateSceneSaved": "warn"}}
    ui.install(installed, settings=older)
    plugins = _discovered()
    assert plugins["CollectCaptureSpec"].resolution == [640, 360]  # type: ignore[attr-defined]
    assert plugins["ValidateSceneSaved"].severity == "warn"  # type: ignore[attr-defined]
