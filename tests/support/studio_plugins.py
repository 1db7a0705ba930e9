"""The studio plugins ``docs/studio-plugins.md`` shows, written to a ``PYBLISHPLUGINPATH`` folder.

Each ```python block of the page that starts ``# file: NAME.py`` is one plugin file, so the tests
run exactly what a TD copies from the page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "studio-plugins.md"


def doc_plugins() -> Dict[str, str]:
    """The page's plugin files by name."""
    blocks = re.findall(r"```python\n# file: (\S+)\n(.*?)```", DOC.read_text("utf-8"), re.S)
    return dict(blocks)


def studio_plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *names: str) -> Path:
    """A folder holding the page's plugins ``names``, set as ``PYBLISHPLUGINPATH``."""
    plugins = doc_plugins()
    return plugin_files_dir(tmp_path, monkeypatch, {name: plugins[name] for name in names})


def plugin_files_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: Dict[str, str]
) -> Path:
    """A folder holding the plugin files ``files`` (name: source), set as ``PYBLISHPLUGINPATH``
    (a host's own studio plugins, e.g. one whose repair changes the scene)."""
    folder = tmp_path / "studio_plugins"
    folder.mkdir(exist_ok=True)
    for name, source in files.items():
        (folder / name).write_text(source, encoding="utf-8")
    monkeypatch.setenv("PYBLISHPLUGINPATH", str(folder))
    return folder


def assert_frame_list_version(
    session: Any, version_id: str, first: int, last: int, fps: float
) -> Any:
    """The version holds the page's ``ExtractFrameList`` component beside ft_dcc's and its
    metadata (``session``: a genuine ``ftrack_api`` session); returns the version."""
    version = session.get("AssetVersion", version_id)
    components = {c["name"]: c for c in version["components"]}
    assert sorted(components) == ["frame-list", "ftrackreview-mp4", "thumbnail"]
    sidecar = {"first": first, "last": last, "fps": fps}
    assert components["frame-list"]["size"] == len(json.dumps(sidecar))
    assert components["frame-list"]["file_type"] == ".json"
    rows = session.query(f'select key, value from Metadata where parent_id is "{version_id}"')
    assert {row["key"]: row["value"] for row in rows.all()} == {"frame_list": "frames.json"}
    return version
