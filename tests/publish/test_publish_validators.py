"""Validators: one clear error without ftrack settings, cameras, shot ranges (explicit vs
default custom attributes), and the "server lost" decision."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import List

import pytest
import requests
from publish_helpers import quick_publish
from support import make_sequence, make_task, metadata_of, open_session

from ft_dcc.exceptions import ApiConnectionError, UploadError
from ft_dcc.host.files import FilesHost
from ft_dcc.publish import OfflineQueue, publish
from ft_dcc.publish.common.failures import is_connection_failure
from ft_dcc.session import RetryPolicy

# -- 1. no ftrack settings: one clear error, session-dependent validators skipped ------------


def test_missing_settings_give_one_error_and_skip_what_needs_a_session(
    monkeypatch: pytest.MonkeyPatch, queue_dir: Path, sequence_25: Path
) -> None:
    for name in ("FTRACK_SERVER", "FTRACK_API_USER", "FTRACK_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    report = publish(FilesHost(sequence_25, fps=25), task="demo/sh010/comp")
    assert not report.ok
    assert len(report.errors) == 1, report.errors
    (error,) = report.errors
    for name in ("FTRACK_SERVER", "FTRACK_API_USER", "FTRACK_API_KEY", "export"):
        assert name in error, error
    assert "AttributeError" not in str(report) and "looks like a bug" not in str(report)
    task_step = next(s for s in report.steps if s.plugin == "ValidateTask")
    assert task_step.ok and task_step.skipped == "no connection to ftrack"
    assert "skipped: no connection to ftrack" in str(report)
    assert not any(s.stage == "extract" for s in report.steps)
    assert OfflineQueue(queue_dir).entries() == []


def test_refused_credentials_give_one_error(
    embedded_server, monkeypatch: pytest.MonkeyPatch, queue_dir: Path, sequence_25: Path
) -> None:
    monkeypatch.setenv("FTRACK_SERVER", embedded_server.url)
    monkeypatch.setenv("FTRACK_API_USER", embedded_server.api_user)
    monkeypatch.setenv("FTRACK_API_KEY", "not-the-key")
    report = quick_publish(FilesHost(sequence_25, fps=25), task="demo/sh010/comp")
    assert not report.ok and len(report.errors) == 1, report.errors
    assert "refused the credentials" in report.errors[0]
    assert "unexpected" not in report.errors[0]


def test_unreachable_server_with_credentials_still_queues(
    offline_env: Path, sequence_25: Path
) -> None:
    report = quick_publish(FilesHost(sequence_25, fps=25), task="demo/sh010/comp")
    assert report.ok and report.queued, str(report)
    assert {"extract", "integrate"} <= {s.stage for s in report.steps}
    assert len(OfflineQueue(offline_env).entries()) == 1


# -- 2. cameras --------------------------------------------------------------------------------


class CameralessSceneHost(FilesHost):
    """A DCC-like host (cameras are its business) whose scene has no camera, like an empty
    Blender scene; it captures from files so the test needs no DCC."""

    uses_cameras = True


class NamedCameraHost(FilesHost):
    uses_cameras = True

    def cameras(self) -> List[str]:
        return ["shotCam"]

    def current_camera(self) -> str:
        return "shotCam"


def test_scene_without_a_camera_is_refused_before_capture(
    offline_env: Path, sequence_25: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    report = quick_publish(
        CameralessSceneHost(sequence_25, fps=25),
        task="demo/sh010/comp",
        work_dir=work,
    )
    assert not report.ok
    (error,) = report.errors
    assert "Scene has no camera to playblast from — add a camera" in error
    assert not any(s.stage == "extract" for s in report.steps)
    assert not (work / "capture").exists()
    assert OfflineQueue(offline_env).entries() == []


def test_a_named_camera_that_does_not_exist_is_refused_before_capture(
    offline_env: Path, sequence_25: Path
) -> None:
    for host in (NamedCameraHost(sequence_25, fps=25), CameralessSceneHost(sequence_25, fps=25)):
        report = quick_publish(host, task="demo/sh010/comp", camera="renderCam")
        assert not report.ok, type(host).__name__
        assert any("'renderCam'" in e for e in report.errors), report.errors
        assert not any(s.stage == "extract" for s in report.steps)


def test_hosts_without_cameras_by_nature_are_not_refused(
    offline_env: Path, sequence_25: Path
) -> None:
    from ft_dcc.publish.host_port import Host

    assert Host.uses_cameras is True  # the default: a DCC host must have a camera
    assert FilesHost.uses_cameras is False
    report = quick_publish(FilesHost(sequence_25, fps=25), task="demo/sh010/comp")
    assert report.ok and report.queued, str(report)
    step = next(s for s in report.steps if s.plugin == "ValidateCamera")
    assert step.ok


def test_nuke_host_has_no_cameras_by_nature() -> None:
    """NukeHost, imported with the honest fake ``nuke`` module (tests/fakes/nuke)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    code = (
        "from ft_dcc_hosts.nuke.host import NukeHost\n"
        "from ft_dcc.publish.rules.checks import check_camera\n"
        "host = NukeHost()\n"
        "print(host.uses_cameras, host.cameras(), check_camera(host, None))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root / "tests/fakes/nuke"), str(root)]))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["False", "[]", "None"], out.stdout + out.stderr


# -- 4. "the server was lost": follow the cause chain --------------------------------------------


def _raise_chain(*errors: BaseException) -> BaseException:
    """Raise errors[0] from errors[1] from ... and return the outermost, as code would."""
    caught: BaseException = errors[-1]
    for outer in reversed(errors[:-1]):
        try:
            raise outer from caught
        except BaseException as exc:
            caught = exc
    return caught


def test_is_connection_failure_follows_the_cause_chain() -> None:
    wrapped = _raise_chain(
        UploadError("upload failed"), ApiConnectionError("refused"), OSError("x")
    )
    assert is_connection_failure(wrapped)
    assert is_connection_failure(_raise_chain(UploadError("u"), requests.ConnectionError("reset")))
    assert is_connection_failure(ConnectionResetError(104, "reset by peer"))
    assert is_connection_failure(requests.Timeout("read timed out"))
    try:  # implicit chaining (__context__) counts as well
        try:
            raise ConnectionRefusedError(111, "refused")
        except ConnectionRefusedError:
            raise UploadError("could not upload")  # noqa: B904 - implicit chaining on purpose
    except UploadError as exc:
        assert is_connection_failure(exc)
    assert not is_connection_failure(UploadError("the server refused the file: HTTP 413"))
    assert not is_connection_failure(_raise_chain(ValueError("bad"), KeyError("k")))
    loop = ValueError("a")
    loop.__context__ = ValueError("b")
    loop.__context__.__context__ = loop  # a cycle must not hang
    assert not is_connection_failure(loop)


def test_server_lost_during_the_upload_queues_the_publish(
    fresh_server, tmp_path: Path, queue_dir: Path
) -> None:
    """The server dies after it handed out the upload URL: the upload's UploadError carries no
    connection error, so the pipeline asks the server, finds it gone, and queues."""
    with open_session(fresh_server, tmp_path) as session:
        task_path = make_task(session, fstart=1001, fend=1012, fps=25)
    sequence = make_sequence(tmp_path / "frames", frames=12, start=1001)
    killed: List[int] = []

    def kill_at_upload(stage: str, fraction: float, message: str = "") -> None:
        if stage == "upload" and not killed:
            killed.append(fresh_server.process.pid)
            os.kill(fresh_server.process.pid, signal.SIGKILL)
            fresh_server.process.wait(timeout=30)

    report = publish(
        FilesHost(sequence, fps=25),
        task=task_path,
        session=open_session(fresh_server, tmp_path, retry=RetryPolicy(retries=0), timeout=5),
        progress=kill_at_upload,
    )
    assert killed, "the upload never started"
    assert report.ok and report.queued, str(report)
    assert any("lost while publishing" in w for w in report.warnings), report.warnings
    (entry,) = OfflineQueue(queue_dir).entries()
    assert entry.manifest.task_id == report.task_id


# -- 5. shot range / fps: explicit values refuse, server defaults only warn ------------------


def test_shot_attributes_tell_explicit_values_from_defaults(
    embedded_server, tmp_path: Path
) -> None:
    from ft_dcc.publish.rules.checks import shot_attributes

    with open_session(embedded_server, tmp_path) as session:
        path = make_task(session, fstart=1001, fend=None, fps=None)
        shot = session.query(
            f'Shot where name is "sh010" and project.name is "{path.split("/")[0]}"'
        ).one()
        found = shot_attributes(session, shot)
        assert found["fstart"].explicit and float(found["fstart"].value) == 1001
        assert not found["fend"].explicit  # the server's default only
        assert not found["fps"].explicit
        project = session.get("Project", shot["project_id"])
        project["custom_attributes"]["fps"] = 24.0  # hierarchical: set on an ancestor
        session.commit()
    with open_session(embedded_server, tmp_path) as fresh:
        shot = fresh.get("Shot", shot["id"])
        fps = shot_attributes(fresh, shot)["fps"]
        assert fps.explicit and float(fps.value) == 24.0


def test_shot_range_left_at_the_server_default_is_only_a_warning(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=None, fend=None, fps=None)  # defaults 1001-1100, 25
    sequence = make_sequence(tmp_path / "frames", frames=6, start=1001)
    report = publish(FilesHost(sequence, fps=24), task=task_path, session=session)
    assert report.ok and not report.queued, str(report)
    assert any("no frame range set" in w and "1001-1006" in w for w in report.warnings)
    assert any("no fps set" in w for w in report.warnings), report.warnings
    session.close()


def test_an_explicit_shot_range_that_differs_is_refused_saying_both_ranges(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1024, fps=25)
    sequence = make_sequence(tmp_path / "frames", frames=6, start=1001)
    report = publish(FilesHost(sequence, fps=25), task=task_path, session=session)
    assert not report.ok
    (error,) = report.errors
    assert "1001-1006" in error and "1001-1024" in error, error
    assert "publish the shot's frames 1001-1024" in error and "--frames" in error
    assert "scene" not in error  # frames have no scene to set
    assert not any(s.stage == "extract" for s in report.steps)
    asked = publish(
        FilesHost(sequence, fps=25), task=task_path, frames=(1001, 1006), session=session
    )
    assert asked.ok, str(asked)
    assert any("published as asked" in w for w in asked.warnings)
    session.close()


def test_an_explicit_fps_on_the_project_that_differs_is_refused(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1006, fps=None)
    project = session.query(f'Project where name is "{task_path.split("/")[0]}"').one()
    project["custom_attributes"]["fps"] = 24.0
    session.commit()
    sequence = make_sequence(tmp_path / "frames", frames=6, start=1001)
    report = publish(FilesHost(sequence, fps=25), task=task_path, session=session)
    assert not report.ok
    assert any("25.000" in e and "24.000" in e for e in report.errors), report.errors
    session.close()


# -- 6. the capture metadata maps review frames to shot frames -------------------------------


def test_capture_metadata_carries_the_source_first_frame(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    import json

    session = open_session(embedded_server, tmp_path)
    task_path = make_task(session, fstart=1001, fend=1006, fps=25)
    sequence = make_sequence(tmp_path / "frames", frames=6, start=1001)
    report = publish(FilesHost(sequence, fps=25), task=task_path, session=session)
    assert report.ok, str(report)
    session.close()
    with open_session(embedded_server, tmp_path) as check:
        meta = metadata_of(check, report.component_ids["ftrackreview-mp4"])
    ftr_meta = json.loads(meta["ftr_meta"])
    assert (ftr_meta["frameIn"], ftr_meta["frameOut"]) == (0, 6)  # ftrack's convention
    capture = json.loads(meta["ft_dcc_capture"])
    assert capture["source_first_frame"] == 1001 and capture["source_last_frame"] == 1006
    assert capture["review_frame_in"] == 0


BLENDER_NO_CAMERA = r"""
import json, sys
import bpy
sys.path.insert(0, ROOT)
bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.wm.save_as_mainfile(filepath=BLEND)
from ft_dcc_hosts.blender.host import BlenderHost
from ft_dcc.publish import publish
from ft_dcc.session import RetryPolicy, Session
host = BlenderHost()
no_retry = RetryPolicy(retries=0)
report = publish(host, task="demo/sh010/anim", session_factory=lambda: Session(retry=no_retry))
print("RESULT " + json.dumps({
    "cameras": host.cameras(),
    "errors": report.errors,
    "stages": sorted({s.stage for s in report.steps}),
}))
"""


@pytest.mark.blender
@pytest.mark.slow
def test_a_real_blender_scene_without_a_camera_is_refused_before_capture(
    offline_env: Path, tmp_path: Path
) -> None:
    import importlib.util
    import json
    import subprocess
    import sys

    if importlib.util.find_spec("bpy") is None:
        pytest.skip("the bpy module is not installed")
    root = Path(__file__).resolve().parents[2]
    script = BLENDER_NO_CAMERA.replace("ROOT", repr(str(root))).replace(
        "BLEND", repr(str(tmp_path / "empty.blend"))
    )
    env = dict(os.environ, HOME=str(tmp_path), PYBLISHPLUGINPATH="")
    process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, process.stdout[-2000:] + process.stderr[-2000:]
    result = json.loads(lines[-1][len("RESULT ") :])
    assert result["cameras"] == []
    assert any("Scene has no camera to playblast from" in e for e in result["errors"])
    assert "extract" not in result["stages"]
