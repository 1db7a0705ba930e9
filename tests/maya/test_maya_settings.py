"""Studio settings reach a DCC publish: the headless Maya publish (fake ``maya`` through a
stand-in mayapy) takes its size, asset name (with the scene's camera) and session name from
a settings file, through the same seam as ``ft-dcc publish``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ft_dcc_hosts.maya.integration import integration
from support import make_task, open_session
from test_maya_integration import _stand_in_mayapy

from ft_dcc.host.headless import HeadlessPublish
from ft_dcc.publish.request.request import PublishRequest
from ft_dcc.publish.request.settings_options import settle_request

STUDIO = {
    "settings": {"naming.asset": "{shot}_{camera}", "naming.review_session": "Maya {date}"},
    "profiles": [{"name": "maya", "hosts": ["maya"], "settings": {"capture.scale": 0.5}}],
}


@pytest.mark.slow
def test_a_maya_publish_takes_the_studio_settings(
    saved_scene, server_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FT_DCC_MAYAPY", str(_stand_in_mayapy(tmp_path)))
    studio = tmp_path / "studio.json"
    studio.write_text(json.dumps(STUDIO), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(studio))
    with open_session(server_env, tmp_path) as session:
        task = make_task(session, fstart=1001, fend=1012, fps=24)
    request, _ = settle_request(PublishRequest(task=task), "maya", str(saved_scene))
    outcome = integration.publish_headless_result(HeadlessPublish(saved_scene, request, json=True))
    assert outcome["exit_code"] == 0, outcome["text"] + outcome["log"][-3000:]
    report = outcome["report"]
    assert (report["capture"]["width"], report["capture"]["height"]) == (160, 120)
    assert report["review_session_name"].startswith("Maya ")
    with open_session(server_env, tmp_path) as check:
        version = check.query(
            f'select asset.name from AssetVersion where id is "{report["asset_version_id"]}"'
        ).one()
        assert version["asset"]["name"] == "sh010_shotCam"
