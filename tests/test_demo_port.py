"""``make demo PORT=N`` on a data dir first started on another port: the ``credentials.env``
the README then sources names the server the demo runs (it was written once, at the first
start, with that start's port, so ``source``-ing it pointed the tools at a dead port)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support.net import free_port

from ft_dcc.demo import DemoPaths, read_credentials


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_the_demo_on_another_port_repoints_credentials_env(tmp_path: Path) -> None:
    paths = DemoPaths(tmp_path / "data")
    first, second = free_port(), free_port()
    env_script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ft_dcc import demo\n"
        "paths = demo.DemoPaths(Path(sys.argv[1]))\n"
        "values, started = demo.connect(paths, int(sys.argv[2]))\n"
        "print(values['FTRACK_SERVER'])\n"
        "demo.stop(paths)\n"
    )
    for port in (first, second):
        done = subprocess.run(
            [sys.executable, "-c", env_script, str(paths.base), str(port)],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"http://127.0.0.1:{port}" in done.stdout
    values = read_credentials(paths.credentials)
    assert values["FTRACK_SERVER"] == f"http://127.0.0.1:{second}"
    assert values["FTRACK_API_USER"] and values["FTRACK_API_KEY"]
    assert stat.S_IMODE(paths.credentials.stat().st_mode) == 0o600


def test_stop_in_the_process_that_started_the_server_reaps_it(tmp_path: Path) -> None:
    """``demo.stop`` called by the process that started the server (``demo.connect`` then
    ``demo.stop`` in one script): the server, ended, is that process's child. It waited for the
    pid to vanish, which a child nobody reaps never does: ten seconds, then "Stopped" with a
    zombie left behind."""
    from ft_dcc import demo

    paths = DemoPaths(tmp_path / "data")
    paths.base.mkdir(parents=True)
    # stands for the server: "ft_dcc" in its command line, as stop checks
    server = subprocess.Popen(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(600)", "ft_dcc"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
    )  # fmt: skip
    paths.pid_file.write_text(str(server.pid), encoding="utf-8")
    try:
        assert server.stdout is not None and server.stdout.readline() == b"up\n"  # exec'd
        assert demo.stop(paths) == 0
        with pytest.raises(ChildProcessError):  # stop reaped it: nothing left to wait for
            os.waitpid(server.pid, os.WNOHANG)
        assert not paths.pid_file.exists()
    finally:
        server.kill()  # when stop failed (a reaped child: nothing to do)
        server.wait(timeout=60)
        assert server.stdout is not None
        server.stdout.close()
