"""``ft-dcc server install-service``: the unit systemd itself verifies, run as systemd runs it.

systemd is not running in a test machine, so the unit is started as systemd would start it: its
``EnvironmentFile`` read into the environment, its ``ExecStart`` split and unescaped by systemd's
rules, and the server must then serve on the unit's port from the unit's database, with the
database password on no process's command line.
"""

from __future__ import annotations

import configparser
import os
import shlex
import signal
import stat
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest
import requests
from support import free_port
from support.cli import run_ft_dcc
from support.waiting import wait_until

PASSWORD = "s3cret-pw-9f2c"
UNIT, ENV_FILE = "ft-dcc-server.service", "ft-dcc-server.env"


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def _systemd_words(line: str) -> List[str]:
    """``ExecStart=``'s words as systemd reads them (quotes, ``%%``, ``$$``)."""
    return [w.replace("%%", "%").replace("$$", "$") for w in shlex.split(line)]


def _environment_file(path: Path) -> Dict[str, str]:
    """The variables the file sets, as systemd reads them (by the shell's rules: _shell_reads)."""
    return {"FT_DCC_DATABASE": _shell_reads(path)}


def _verify(unit: Path, *scope: str, env: Dict[str, str]) -> None:
    done = subprocess.run(["systemd-analyze", *scope, "verify", "--man=no", str(unit)],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # not even an unknown key, ignored


def _tree(pid: int) -> List[int]:
    """``pid`` and its descendants."""
    parents: Dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += [child for child, parent in parents.items() if parent == current]
    return found


@pytest.mark.slow
def test_system_unit_verifies_and_runs_with_the_password_only_in_its_0600_file(
    pg_cluster, tmp_path: Path
) -> None:
    url = pg_cluster.create_database("service", template=pg_cluster.template)
    secret_url = url.replace("postgres@", f"postgres:{PASSWORD}@")  # trust: carried, unchecked
    secret = tmp_path / "database.url"
    secret.write_text(secret_url + "\n", encoding="utf-8")
    secret.chmod(0o600)
    data, out, port = tmp_path / "studio data 100%", tmp_path / "unit 1", free_port()
    done = run_ft_dcc(["server", "install-service", "--output", out, "--data", data,
                       "--port", port, "--workers", "2", "--database-file", secret])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr and "systemctl enable --now" in done.stdout
    unit_text, env_path = (out / UNIT).read_text(encoding="utf-8"), out / ENV_FILE
    assert PASSWORD not in unit_text and PASSWORD in env_path.read_text(encoding="utf-8")
    assert stat.S_IMODE(env_path.stat().st_mode) == 0o600
    _verify(out / UNIT, env=dict(os.environ))
    unit = _unit(out / UNIT)
    assert unit["Service"]["User"] == "ftdcc" and unit["Install"]["WantedBy"] == "multi-user.target"
    assert "postgresql.service" in unit["Unit"]["After"]

    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg"))
    env.update(_environment_file(Path(unit["Service"]["EnvironmentFile"].replace("%%", "%"))))
    command = _systemd_words(unit["Service"]["ExecStart"])
    assert command[command.index("--data") + 1] == str(data)
    log = tmp_path / "service.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        def serving() -> bool:
            assert process.poll() is None, log.read_text(errors="replace")
            try:
                return requests.get(f"http://127.0.0.1:{port}/", timeout=(1, 60)).status_code == 200
            except requests.ConnectionError:
                return False

        wait_until(serving, "the unit's server serving", timeout=120)
        started = log.read_text(errors="replace")
        assert "database: postgresql" in started and "workers: 2" in started
        assert f"data: {data}" in started and PASSWORD not in started
        processes = _tree(process.pid)
        assert len(processes) >= 3  # the supervisor and its two workers
        for pid in processes:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            assert PASSWORD not in cmdline, cmdline
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)


