"""``ft-dcc user add`` acts on the server it says: the one ``FTRACK_SERVER`` names when an
embedded server on this machine serves it (each records its URL and data dir while it runs), or
it refuses naming the data dir it would have used and how to pass ``--data``; it always says
which server and data dir it wrote to."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Dict

from support.cli import run_ft_dcc

from .test_cli_server import ServerProcess, api_ok, clean_env


def user_add(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_ft_dcc(["user", "add", *args], env=env, timeout=120, check=False)


def server_env(tmp_path: Path) -> Dict[str, str]:
    """A machine of its own: the user data dir (the default data dir's parent) in tmp_path."""
    return clean_env(
        XDG_DATA_HOME=str(tmp_path / "xdg"), FTRACK_API_USER="admin", FTRACK_API_KEY="admin-key"
    )


def test_user_add_follows_ftrack_server_to_its_data_dir(tmp_path):
    env = server_env(tmp_path)
    default = ServerProcess(None, env, out_dir=tmp_path)  # the demo's, in the default data dir
    studio_data = tmp_path / "studio"
    studio = ServerProcess(studio_data, env)
    try:
        done = user_add(
            dict(clean_env(XDG_DATA_HOME=env["XDG_DATA_HOME"]), FTRACK_SERVER=studio.url), "carol"
        )

        assert done.returncode == 0, done.stdout + done.stderr
        key = re.search(r"API key: (\S+)", done.stdout).group(1)
        assert api_ok(studio.url, "carol", key)
        assert not api_ok(default.url, "carol", key)
        assert studio.url in done.stdout and str(studio_data.resolve()) in done.stdout
    finally:
        studio.stop()
        default.stop()


def test_user_add_refuses_a_server_it_cannot_find_and_writes_nothing(tmp_path):
    env = clean_env(XDG_DATA_HOME=str(tmp_path / "xdg"), FTRACK_SERVER="https://studio.example")
    default_data = tmp_path / "xdg" / "ft_dcc" / "server"

    done = user_add(env, "dave")

    assert done.returncode == 1, done.stdout + done.stderr
    assert "https://studio.example" in done.stderr and "--data" in done.stderr
    assert str(default_data) in done.stderr  # where it would have written without FTRACK_SERVER
    assert "API key" not in done.stdout
    assert not default_data.exists()


def test_user_add_without_ftrack_server_says_where_it_wrote(tmp_path):
    env = clean_env(XDG_DATA_HOME=str(tmp_path / "xdg"))
    done = user_add(env, "erin")
    assert done.returncode == 0, done.stdout + done.stderr
    default_data = tmp_path / "xdg" / "ft_dcc" / "server"
    assert str(default_data) in done.stdout
    assert (default_data / "ft_dcc.sqlite").is_file()

    given = tmp_path / "given"
    explicit = user_add(env, "frank", "--data", str(given))
    assert explicit.returncode == 0, explicit.stdout + explicit.stderr
    assert str(given.resolve()) in explicit.stdout
