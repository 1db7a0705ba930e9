"""Check severities from the settings (``checks.*``): block stops the publish, warn publishes
and reports the problem, off skips the check."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
from publish_helpers import quick_publish
from support import make_task, open_session

from ft_dcc.host.files import FilesHost


class UnsavedHost(FilesHost):
    """A files host whose "scene" has unsaved changes (and no UI to ask the artist)."""

    def scene_path(self) -> Optional[Path]:
        return self.input_path

    def has_unsaved_changes(self) -> bool:
        return True


@pytest.mark.parametrize(("severity", "ok"), [("block", False), ("warn", True), ("off", True)])
def test_the_scene_saved_check_follows_its_severity(
    ftrack_env, queue_dir: Path, sequence_25: Path, tmp_path: Path,
    severity: str, ok: bool,
) -> None:  # fmt: skip
    with open_session(ftrack_env, tmp_path) as session:
        task = make_task(session, fstart=1001, fend=1012, fps=25)
    settings = {"check_severity": {"ValidateSceneSaved": severity}}
    report = quick_publish(UnsavedHost(sequence_25, fps=25), task=task, settings=settings)
    assert report.ok is ok, str(report)
    step = next(s for s in report.steps if s.plugin == "ValidateSceneSaved")
    if severity == "block":
        assert not step.ok and "unsaved changes" in report.errors[0]
    elif severity == "warn":
        assert step.ok and any("unsaved changes" in w for w in report.warnings)
    else:
        assert step.ok and step.skipped == "turned off by the settings (checks.*)"
        assert not any("unsaved" in w for w in report.warnings)
    assert bool(report.asset_version_id) is ok
