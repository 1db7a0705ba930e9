"""The server's database URL without its password on a command line: ``--database-file PATH``,
``$FT_DCC_DATABASE``, and a warning when ``--database`` carries a password (``ps`` shows it to
every user of the machine)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict

from support.cli import run_ft_dcc

PASSWORD = "hunter2-b81f"
#: nothing listens on port 1: the command fails at connecting, after its warnings
UNREACHABLE = f"postgresql://ftdcc:{PASSWORD}@127.0.0.1:1/ftdcc"
WARNING = "warning: the database password is on the command line (--database)"


def _env(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FTRACK_", "FT_DCC_DATA"))}
    env.update(extra)
    return env


def test_a_password_on_the_command_line_is_warned_about_and_never_echoed(tmp_path: Path) -> None:
    done = run_ft_dcc(["user", "add", "anna", "--data", tmp_path / "data",
                       "--database", UNREACHABLE], env=_env())  # fmt: skip
    assert done.returncode == 1
    assert WARNING in done.stderr and "FT_DCC_DATABASE" in done.stderr
    assert "--database-file" in done.stderr and PASSWORD not in done.stderr + done.stdout


def test_migrate_warns_about_passwords_in_from_and_to(tmp_path: Path) -> None:
    done = run_ft_dcc(["server", "migrate", "--from", f"sqlite:///{tmp_path / 'a.sqlite'}",
                       "--to", UNREACHABLE], env=_env())  # fmt: skip
    assert done.returncode == 1
    assert "password is on the command line (--to)" in done.stderr
    assert "(--from)" not in done.stderr and PASSWORD not in done.stderr


def test_no_warning_for_a_url_without_password(tmp_path: Path) -> None:
    database = tmp_path / "plain.sqlite"
    done = run_ft_dcc(["user", "add", "anna", "--data", tmp_path / "data",
                       "--database", f"sqlite:///{database}"], env=_env())  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr and database.is_file()


def test_the_database_comes_from_a_file_bare_or_as_the_service_writes_it(tmp_path: Path) -> None:
    for name, line in (("bare.url", "sqlite:///{}"), ("service.env", 'FT_DCC_DATABASE="sqlite:///{}"')):
        database = tmp_path / f"{name}.sqlite"
        secret = tmp_path / name
        secret.write_text(f"# the studio's database\n{line.format(database)}\n", encoding="utf-8")
        secret.chmod(0o600)
        done = run_ft_dcc(["user", "add", "anna", "--data", tmp_path / "data",
                           "--database-file", secret], env=_env())  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert f"database sqlite:///{database}" in done.stdout and "warning" not in done.stderr
        assert database.is_file()


def test_a_database_file_others_may_read_is_warned_about(tmp_path: Path) -> None:
    secret = tmp_path / "database.url"
    secret.write_text(UNREACHABLE + "\n", encoding="utf-8")
    secret.chmod(0o644)
    done = run_ft_dcc(["user", "add", "anna", "--data", tmp_path / "data",
                       "--database-file", secret], env=_env())  # fmt: skip
    assert done.returncode == 1
    assert "other users may read it (mode 0644); chmod 600" in done.stderr
    assert WARNING not in done.stderr and PASSWORD not in done.stderr


def test_a_missing_or_empty_database_file_is_a_clear_error(tmp_path: Path) -> None:
    done = run_ft_dcc(["user", "add", "anna", "--data", tmp_path / "data",
                       "--database-file", tmp_path / "absent.url"], env=_env())  # fmt: skip
    assert done.returncode == 1 and "cannot read the database file" in done.stderr
    (tmp_path / "empty.url").write_text("# nothing yet\n", encoding="utf-8")
    done = run_ft_dcc(["user", "add", "anna", "--data", tmp_path / "data",
                       "--database-file", tmp_path / "empty.url"], env=_env())  # fmt: skip
    assert done.returncode == 1 and "holds no database URL" in done.stderr


def test_the_database_comes_from_the_environment(tmp_path: Path) -> None:
    database = tmp_path / "from-env.sqlite"
    env = _env(FT_DCC_DATABASE=f"sqlite:///{database}")
    done = run_ft_dcc(["user", "add", "anna", "--data", tmp_path / "data"], env=env)
    assert done.returncode == 0, done.stderr
    assert f"database sqlite:///{database}" in done.stdout and database.is_file()
    assert not (tmp_path / "data" / "ft_dcc.sqlite").exists()


def test_database_and_database_file_are_one_or_the_other(tmp_path: Path) -> None:
    done = run_ft_dcc(["server", "--database", "sqlite:///x.sqlite", "--database-file", "f"],
                      env=_env())  # fmt: skip
    assert done.returncode == 2 and "not allowed with argument" in done.stderr
