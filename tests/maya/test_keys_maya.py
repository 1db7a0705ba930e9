"""The capture keys reach a Maya publish (the honest fake, tests/fakes/maya): a settings file's
``capture.shading/overlays/hud`` set the model panel's real modelEditor flags and the
playblast's showOrnaments for the playblast, and are put back after; ``capture.camera``,
``capture.handles`` and ``capture.frame_range`` choose the camera and frames that are
published (the movie read by ffprobe, the version's capture metadata)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest
from ft_dcc_hosts.maya.host import MayaHost
from ft_dcc_hosts.maya.integration import integration
from support import download_component, ffprobe, make_task, open_session
from test_maya_integration import _stand_in_mayapy

from ft_dcc.host.headless import HeadlessPublish
from ft_dcc.publish import publish
from ft_dcc.publish.offline.integrate_step import CAPTURE_META_KEY
from ft_dcc.publish.request.request import PublishRequest
from ft_dcc.publish.request.settings_options import settle_request


def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, values: Dict[str, Any]) -> None:
    path = tmp_path / f"studio{len(list(tmp_path.glob('studio*.json')))}.json"
    path.write_text(json.dumps({"settings": values}), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(path))


def published_frames(server: Any, report: Any, tmp_path: Path) -> int:
    component = report.component_ids["ftrackreview-mp4"]
    movie = download_component(server, component, tmp_path / f"{component}.mp4")
    return int(ffprobe(movie)["nb_read_frames"])


def capture_meta(session: Any, report: Any) -> Dict[str, Any]:
    component = report.component_ids["ftrackreview-mp4"]
    rows = session.query(f'select key, value from Metadata where parent_id is "{component}"')
    return json.loads({r["key"]: r["value"] for r in rows.all()}[CAPTURE_META_KEY])


def test_capture_keys_set_the_panel_camera_and_frames(
    saved_scene, maya_state, server_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_file(tmp_path, monkeypatch, {
        "capture.shading": "wireframe", "capture.overlays": False, "capture.hud": True,
        "capture.camera": "shotCam", "capture.handles": 2,
    })  # fmt: skip
    maya_state.panels["modelPanel4"]["headsUpDisplay"] = False  # the artist hid the HUD
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012, fps=24)
    settings = _plugin_settings(saved_scene, task)
    report = publish(MayaHost(), task=task, session=session, settings=settings)
    assert report.ok, report.errors

    blast = maya_state.playblasts[-1]
    panel = blast["panel_state"][blast["panel"]]
    assert panel["displayAppearance"] == "wireframe"
    assert not panel["grid"] and not panel["manipulators"] and not panel["selectionHiliteDisplay"]
    assert panel["headsUpDisplay"] and blast["ornaments"]
    assert blast["camera"] == "shotCam"  # the focused panel looked through persp
    after = maya_state.panels[blast["panel"]]  # the artist's panel, as it was
    assert after.get("displayAppearance", "smoothShaded") == "smoothShaded"
    assert after["grid"] and after["manipulators"] and after["camera"] == "persp"
    assert not after["headsUpDisplay"]
    assert len(blast["files"]) == 16  # 1001-1012 with 2 handles each side
    assert published_frames(server_env, report, tmp_path) == 16
    assert (capture_meta(session, report)["frame_start"],
            capture_meta(session, report)["frame_end"]) == (999, 1014)  # fmt: skip

    # the artist's own range wins over the handles
    chosen = publish(MayaHost(), task=task, session=session, frames=(1003, 1006),
                     settings=settings)  # fmt: skip
    assert chosen.ok, chosen.errors
    assert len(maya_state.playblasts[-1]["files"]) == 4


@pytest.mark.slow
def test_shot_range_with_handles_in_a_headless_publish(
    saved_scene, server_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FT_DCC_MAYAPY", str(_stand_in_mayapy(tmp_path)))
    settings_file(tmp_path, monkeypatch, {"capture.frame_range": "shot", "capture.handles": 1})
    with open_session(server_env, tmp_path) as session:
        task = make_task(session, fstart=1003, fend=1008, fps=24)  # the scene: 1001-1012
    request, _ = settle_request(PublishRequest(task=task), "maya", str(saved_scene))
    outcome = integration.publish_headless_result(HeadlessPublish(saved_scene, request, json=True))
    assert outcome["exit_code"] == 0, outcome["text"] + outcome["log"][-3000:]
    report = outcome["report"]
    assert (report["capture"]["frame_start"], report["capture"]["frame_end"]) == (1002, 1009)
    movie = download_component(server_env, report["component_ids"]["ftrackreview-mp4"],
                               tmp_path / "shot.mp4")  # fmt: skip
    assert int(ffprobe(movie)["nb_read_frames"]) == 8


def test_the_asset_is_named_after_the_camera_the_settings_capture(
    saved_scene, maya_state, server_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``naming.asset`` ``{camera}`` names the camera captured (``capture.camera``), not the
    scene's current one (it was once filled before the capture spec chose the camera)."""
    settings_file(tmp_path, monkeypatch, {
        "capture.camera": "shotCam", "naming.asset": "{task}_{camera}",
    })  # fmt: skip
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012, fps=24)
    settings = _plugin_settings(saved_scene, task)
    assert MayaHost().current_camera() != "shotCam"  # the scene's camera is another one
    report = publish(MayaHost(), task=task, session=session, settings=settings)
    assert report.ok, report.errors
    assert maya_state.playblasts[-1]["camera"] == "shotCam"
    task_name = task.rsplit("/", 1)[-1]
    assert report.asset_name == f"{task_name}_shotCam"
    asset = session.get("Asset", report.asset_id)
    assert asset["name"] == f"{task_name}_shotCam"  # on the server too


def _plugin_settings(scene: Path, task: str) -> dict:
    """What the studio settings give the plugins of a publish of ``scene`` to ``task`` (the
    seam ``ft-dcc publish`` settles its request through)."""
    settled, _ = settle_request(PublishRequest(task=task), "maya", str(scene))
    return {"plugins": settled.settings.plugins}
