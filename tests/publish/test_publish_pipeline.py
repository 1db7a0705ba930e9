"""The pipeline without a server: gating, the offline queue, studio plugins, repair actions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pyblish.api
import pyblish.plugin
import pytest
from publish_helpers import quick_publish

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import OfflineQueue, publish


def test_offline_publish_is_queued_with_encoded_media(
    offline_env: Path, sequence_25: Path, tmp_path: Path
) -> None:
    stages: List[str] = []
    report = quick_publish(
        FilesHost(sequence_25, fps=25),
        task="demo/sq010/sh010/comp",
        review_session_name="Dailies test",
        comment="first pass",
        progress=lambda stage, fraction, message="": stages.append(stage),
    )
    assert report.ok and report.queued, str(report)
    assert report.status == "queued"
    assert "offline queue" in report.summary()
    entries = OfflineQueue(offline_env).entries()
    assert len(entries) == 1
    entry = entries[0]
    manifest = entry.manifest
    assert manifest.task_path == "demo/sq010/sh010/comp" and manifest.task_id is None
    assert manifest.review_session_name == "Dailies test"
    assert manifest.version_id == report.asset_version_id
    assert manifest.review_session_object_id == report.review_session_object_id
    review = manifest.component("ftrackreview-mp4")
    assert review is not None and review.path(entry.media_dir).stat().st_size > 0
    assert json.loads(review.metadata["ftr_meta"])["frameOut"] == 12
    assert json.loads(review.metadata["ft_dcc_capture"])["frame_start"] == 1001
    assert manifest.component("thumbnail").path(entry.media_dir).is_file()
    assert {"capture", "encode", "verify", "thumbnail", "publish"} <= set(stages)
    saved = report.save(tmp_path / "report.json")
    assert json.loads(saved.read_text())["status"] == "queued"


def test_failed_validation_stops_before_capture(
    offline_env: Path, sequence_25: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    report = quick_publish(
        FilesHost(sequence_25, fps=25),
        task="demo/sq010/sh010/comp",
        frames=(1012, 1001),
        work_dir=work,
    )
    assert not report.ok and not report.queued
    assert any("ends before it starts" in e for e in report.errors), report.errors
    assert [s.stage for s in report.steps if s.stage in ("extract", "integrate")] == []
    assert not (work / "capture").exists()
    assert OfflineQueue(offline_env).entries() == []


def test_missing_credentials_fail_validation(
    monkeypatch: pytest.MonkeyPatch, queue_dir: Path, sequence_25: Path
) -> None:
    for name in ("FTRACK_SERVER", "FTRACK_API_USER", "FTRACK_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    report = publish(FilesHost(sequence_25, fps=25), task="demo/sh010/comp")
    assert not report.ok
    assert any("FTRACK_" in e for e in report.errors), report.errors
    assert OfflineQueue(queue_dir).entries() == []


STUDIO_PLUGIN = '''
import pyblish.api


class ExtractStudioMarker(pyblish.api.InstancePlugin):
    """A studio's own plugin: writes a marker next to the review movie."""

    label = "Studio marker"
    order = pyblish.api.ExtractorOrder + 0.15
    families = ["review"]

    def process(self, instance):
        import pathlib
        movie = pathlib.Path(instance.data["reviewMovie"])  # encoded before this extractor
        assert movie.stat().st_size > 0
        frames = instance.data["frameEnd"] - instance.data["frameStart"] + 1
        pathlib.Path(MARKER).write_text(str(frames))
        self.log.info("studio marker written")
