"""``ft-dcc server`` says in one line what is wrong with its database, and starts nothing.

Each case runs the real command line (``ft_dcc.cli.main``) against a real PostgreSQL cluster
(or a port where none listens) and reads what it printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List
from urllib.parse import urlsplit

import pytest
from support.net import free_port

from ft_dcc.cli import main


def run_server(capsys: Any, data: Path, *args: str) -> List[str]:
    """Run ``ft-dcc server`` expecting it to refuse; the lines it printed on stderr."""
    code = main(["server", "--data", str(data), "--port", str(free_port()), *args])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    if any(urlsplit(arg).password for arg in args if "://" in arg):  # a password: warned first
        assert lines[0].startswith("ft-dcc: warning: the database password"), captured.err
        lines = lines[1:]
    assert len(lines) == 1 and lines[0].startswith("ft-dcc: error: "), captured.err
    return lines


def test_malformed_url(capsys, tmp_path) -> None:
    (line,) = run_server(capsys, tmp_path, "--database", "postgresql://u:secret@host:port/db")
    assert "malformed" in line and "postgresql://USER:PASSWORD@HOST:PORT/DATABASE" in line
    assert "secret" not in line
    (line,) = run_server(capsys, tmp_path, "--database", "mysql://u@localhost/db")
    assert "'mysql'" in line


def test_unreachable_server(capsys, tmp_path, pg_cluster) -> None:
    url = f"postgresql://postgres:hush@127.0.0.1:{free_port()}/nothing"
    (line,) = run_server(capsys, tmp_path, "--database", url)
    assert "cannot reach the database" in line and "start PostgreSQL" in line
    assert "hush" not in line


def test_missing_database(capsys, tmp_path, pg_cluster) -> None:
    (line,) = run_server(capsys, tmp_path, "--database", pg_cluster.url("no_such_db"))
    assert "does not exist" in line and "createdb" in line


def test_user_without_rights(capsys, tmp_path, pg_cluster) -> None:
    url = pg_cluster.create_database("rights")
    pg_cluster.psql("DO $$ BEGIN CREATE ROLE weak LOGIN; EXCEPTION WHEN duplicate_object "
                    "THEN NULL; END $$")  # fmt: skip
    weak = url.replace("postgresql://postgres@", "postgresql://weak@")
    (line,) = run_server(capsys, tmp_path, "--database", weak)
    assert "may not create or use" in line and "GRANT" in line


def test_database_from_a_newer_version(capsys, tmp_path, pg_cluster) -> None:
    url = pg_cluster.create_database("newer", template=pg_cluster.template)
    name = url.rsplit("/", 1)[1]
    pg_cluster.psql("UPDATE ft_dcc_info SET value = '99' WHERE key = 'storage_version'", name)
    (line,) = run_server(capsys, tmp_path, "--database", url)
    assert "storage version 99" in line and "upgrade ft-dcc" in line


def test_workers_need_postgresql(capsys, tmp_path) -> None:
    (line,) = run_server(capsys, tmp_path, "--workers", "4")
    assert "needs a PostgreSQL database" in line


@pytest.mark.parametrize("command", [["user", "add", "someone"]])
def test_user_add_says_the_same(capsys, tmp_path, command, pg_cluster) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    code = main([*command, "--data", str(tmp_path), "--database", url])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "cannot reach the database" in err[0]
