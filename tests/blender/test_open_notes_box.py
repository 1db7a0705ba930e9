"""The Blender panel's "Open notes" box, in bpy 5.0.1 against the real embedded server: its
refresh button reads the task's open to-dos in one request (the connection row says the server
answered), a ticked note goes into the publish request's ``addresses`` (as ``--addresses``);
once the Task field names another task the box says to refresh and sends nothing (the notes
are the first task's). The loop test (test_notes_loop.py) publishes through it in a window."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from blender_helpers import build_addon_zip, needs_bpy, run_bpy, server_env, write_json
from support import make_task, open_session
from support.media import make_sequence
from support.trust import create, new_id, ok

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.publish.context.tasks import resolve_task

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]


def test_the_box_lists_ticks_and_sends_only_its_tasks_notes(
    tmp_path: Path, blender_env: Dict[str, str], embedded_server: Any
) -> None:
    server = embedded_server
    setup = open_session(server, tmp_path / "setup")
    task_id = resolve_task(setup, None, make_task(setup, fstart=1001, fend=1012, fps=25.0))["id"]
    frames = make_sequence(tmp_path / "frames", frames=12, start=1001)
    v001 = publish(FilesHost(frames, fps=25), task=task_id, session=setup, queue_dir=tmp_path / "q",
                   review_session_name=f"Box {uuid.uuid4().hex[:6]}")  # fmt: skip
    assert v001.ok, str(v001)
    made = {}
    for text, todo in (("Fin flickers", True), ("Too dark", True), ("Nice", False)):
        made[text] = new_id()
        ok(server, [create("Note", id=made[text], content=text, is_todo=todo,
                           parent_id=v001.review_session_object_id,
                           parent_type="ReviewSessionObject")])  # fmt: skip
    other = make_task(open_session(server, tmp_path / "other"), f"box{uuid.uuid4().hex[:6]}")
    options = {"zip": str(build_addon_zip(tmp_path / "dist")), "task": task_id,
               "tick": "Too dark", "other_task": other}  # fmt: skip
    mark = server.log_mark()
    result: Dict[str, Any] = run_bpy(
        "open_notes_box.py", [write_json(tmp_path / "o.json", options)],
        server_env(blender_env, server),
    )  # fmt: skip
    assert result["returned"] == ["FINISHED"], result["_output"][-3000:]
    reads = [r.get("actions") for r in server.api_requests_since(mark)]
    # one request: the session's start (its schemas too: a fresh HOME has no cache) and the
    # three queries
    assert len(reads) == 1 and reads[0][0] == "query_server_information", reads
    assert reads[0][-3:] == ["query", "query", "query"], reads
    assert sorted(text for _id, _heading, text in result["listed"]) == ["Fin flickers", "Too dark"]
    assert all(heading.startswith("v001 ") for _id, heading, _t in result["listed"])
    assert result["connection"]["connected"], result["connection"]
    assert result["addresses"] == [made["Too dark"]]
    assert "Open notes" in result["drawn"] and "Too dark" in result["drawn"]
    assert result["addresses_other"] == []
    assert " ".join(result["drawn_other"]).startswith("Open notes The task changed")
    assert result["addresses_back"] == [made["Too dark"]]
