"""``/health``, ``/ready`` and ``ft-dcc server status``: one version everywhere (the package,
``ft-dcc --version``, the running server), while ``query_server_information`` keeps answering
the ftrack server version that clients check."""

from __future__ import annotations

import re
from pathlib import Path

import requests
import tomllib
from support import free_port
from support.cli import run_ft_dcc

from ft_dcc import __version__
from ft_dcc.server.http.health import check_files
from ft_dcc.server.runtime.config import SERVER_VERSION

ROOT = Path(__file__).resolve().parents[3]


def test_one_version_everywhere(embedded_server) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == __version__
    said = run_ft_dcc(["--version"], timeout=60)
    assert said.stdout.strip() == f"ft-dcc {__version__}", said.stdout + said.stderr

    health = requests.get(embedded_server.url + "/health", timeout=30)
    assert health.status_code == 200, health.text
    assert health.json()["status"] == "ok" and health.json()["version"] == __version__

    headers = {"ftrack-user": embedded_server.api_user, "ftrack-api-key": embedded_server.api_key}
    info = requests.post(embedded_server.url + "/api", headers=headers, timeout=30,
                         json=[{"action": "query_server_information"}])  # fmt: skip
    assert info.json()[0]["version"] == SERVER_VERSION != __version__  # ftrack's, for clients


def test_ready_and_status_of_a_running_server(embedded_server) -> None:
    ready = requests.get(embedded_server.url + "/ready", timeout=30)
    assert ready.status_code == 200, ready.text
    assert ready.json()["ready"] is True
    assert (ready.json()["database"], ready.json()["files"]) == ("ok", "ok")
    assert "sqlite" not in ready.text and str(embedded_server.data_dir) not in ready.text

    done = run_ft_dcc(["server", "status", "--url", embedded_server.url], timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{embedded_server.url}: up, ft-dcc {__version__}" in done.stdout
    assert "ready: database ok, files ok" in done.stdout


def test_status_follows_ftrack_server_and_says_when_nothing_answers(tmp_path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = run_ft_dcc(["server", "status"], env={"FTRACK_SERVER": url, "PATH": "/usr/bin:/bin",
                      "XDG_DATA_HOME": str(tmp_path)}, timeout=60)  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(rf"{re.escape(url)}: not answering \(.*refused", done.stdout), done.stdout


def test_a_file_store_that_takes_no_file_is_not_ready(tmp_path) -> None:
    assert check_files(tmp_path) is None
    not_a_folder = tmp_path / "files"
    not_a_folder.write_text("")
    assert "cannot take a file" in (check_files(not_a_folder) or "")


def test_a_background_error_of_an_unreachable_database_is_logged_in_one_line() -> None:
    import io
    import logging

    import sqlalchemy as sa

    from ft_dcc.server.http.health import OutageLogFilter

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(OutageLogFilter())
    log = logging.getLogger("test_health.outage")
    log.addHandler(handler)
    engine = sa.create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/x")
    try:
        for failing in (engine.connect, lambda: 1 / 0):
            try:
                failing()
            except Exception:
                log.exception("could not pass event %s on", "e1")
    finally:
        log.removeHandler(handler)
        engine.dispose()
    unreachable, bug = out.getvalue().split("could not pass event e1 on")[1:]
    assert "(database unreachable: connection failed" in unreachable
    assert "Traceback" not in unreachable and "Traceback" in bug


def test_status_without_a_url_asks_the_servers_this_machine_runs(tmp_path) -> None:
    from .test_cli_server import ServerProcess, clean_env

    env = clean_env(XDG_DATA_HOME=str(tmp_path / "xdg"), FTRACK_API_USER="u", FTRACK_API_KEY="k")
    first, second = ServerProcess(tmp_path / "a", env), ServerProcess(tmp_path / "b", env)
    try:
        done = run_ft_dcc(["server", "status"], env=env, timeout=60)
    finally:
        first.stop()
        second.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    for server in (first, second):
        assert f"{server.url}: up, ft-dcc {__version__}" in done.stdout
    assert done.stdout.count("ready: database ok, files ok") == 2
