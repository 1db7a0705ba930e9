"""A server's record (``runtime.running``) belongs to the server that serves its address: a second
``ft-dcc server`` that cannot bind the port neither replaces nor removes it, so ``ft-dcc user
add`` keeps finding the running server's data dir."""

from __future__ import annotations

import re

from support.cli import run_ft_dcc

from .test_cli_server import ServerProcess, api_ok, clean_env
from .test_user_add_target import server_env, user_add


def test_a_failed_second_server_leaves_the_running_ones_record(tmp_path):
    env = server_env(tmp_path)
    running = ServerProcess(tmp_path / "running", env)
    try:
        second = run_ft_dcc(
            ["server", "--port", str(running.port), "--data", str(tmp_path / "second")],
            env=env, timeout=120,
        )  # fmt: skip
        assert second.returncode == 1, second.stdout + second.stderr
        assert "in use" in second.stderr

        done = user_add(
            dict(clean_env(XDG_DATA_HOME=env["XDG_DATA_HOME"]), FTRACK_SERVER=running.url), "gil"
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert str((tmp_path / "running").resolve()) in done.stdout
        key = re.search(r"API key: (\S+)", done.stdout).group(1)
        assert api_ok(running.url, "gil", key)
    finally:
        running.stop()
