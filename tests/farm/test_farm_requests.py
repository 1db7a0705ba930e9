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


def test_scenes_on_several_tasks_cost_a_request_per_task_and_a_missing_one_is_refused(
    embedded_server: Any, shots: Any, tmp_path: Path
) -> None:
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings))
    sh010 = shots.scenes[0].parent
    second = make_sequence(sh010, frames=12, start=1001, name="sh010_comp_b")
    asked = ("--review-session", "Requests")
    one = _api_requests(embedded_server, env, tmp_path / "b1", str(shots.scenes[0]), *asked)
    batch = [*map(str, shots.scenes), str(second)]  # three tasks, two scenes on the first
    four = _api_requests(embedded_server, env, tmp_path / "b4", *batch, *asked)
    assert four <= one + 2, f"1 scene: {one} requests, 4 scenes on 3 tasks: {four}"
    missing = sh010.parents[1] / "sh099" / "comp" / "render"
    lost = make_sequence(missing, frames=12, start=1001, name="sh099_comp")
    refused = submit(env, tmp_path / "b5", *batch, str(lost), *asked)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "sh099" in refused.stderr, refused.stderr
    assert not (tmp_path / "b5").exists()
