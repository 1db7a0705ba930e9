"""``ft-dcc server`` and ``ft-dcc user add`` as a user runs them (their own processes, real HTTP).

Each is ``python -m ft_dcc ...`` forked by the test process's zygote (``support.launcher``): the
same program, signals and exit status, without an interpreter's start and imports each."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import requests
from support import free_port, launcher
from support.cli import run_ft_dcc
from support.net import answered_by, serving


def clean_env(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FTRACK_")}
    env.update(extra)
    return env


class ServerProcess:
    """``ft-dcc server`` in a subprocess; ``data=None`` leaves the data dir to its default.

    Started on a free port, and on another if that one was taken meanwhile (the server then
    exits, port in use): the answer waited for is this process's own (``answered_by``)."""

    def __init__(
        self,
        data: Optional[Path],
        env: Dict[str, str],
        extra: Optional[List[str]] = None,
        out_dir: Optional[Path] = None,
    ):
        for _attempt in range(5):
            if self._start(data, env, extra or [], out_dir or data.parent):
                return
        raise AssertionError("server lost its free port five times: " + self.output())

    def _start(
        self, data: Optional[Path], env: Dict[str, str], extra: List[str], out_dir: Path
    ) -> bool:
        """Start on a free port; False if another process took the port first."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.out = out_dir / f"stdout-{self.port}.txt"
        args = ["server", "--port", str(self.port)]
        if data is not None:
            args += ["--data", str(data)]
        with open(self.out, "wb") as out:
            self.proc = launcher.launch(args + extra, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                assert "address already in use" in self.output().lower(), self.output()
                return False
            if answered_by(self.url, self.proc.pid, deadline):
                return True
            time.sleep(0.1)
        self.proc.kill()
        raise AssertionError("server did not start: " + self.output())

    def output(self) -> str:
        return self.out.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


def test_a_port_another_process_answers_on_is_not_taken_for_the_started_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The free port handed out first is served by another process already (another worker's
    server picked it the same moment): the started server cannot bind it and exits, and the
    start goes on with another port instead of handing the other server's answers to the test.
    """
    unused = free_port
    with serving(0) as taken:
        handed = [taken]
        here = sys.modules[__name__]
        monkeypatch.setattr(here, "free_port", lambda: handed.pop() if handed else unused())
        server = ServerProcess(tmp_path / "data", clean_env())
    try:
        assert server.port != taken
        assert server.proc.poll() is None, server.output()
        written = (tmp_path / "data" / "credentials.env").read_text()
        values = dict(re.findall(r"^export (FTRACK_\w+)=(\S+)$", written, re.M))
        assert values["FTRACK_SERVER"] == server.url
        assert api_ok(server.url, values["FTRACK_API_USER"], values["FTRACK_API_KEY"])
    finally:
        server.stop()


def api_ok(url: str, user: str, key: str) -> bool:
    response = requests.post(
        url + "/api", json=[{"action": "query_server_information"}],
        headers={"ftrack-user": user, "ftrack-api-key": key}, timeout=10,
    )  # fmt: skip
    return isinstance(response.json(), list)


def test_first_start_generates_a_key_once_and_writes_credentials_each_start_naming_its_url(
    tmp_path,
):
    """The key is made once; the file's FTRACK_SERVER follows the server to another port (a
    first start whose port was taken, or a later ``--port``), so sourcing it reaches the server
    and ``ft-dcc user add`` finds its data dir."""
    data = tmp_path / "data"
    server = ServerProcess(data, clean_env())
    try:
        creds = data / "credentials.env"
        assert creds.stat().st_mode & 0o777 == 0o600
        values = dict(re.findall(r"^export (FTRACK_\w+)=(\S+)$", creds.read_text(), re.M))
        assert set(values) == {"FTRACK_SERVER", "FTRACK_API_USER", "FTRACK_API_KEY"}
        assert values["FTRACK_SERVER"] == server.url
        assert api_ok(server.url, values["FTRACK_API_USER"], values["FTRACK_API_KEY"])
        assert not api_ok(server.url, values["FTRACK_API_USER"], "guess")
        # the key is stored hashed only
        assert values["FTRACK_API_KEY"].encode() not in (data / "ft_dcc.sqlite").read_bytes()
    finally:
        assert server.stop(signal.SIGINT) == 0
    first = server.output()
    assert f"serving {server.url}" in first
    # output to a pipe or log file never holds the key (only the 0600 credentials file does)
    assert values["FTRACK_API_KEY"] not in first and "credentials.env" in first
    assert "stopped" in first

    again = ServerProcess(data, clean_env())
    try:
        assert api_ok(again.url, values["FTRACK_API_USER"], values["FTRACK_API_KEY"])
        named = dict(re.findall(r"^export (FTRACK_\w+)=(\S+)$", creds.read_text(), re.M))
        assert named == dict(values, FTRACK_SERVER=again.url)
        assert creds.stat().st_mode & 0o777 == 0o600
    finally:
        assert again.stop(signal.SIGTERM) == 0
    assert values["FTRACK_API_KEY"] not in again.output()


