"""The add-on's "Publish for review" operator (real bpy) reads the studio settings through the same
seam as ``ft-dcc publish``: with the panel's review session left empty, a Blender profile's
session and asset names are what the real embedded server holds, in the request budget."""

from __future__ import annotations

import json
import uuid

import pytest
from blender_helpers import build_addon_zip, needs_bpy, run_bpy, server_env, write_json
from support import make_task, open_session
from support.budget import assert_within_budget

from ft_dcc.settings.templates import current_date

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]

STUDIO = {
    "profiles": [
        {"name": "blender comp", "hosts": ["blender"], "task_types": ["Compositing"],
         "settings": {"naming.review_session": "Previs {date}",
                      "naming.asset": "{shot}_{camera}_{host}"}},
        {"name": "maya only", "hosts": ["maya"],
         "settings": {"naming.review_session": "Maya {date}"}},
    ]
}  # fmt: skip


def test_the_panel_publish_uses_the_blender_profile(tmp_path, blender_env, embedded_server):
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blset{uuid.uuid4().hex[:8]}")
    studio = tmp_path / "studio.json"
    studio.write_text(json.dumps(STUDIO), encoding="utf-8")
    options = {
        "blend": str(tmp_path / "shot.blend"),
        "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": task,
        "review_session": "",  # the panel's field left empty: the settings name it
    }
    env = dict(server_env(blender_env, embedded_server), FT_DCC_SETTINGS=str(studio))
    mark = embedded_server.log_mark()
    result = run_bpy("publish_operator.py", [write_json(tmp_path / "o.json", options)], env)
    requests = embedded_server.requests_since(mark)

    assert result["returned"] == ["FINISHED"], result["status"]
    today = current_date().isoformat()
    report = result["report"]
    version = session.query(
        "select asset.name, review_session_objects.review_session.name from AssetVersion "
        f'where id is "{report["asset_version_id"]}"'
    ).one()
    (link,) = version["review_session_objects"]
    assert link["review_session"]["name"] == f"Previs {today}"
    assert version["asset"]["name"] == "sh010_shotCam_blender"
    assert_within_budget(requests)