'''

STUDIO_VALIDATOR = """
import pyblish.api


class ValidateStudioNaming(pyblish.api.ContextPlugin):
    label = "Studio naming"
    order = pyblish.api.ValidatorOrder

    def process(self, context):
        raise ValueError("shot names must start with 'sh'")
"""


def test_studio_plugin_on_pyblishpluginpath_runs_inside_the_publish(
    offline_env: Path, sequence_25: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugins = tmp_path / "studio_plugins"
    plugins.mkdir()
    marker = tmp_path / "marker.txt"
    (plugins / "extract_studio_marker.py").write_text(
        STUDIO_PLUGIN.replace("MARKER", repr(str(marker)))
    )
    monkeypatch.setenv("PYBLISHPLUGINPATH", str(plugins))
    report = quick_publish(FilesHost(sequence_25, fps=25), task="demo/sh010/comp")
    assert report.ok, str(report)
    assert marker.read_text() == "12"  # it ran after encoding, before integration
    step = next(s for s in report.steps if s.plugin == "ExtractStudioMarker")
    assert step.ok and "studio marker written" in step.messages


def test_failing_studio_validator_stops_the_publish(
    offline_env: Path, sequence_25: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugins = tmp_path / "studio_plugins"
    plugins.mkdir()
    (plugins / "validate_studio_naming.py").write_text(STUDIO_VALIDATOR)
    monkeypatch.setenv("PYBLISHPLUGINPATH", str(plugins))
    report = quick_publish(FilesHost(sequence_25, fps=25), task="demo/sh010/comp")
    assert not report.ok
    assert any("shot names must start" in e for e in report.errors)
    assert OfflineQueue(offline_env).entries() == []
    assert not any(s.stage == "extract" for s in report.steps)


class UnsavedFilesHost(FilesHost):
    """A files host whose "scene" reports unsaved changes until saved."""

    saved = False

    def has_unsaved_changes(self) -> bool:
        return not self.saved

    def save_scene(self) -> Path:
        self.saved = True
        return self.input_path


def test_unsaved_scene_fails_and_the_repair_action_saves(
    offline_env: Path, sequence_25: Path
) -> None:
    host = UnsavedFilesHost(sequence_25, fps=25)
    report = quick_publish(host, task="demo/sh010/comp")
    assert not report.ok
    assert any("unsaved changes" in e and "Save scene" in e for e in report.errors)

    from ft_dcc.publish.pipeline.stages import discover_plugins
    from ft_dcc.publish.shared.state import STATE_KEY, PublishContext

    plugin = next(p for p in discover_plugins() if p.__name__ == "ValidateSceneSaved")
    context = pyblish.api.Context()
    context.data[STATE_KEY] = PublishContext(host=host)
    action = plugin.actions[0]
    result = pyblish.plugin.process(plugin, context, None, action=action.id)
    assert result["error"] is None and host.saved
    report = quick_publish(host, task="demo/sh010/comp")
    assert report.ok and report.queued, str(report)


class AskingUnsavedHost(UnsavedFilesHost):
    """An unsaved host with a UI whose artist answers "yes, save it"."""

    def ask(self, question: str, default: bool = False) -> bool:
        return "Save it now" in question


def test_a_validator_only_looks_saving_the_scene_the_artist_agreed_to_is_its_repair(
    offline_env: Path, sequence_25: Path
) -> None:
    """The scene-saved check never writes to the scene: the artist's "yes, save it" asks for its
    repair (the Save scene action), which the pipeline runs before checking again; the artist
    reads no failure and no repair warning."""
    from ft_dcc.publish.pipeline.stages import discover_plugins
    from ft_dcc.publish.shared.state import STATE_KEY, PublishContext

    host = AskingUnsavedHost(sequence_25, fps=25)
    report = quick_publish(host, task="demo/sh010/comp")
    assert report.ok and report.queued, str(report)
    assert host.saved
    saved = [step for step in report.steps if "Save scene" in step.label]
    assert [step.ok for step in saved] == [True], report.steps  # the repair saved it
    assert not report.errors and not any("Save scene" in w for w in report.warnings)

    another = AskingUnsavedHost(sequence_25, fps=25)
    plugin = next(p for p in discover_plugins() if p.__name__ == "ValidateSceneSaved")
    context = pyblish.api.Context()
    context.data[STATE_KEY] = PublishContext(host=another)
    result = pyblish.plugin.process(plugin, context, None)
    assert result["error"] is not None and not another.saved  # the check looked, wrote nothing


class CameraFilesHost(FilesHost):
    """A files host that, like a DCC, has cameras."""

    uses_cameras = True

    def cameras(self) -> List[str]:
        return ["persp", "shotCam"]

    def current_camera(self) -> str:
        return "shotCam"


def test_a_missing_camera_fails_validation_listing_the_cameras(
    offline_env: Path, sequence_25: Path
) -> None:
    host = CameraFilesHost(sequence_25, fps=25)
    report = quick_publish(host, task="demo/sh010/comp", camera="renderCam")
    assert not report.ok
    assert any("'renderCam' is not in the scene" in e and "shotCam" in e for e in report.errors)
    ok = quick_publish(host, task="demo/sh010/comp")
    assert ok.ok and ok.capture["camera"] == "shotCam"


def test_missing_ffmpeg_fails_validation_before_capture(
    offline_env: Path, sequence_25: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ft_dcc.media.ffmpeg import ffmpeg_executable

    host = FilesHost(sequence_25, fps=25)
    host.resolution()  # read while ffmpeg is still there
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-ffmpeg"))
    ffmpeg_executable.cache_clear()
    try:
        report = quick_publish(host, task="demo/sh010/comp")
    finally:
        monkeypatch.delenv("IMAGEIO_FFMPEG_EXE")
        ffmpeg_executable.cache_clear()
    assert not report.ok
    assert any("ffmpeg is not available" in e and "IMAGEIO_FFMPEG_EXE" in e for e in report.errors)
    assert not any(s.stage == "extract" for s in report.steps)


def test_no_task_at_all_is_a_clear_error(offline_env: Path, sequence_25: Path) -> None:
    report = quick_publish(FilesHost(sequence_25, fps=25))
    assert not report.ok
    assert any("no ftrack task" in e and "FTRACK_CONTEXTID" in e for e in report.errors)