def test_user_unit_goes_to_the_users_systemd_folder_and_verifies(tmp_path: Path) -> None:
    config, runtime = tmp_path / "config", tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, XDG_CONFIG_HOME=str(config), XDG_RUNTIME_DIR=str(runtime))
    env.pop("FT_DCC_DATABASE", None)
    done = run_ft_dcc(["server", "install-service", "--user", "--data", tmp_path / "data"],
                      env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    unit_path = config / "systemd" / "user" / UNIT
    env_path = config / "ft_dcc" / ENV_FILE
    assert stat.S_IMODE(env_path.stat().st_mode) == 0o600
    assert "FT_DCC_DATABASE=" not in env_path.read_text().replace("# FT_DCC_DATABASE=", "")
    unit = _unit(unit_path)
    assert "User" not in unit["Service"] and unit["Install"]["WantedBy"] == "default.target"
    assert "systemctl --user enable --now ft-dcc-server" in done.stdout
    _verify(unit_path, "--user", env=env)


def test_dry_run_prints_the_files_with_the_password_masked_and_writes_nothing(
    tmp_path: Path,
) -> None:
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"),
               FT_DCC_DATABASE=f"postgresql://ftdcc:{PASSWORD}@db.studio:5432/ftdcc")  # fmt: skip
    done = run_ft_dcc(["server", "install-service", "--user", "--dry-run", "--workers", "4"],
                      env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ExecStart=" in done.stdout and "--workers 4" in done.stdout
    assert 'FT_DCC_DATABASE="postgresql://ftdcc:***@db.studio:5432/ftdcc"' in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    assert not (tmp_path / "config").exists()


def test_workers_without_postgresql_are_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FT_DCC_DATABASE"}
    done = run_ft_dcc(["server", "install-service", "--output", tmp_path / "unit",
                       "--workers", "3"], env=env)  # fmt: skip
    assert done.returncode == 1 and "--workers 3 needs a PostgreSQL database" in done.stderr
    assert not (tmp_path / "unit").exists()


def test_a_program_in_a_private_folder_is_found(tmp_path: Path) -> None:
    """A system service's user must reach the ``ft-dcc`` the unit names."""
    from ft_dcc.server.operations.service import private_folder

    private = tmp_path / "home" / "td"
    (private / "venv" / "bin").mkdir(parents=True)
    program = private / "venv" / "bin" / "ft-dcc"
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    for folder in (tmp_path, tmp_path / "home"):
        folder.chmod(0o755)
    private.chmod(0o700)
    assert private_folder(program) == private
    private.chmod(0o755)
    assert private_folder(program) is None or private_folder(program) in tmp_path.parents


#: passwords a studio may well have, each with a character some reader treats specially
AWKWARD_PASSWORDS = [
    "pa$word", "pa$$word", "back`tick`", "$(id)", 'qu"ote', "it's", "back\\slash", "end\\",
    "sp ace", "tab\tbed", "100%h", "#hash", "semi;colon", "ü-ñ-€",
]  # fmt: skip


def _shell_reads(path: Path) -> str:
    """``FT_DCC_DATABASE`` as a POSIX shell reads the file (systemd's ``EnvironmentFile=``
    follows the shell's quoting rules, systemd.exec(5))."""
    done = subprocess.run(["sh", "-c", 'set -a; . "$1"; printf %s "$FT_DCC_DATABASE"', "sh",
                           str(path)], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("password", AWKWARD_PASSWORDS)
def test_the_environment_file_reads_back_every_password_exactly(
    password: str, tmp_path: Path
) -> None:
    """What install-service writes into the environment file is read back exactly as written,
    by the project's own ``--database-file`` and by the shell's rules systemd follows. Seen
    failing first: ``$`` and the backtick came back with a backslash before each."""
    from ft_dcc.server.operations.secrets_source import choose_database

    url = f"postgresql://ftdcc:{password}@db.studio:5432/ftdcc"
    secret = tmp_path / "database.url"
    secret.write_text(url + "\n", encoding="utf-8")
    secret.chmod(0o600)
    out = tmp_path / "unit"
    done = run_ft_dcc(["server", "install-service", "--output", out, "--data", tmp_path / "d",
                       "--database-file", secret])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert choose_database(None, out / ENV_FILE, {}).url == url
    assert _shell_reads(out / ENV_FILE) == url
    _verify(out / UNIT, env=dict(os.environ))


@pytest.mark.parametrize(
    "option, value, words",
    [
        ("--host", "127.0.0.1\nExecStartPre=/bin/touch /tmp/owned", "--host"),
        ("--host", "127.0.0.1 --workers 9", "--host"),
        ("--data", "/srv/ft\ndata", "data dir"),
        ("--service-user", "ftdcc\nUser=root", "--service-user"),
        ("--output", "unit\nExecStartPre=x", "--output"),
    ],
)
def test_unit_values_that_cannot_be_written_safely_are_refused(
    option: str, value: str, words: str, tmp_path: Path
) -> None:
    """A value that would change the unit's meaning (a line break starts a directive of its
    own) or not read back as given is refused, saying which, before anything is written. Seen
    failing first: a newline in ``--host`` wrote an ``ExecStartPre=`` directive into the
    unit."""
    out = tmp_path / "unit"
    args = ["server", "install-service", "--output", out, "--data", tmp_path / "data"]
    if option == "--output":
        args[3] = out = tmp_path / value
    else:
        args += [option, value]
    env = {k: v for k, v in os.environ.items() if k != "FT_DCC_DATABASE"}
    done = run_ft_dcc(args, env=env)
    assert done.returncode == 1, done.stdout
    assert words in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not out.exists() and not any(tmp_path.glob("**/*.service"))


def test_unusual_but_safe_values_read_back_as_written(tmp_path: Path) -> None:
    """Spaces, quotes, ``$``, ``%``, ``;`` and backslashes in the data dir reach the server's
    command line as given (systemd's own verifier accepts the unit)."""
    data = tmp_path / "studio's \"data\" $HOME 100% ; \\ end"
    out = tmp_path / "unit; 50%"
    env = {k: v for k, v in os.environ.items() if k != "FT_DCC_DATABASE"}
    done = run_ft_dcc(["server", "install-service", "--output", out, "--data", data,
                       "--host", "0.0.0.0"], env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    _verify(out / UNIT, env=dict(os.environ))
    unit = _unit(out / UNIT)
    command = _systemd_words(unit["Service"]["ExecStart"])
    assert command[command.index("--data") + 1] == str(data)
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert unit["Service"]["EnvironmentFile"].replace("%%", "%") == str(out / ENV_FILE)
