"""Maya: a still is a one-frame playblast to an image (the honest fake, tests/fakes/maya:
``cmds.playblast`` with ``startTime`` = ``endTime``, ``format`` image; ``cmds.currentTime``),
published as an ``ftrackreview-image`` with its thumbnail and the playblasted frame as its
original; no movie. The scene's current frame by default, ``still_frame`` (``--frame N``)
when given. The last one is read back with the genuine ``ftrack_api`` client too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

from ft_dcc_hosts.maya.host import MayaHost
from support import make_task, open_session
from support.entities import genuine_sessions

from ft_dcc.publish import publish
from ft_dcc.publish.offline.integrate_step import CAPTURE_META_KEY


def _meta(session: Any, component_id: str) -> Dict[str, Any]:
    rows = session.query(f'select key, value from Metadata where parent_id is "{component_id}"')
    wanted = ("ftr_meta", CAPTURE_META_KEY)
    return {r["key"]: json.loads(r["value"]) for r in rows.all() if r["key"] in wanted}


def test_a_maya_still_is_a_one_frame_playblast(
    saved_scene, maya_state, server_env, tmp_path: Path
) -> None:
    session = open_session(server_env, tmp_path)
    task = make_task(session, fstart=1001, fend=1012, fps=24)
    maya_state.current_time = 1004.0
    for asked, expected in ((None, 1004), (1009, 1009)):
        report = publish(MayaHost(), task=task, session=session, camera="shotCam", still=True,
                         still_frame=asked)  # fmt: skip
        assert report.ok, report.errors
        assert sorted(report.component_ids) == ["ftrackreview-image", "original", "thumbnail"]
        blast = maya_state.playblasts[-1]
        assert len(blast["files"]) == 1 and blast["camera"] == "shotCam"
        meta = _meta(session, report.component_ids["ftrackreview-image"])
        assert meta["ftr_meta"] == {"format": "image", "width": 320, "height": 240}
        capture = meta[CAPTURE_META_KEY]
        assert (capture["frame_start"], capture["frame_end"]) == (expected, expected)
    with genuine_sessions(server_env, tmp_path / "cache") as make:
        reader = make()
        version = reader.get("AssetVersion", report.asset_version_id)
        names = sorted(c["name"] for c in version["components"])
        assert names == ["ftrackreview-image", "original", "thumbnail"]
        review = reader.get("FileComponent", report.component_ids["ftrackreview-image"])
        assert json.loads(review["metadata"]["ftr_meta"]) == {
            "format": "image", "width": 320, "height": 240}  # fmt: skip
        assert version["thumbnail_id"] == report.component_ids["thumbnail"]
