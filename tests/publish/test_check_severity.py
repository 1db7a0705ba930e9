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
    settings = {"plugins": {"ValidateSceneSaved": {"severity": severity}}}
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


def test_the_pipeline_alone_turns_a_checks_findings_into_warnings() -> None:
    """A check names everything it found in one error (``checks.joined``) and never reads its
    severity; turned to ``warn``, the pipeline keeps the check's notes, then each finding as its
    own warning, and the step passes."""
    import pyblish.api

    from ft_dcc.exceptions import ValidationError
    from ft_dcc.publish.common.report import StepResult
    from ft_dcc.publish.pipeline.stages import _as_warning
    from ft_dcc.publish.rules.checks import joined
    from ft_dcc.publish.shared.state import warnings_of

    error = joined([ValidationError("range 1-10 is not the shot's", "pass --frames"),
                    ValidationError("24 fps is not the shot's 25")],
                   notes=["adopted the shot's numbering"])  # fmt: skip
    step = StepResult(plugin="ValidateFrameRange", label="Frame range", stage="validate",
                      ok=False, error=error.message, refused=True)  # fmt: skip
    context = pyblish.api.Context()

    passed = _as_warning(context, step, error)

    said = " (a warning: the settings turned this check to warn)"
    assert passed.ok and passed.error is None
    assert warnings_of(context.data) == [
        "adopted the shot's numbering",
        "Frame range: range 1-10 is not the shot's (pass --frames)" + said,
        "Frame range: 24 fps is not the shot's 25" + said,
    ]
