"""The settings file's own ``plugins`` section is a layer like the server's documents: a studio
that works from the file alone (offline, or with no documents pushed) gives its plugins their
attributes from it, and its project documents' sections lie over it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ft_dcc.settings import store


def test_the_files_plugins_section_reaches_the_resolved_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ft_dcc.publish.request.settings_options import settings_for_publish

    document = {
        "plugins": {"ValidateFrameRange": {"enabled": False},
                    "ValidateSceneSaved": {"severity": "warn"}},
        "projects": {"demo": {"plugins": {"ValidateSceneSaved": {"severity": "off"}}}},
    }  # fmt: skip
    path = tmp_path / "studio.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(path))
    for name in ("FTRACK_SERVER", "FTRACK_API_USER", "FTRACK_API_KEY", "FTRACK_CONTEXTID"):
        monkeypatch.delenv(name, raising=False)
    (studio,) = store.file_sources(None)
    assert studio.document.plugins == document["plugins"]
    found = settings_for_publish("files", "demo/sq010/sh010/comp", "x.mov").resolved
    assert found.plugins == {"ValidateFrameRange": {"enabled": False},
                             "ValidateSceneSaved": {"severity": "off"}}  # fmt: skip
