"""``ft-dcc demo`` end to end, twice: v001 then v002 in the same dated review session."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from blender_helpers import needs_bpy
from support import ffprobe, free_port

from ft_dcc import Session
from ft_dcc.demo import read_credentials
from ft_dcc.settings.templates import current_date

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]


def demo(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ft_dcc", "demo", *args],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def test_demo_publishes_v001_then_v002_into_todays_dailies(tmp_path, blender_env):
    data = tmp_path / "demo-data"
    stop_command: list = []
    args = ["--data", str(data), "--port", str(free_port()), "--frames", "12", "--size", "320x180"]
    try:
        first = demo(blender_env, *args)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "Started the embedded ftrack server" in first.stdout
        assert "Published v001" in first.stdout
        second = demo(blender_env, *args)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "Using the ftrack server" in second.stdout
        assert "Published v002" in second.stdout
        # the printed stop command is one the user can run as printed (checked in `finally`)
        (stop_line,) = [s for s in second.stdout.splitlines() if s.startswith("Stop the server: ")]
        stop_command = shlex.split(stop_line.split(": ", 1)[1])
        assert stop_command[-4:] == ["demo", "--stop", "--data", str(data)]

        dailies = f"Dailies {current_date().isoformat()}"
        credentials = read_credentials(data / "server" / "credentials.env")
        url = f"http://127.0.0.1:{args[3]}"
        with Session(
            server_url=url,
            api_user=credentials["FTRACK_API_USER"],
            api_key=credentials["FTRACK_API_KEY"],
            schema_cache_path=str(tmp_path / "schemas"),
            plugin_paths=[],
        ) as session:
            sessions = session.query(f'select id from ReviewSession where name is "{dailies}"')
            (review,) = sessions.all()
            objects = session.query(
                "select asset_version.version from ReviewSessionObject "
                f'where review_session_id is "{review["id"]}"'
            ).all()
            assert sorted(o["asset_version"]["version"] for o in objects) == [1, 2]

        movie = Path(data / "demo" / "ft_dcc_demo_v002.mp4")
        assert str(movie) in second.stdout
        stream = ffprobe(movie)
        assert (stream["codec_name"], stream["pix_fmt"]) == ("h264", "yuv420p")
        assert int(stream["nb_read_frames"]) == 12
    finally:
        if stop_command:
            stopped = subprocess.run(
                stop_command, env=blender_env, capture_output=True, text=True, timeout=60
            )
        else:
            stopped = demo(blender_env, "--stop", "--data", str(data))
    assert stopped.returncode == 0 and "Stopped the demo server" in stopped.stdout
    assert not (data / "demo-server.pid").exists()
