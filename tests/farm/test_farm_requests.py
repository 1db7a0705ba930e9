"""The requests of ``ft-dcc farm submit``, read from the server's own request log: what the
scenes share (the settings, their task, its shot) is read once for the batch, so scenes on the
same task add no request."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict

from farm_helpers import copies, farm_env, submit
from support import make_sequence, make_task, open_session


def _api_requests(server: Any, env: Dict[str, str], bundle: Path, *args: str) -> int:
    mark = server.log_mark()
    done = submit(env, bundle, *args)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return sum(1 for r in server.requests_since(mark) if r.get("path", "").endswith("/api"))


def test_scenes_sharing_a_task_add_no_request_to_the_submission(
    embedded_server: Any, tmp_path: Path
) -> None:
    env = farm_env(embedded_server, tmp_path)
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"farmreq{uuid.uuid4().hex[:6]}", 1001, 1001, fps=25)
    first = make_sequence(tmp_path / "one", frames=1, start=1001, name="one")
    scenes = copies(Path(str(first) % 1001), tmp_path / "render", 6)
    asked = ("--task", task, "--review-session", "Requests")
    one = _api_requests(embedded_server, env, tmp_path / "b1", str(scenes[0]), *asked)
    six = _api_requests(embedded_server, env, tmp_path / "b6", *map(str, scenes), *asked)
    assert six == one, f"1 scene: {one} requests, 6 scenes on its task: {six}"
