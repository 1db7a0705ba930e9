"""Nuke: a Write whose range is one frame publishes its image as a still (an
``ftrackreview-image``, its thumbnail and the rendered frame as its original; no movie), through
the honest fake ``nuke`` with the real pipeline, server and ffmpeg; read back with the genuine
``ftrack_api`` client. A Write of several frames stays a movie."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import nuke
from ft_dcc_hosts.nuke.host import NukeHost
from support import make_task, open_session
from support.entities import genuine_sessions

from ft_dcc.publish import publish


def test_a_one_frame_write_publishes_a_still(
    comp: Any, tmp_path: Path, embedded_server: Any, server_env: Any
) -> None:
    server_env(embedded_server)
    assert not NukeHost(write_node=comp).is_still()  # 1001-1012: a movie
    comp["use_limit"].setValue(True)
    comp["first"].setValue(1005)
    comp["last"].setValue(1005)
    nuke.scriptSave()
    assert NukeHost(write_node=comp).is_still()
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"nkst{uuid.uuid4().hex[:8]}", 1001, 1012, 25)

    report = publish(NukeHost(write_node=comp), task=task, session=session)

    assert report.ok, str(report)
    assert sorted(report.component_ids) == ["ftrackreview-image", "original", "thumbnail"]
    with genuine_sessions(embedded_server, tmp_path / "cache") as make:
        review = make().query(
            "select metadata from FileComponent "
            f'where id is "{report.component_ids["ftrackreview-image"]}"'
        ).one()
    assert json.loads(review["metadata"]["ftr_meta"]) == {
        "format": "image", "width": 320, "height": 180}  # fmt: skip
    capture = json.loads(review["metadata"]["ft_dcc_capture"])
    assert (capture["frame_start"], capture["frame_end"], capture["still"]) == (1005, 1005, True)