def test_env_credentials_are_used_and_no_file_is_written(tmp_path):
    data = tmp_path / "data"
    server = ServerProcess(data, clean_env(FTRACK_API_USER="ci.bot", FTRACK_API_KEY="ci-key-123"))
    try:
        assert api_ok(server.url, "ci.bot", "ci-key-123")
        assert not (data / "credentials.env").exists()
    finally:
        assert server.stop() == 0
    assert "ci-key-123" not in server.output()


def test_request_log_option(tmp_path):
    log = tmp_path / "requests.jsonl"
    server = ServerProcess(
        tmp_path / "data",
        clean_env(FTRACK_API_USER="u", FTRACK_API_KEY="k-secret"),
        ["--request-log", str(log)],
    )
    try:
        api_ok(server.url, "u", "k-secret")
    finally:
        server.stop()
    text = log.read_text()
    assert '"actions": ["query_server_information"]' in text and "k-secret" not in text


def test_user_add_with_given_and_generated_keys(fresh_server):
    def user_add(*args: str) -> subprocess.CompletedProcess:
        return run_ft_dcc(["user", "add", *args, "--data", fresh_server.data_dir], env=clean_env())

    given = user_add("alice", "--api-key", "alice-key-1")
    assert given.returncode == 0, given.stderr
    assert "alice-key-1" not in given.stdout
    assert api_ok(fresh_server.url, "alice", "alice-key-1")

    made = user_add("bob")
    assert made.returncode == 0, made.stderr
    key = re.search(r"API key: (\S+)", made.stdout).group(1)
    assert api_ok(fresh_server.url, "bob", key)
    assert not api_ok(fresh_server.url, "bob", "alice-key-1")

    bad = user_add('bad"name')
    assert bad.returncode != 0 and "Invalid user name" in bad.stderr

    # a new key given while the server runs replaces the old one (within the check cache's life)
    replaced = user_add("alice", "--api-key", "alice-key-2")
    assert replaced.returncode == 0, replaced.stderr
    assert api_ok(fresh_server.url, "alice", "alice-key-2")
    deadline = time.monotonic() + 60
    while api_ok(fresh_server.url, "alice", "alice-key-1"):
        assert time.monotonic() < deadline, "the replaced key is still accepted"
        time.sleep(0.5)


@pytest.mark.parametrize("argv", [["server", "--help"], ["user", "add", "--help"]])
def test_help(argv):
    result = run_ft_dcc(argv, timeout=60)
    assert result.returncode == 0
    assert "--data" in result.stdout


def test_default_data_dir_and_database_option(tmp_path):
    env = clean_env(XDG_DATA_HOME=str(tmp_path / "xdg"), FTRACK_API_USER="u", FTRACK_API_KEY="k")
    server = ServerProcess(None, env, out_dir=tmp_path)
    try:
        assert api_ok(server.url, "u", "k")
    finally:
        server.stop()
    assert (tmp_path / "xdg" / "ft_dcc" / "server" / "ft_dcc.sqlite").is_file()

    database = tmp_path / "elsewhere.sqlite"
    server = ServerProcess(tmp_path / "data", env, ["--database", f"sqlite:///{database}"])
    try:
        assert api_ok(server.url, "u", "k")
    finally:
        server.stop()
    assert database.is_file() and not (tmp_path / "data" / "ft_dcc.sqlite").exists()


def test_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_ft_dcc(
            ["server", "--data", str(tmp_path), "--port", str(port)],
            env=clean_env(FTRACK_API_USER="u", FTRACK_API_KEY="k"), timeout=60,
        )  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert str(port) in result.stderr + result.stdout


def test_python_m_ft_dcc_server_runs_the_server(tmp_path):
    port = free_port()
    env = clean_env(FTRACK_API_USER="u", FTRACK_API_KEY="k")
    args = ["--data", str(tmp_path), "--port", str(port)]
    with open(tmp_path / "output.txt", "wb") as out:
        proc = launcher.launch(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, module="ft_dcc.server"
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline
            try:
                assert api_ok(f"http://127.0.0.1:{port}", "u", "k")
                break
            except requests.ConnectionError:
                time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
