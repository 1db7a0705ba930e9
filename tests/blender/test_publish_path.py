"""The path of one publish, measured from the code: from the add-on's "Publish for review"
(the operator the panel's button invokes) to the server's ``INSERT`` of the AssetVersion.

The measure (``tests/publish/call_path.py``): the calls of the project's own code on the stack
— one Python frame each whose code is ``ft_dcc``'s, ``ft_dcc_hosts``' or the installed add-on's
(library frames, pyblish's, Starlette's, SQLAlchemy's and the standard library's, are walked
through, not counted) — at two moments of one real publish, added up:

- in Blender (the ``bpy`` module), when ``http.client`` is asked to send the batch that creates
  the AssetVersion: the calls from the operator's ``invoke`` down to the send (across a worker
  thread's start, when the work moved to one);
- in the server, when SQLAlchemy executes the ``INSERT`` of the AssetVersion: the calls from
  the request's first (the outermost middleware) down to the insert, across the hand-off of the
  batch to a worker thread (``run_in_threadpool``).

``docs/architecture.md`` ("The path of one publish") lists the same calls; this test holds
the page to the measure and the measure to at most 20.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import requests
from blender_helpers import ROOT, build_addon_zip, needs_bpy, run_bpy, write_json
from support import make_task, open_session
from support.net import TEST_KEY, TEST_USER, free_port
from support.user_env import clean_environ
from support.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]

#: the path's limit: the test fails when it grows past it
MOST_CALLS = 20
SERVER = ROOT / "tests" / "publish" / "path_server.py"
DOC = ROOT / "docs" / "architecture.md"


class _Server:
    """``path_server.py``: an ``ft-dcc server`` recording its AssetVersion INSERTs' calls."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_user, self.api_key = TEST_USER, TEST_KEY
        self.out = folder / "server-stacks.json"
        env = {**clean_environ(), "FTRACK_API_USER": TEST_USER, "FTRACK_API_KEY": TEST_KEY,
               "FT_DCC_TEST_PATH_OUT": str(self.out)}  # fmt: skip
        self.log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER), "server", "--data", str(folder / "data"),
             "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=self.log, stderr=self.log,
        )  # fmt: skip
        wait_until(self._answers, "the path server to answer", timeout=300)

    @property
    def env(self) -> Dict[str, str]:
        return {"FTRACK_SERVER": self.url, "FTRACK_API_USER": self.api_user,
                "FTRACK_API_KEY": self.api_key}  # fmt: skip

    def _answers(self) -> bool:
        assert self.process.poll() is None, "the path server exited: see server.log"
        try:
            requests.get(self.url + "/", timeout=(1, 60))
        except requests.ConnectionError:
            return False
        return True

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def _documented() -> Tuple[int, List[str]]:
    """docs/architecture.md's "The path of one publish": (the count it says, the calls it
    lists in order). Each numbered line is ``N. `module` (…): `call` → `call` [side notes]``."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("**The path of one publish: ")
    said = int(re.match(r"\*\*The path of one publish: (\d+) calls", text[start:]).group(1))  # type: ignore[union-attr]
    end = text.index("\n\n", text.index("\n1. ", start))
    items = re.split(r"\n(?=\d+\. )", text[text.index("\n1. ", start) + 1 : end])
    calls = []
    for item in items:
        found = re.match(r"\d+\. `([\w.]+)`[^:]*: (.*)", " ".join(item.split()))
        assert found is not None, item
        listed = re.match(r"`[^`]+`(?: → `[^`]+`)*", found.group(2))
        assert listed is not None, item
        calls += [f"{found.group(1)}.{call}" for call in re.findall(r"`([^`]+)`", listed.group())]
    return said, calls


@pytest.fixture
def path_server(tmp_path: Path) -> Any:
    server = _Server(tmp_path)
    yield server
    server.stop()


def test_the_path_of_one_publish_from_the_button_to_the_insert_is_measured_and_documented(
    tmp_path: Path, blender_env: Dict[str, str], path_server: Any
) -> None:
    session = open_session(path_server, tmp_path / "cache")
    options = {
        "blend": str(tmp_path / "shot.blend"),
        "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": make_task(session, f"path{uuid.uuid4().hex[:8]}", fstart=1001, fend=1006),
        "review_session": "Path dailies",
        "out": str(tmp_path / "client-stacks.json"),
    }
    env = dict(blender_env, **path_server.env, FT_DCC_QUEUE_DIR=str(tmp_path / "q"))
    result = run_bpy("publish_path.py", [write_json(tmp_path / "o.json", options)], env)
    assert result["returned"] == ["FINISHED"], result["status"]
    assert result["report"]["ok"], result["report"]

    client = json.loads(Path(options["out"]).read_text(encoding="utf-8"))
    server = json.loads(path_server.out.read_text(encoding="utf-8"))
    assert len(client) == 1 and len(server) == 1, (client, server)  # one send, one INSERT
    path = client[0] + server[0]
    shown = "\n".join(f"{n:3} {call}" for n, call in enumerate(path, 1))
    print(f"The path of one publish, {len(path)} calls:\n{shown}")
    assert client[0][0] == "ft_dcc_blender.ops.FTDCC_OT_publish.execute", shown  # the button's
    assert client[0][-1] == "ft_dcc.session.http_post.StdlibPoster.post", shown
    assert server[0][0].startswith("ft_dcc.server.http."), shown  # the request's first call
    assert server[0][-1] == "ft_dcc.server.store.batch.Batch.store_planned", shown
    assert len(path) <= MOST_CALLS, shown
    assert _documented() == (len(path), path), shown
