"""``ft-dcc server install-service``: the embedded server as a systemd service.

Writes two files:

- the unit (``NAME.service``): ``ft-dcc server`` with the chosen data dir, address, port and
  workers, restarted on failure, started after the network (and PostgreSQL); a system unit runs
  as an unprivileged service user with the usual hardening, a user unit (``--user``) as you;
- its environment file (``NAME.env``, mode 0600, owned by the service user): the database URL as
  ``FT_DCC_DATABASE``, so its password is on no command line (``ps``) and in no world-readable
  unit file.

Where: ``/etc/systemd/system`` and ``/etc/ft_dcc`` (system), ``~/.config/systemd/user`` and
``~/.config/ft_dcc`` (user), or both in ``--output DIR``; ``--dry-run`` prints them (the
password masked) and writes nothing. Standard library only.
"""

from __future__ import annotations

import os
import pwd
import re
import stat
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from ft_dcc.exceptions import ConfigurationError
from ft_dcc.server.operations.secrets_source import (
    DATABASE_ENV,
    control_characters,
    environment_line,
)

DEFAULT_NAME = "ft-dcc-server"
DEFAULT_SERVICE_USER = "ftdcc"
SYSTEM_DATA_DIR = Path("/var/lib/ft_dcc/server")
SYSTEM_UNIT_DIR = Path("/etc/systemd/system")
SYSTEM_ENV_DIR = Path("/etc/ft_dcc")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,120}")
#: an IP address (v4, v6) or a host name: what ``--host`` binds
HOST_PATTERN = re.compile(r"[A-Za-z0-9._:\[\]-]{1,253}")
#: a system account's name (systemd's ``User=``)
USER_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
NOTHING_WRITTEN = "nothing was written"


@dataclass(frozen=True)
class ServiceSpec:
    """What the unit runs, and for whom."""

    name: str
    user_mode: bool
    data_dir: Path
    host: str
    port: int
    workers: int
    database_url: Optional[str]
    #: ``User=`` of a system unit (None in a user unit)
    service_user: Optional[str]
    #: the command that runs ``ft-dcc`` (this installation's)
    command: Tuple[str, ...]


@dataclass(frozen=True)
class ServiceFiles:
    """Where the unit and its environment file go."""

    unit: Path
    environment: Path


def ft_dcc_command() -> Tuple[str, ...]:
    """This installation's ``ft-dcc``: the script beside the interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("ft-dcc")
    if script.is_file() and os.access(script, os.X_OK):
        return (str(script),)
    return (sys.executable, "-m", "ft_dcc")


def check_spec(spec: ServiceSpec) -> None:
    """Refuse what would make a unit that cannot start, before anything is written."""
    if not NAME_PATTERN.fullmatch(spec.name):
        raise ConfigurationError(
            f"{spec.name!r} is not a usable service name",
            "use letters, digits, '-', '_' and '.', e.g. ft-dcc-server",
        )
    if spec.workers > 1 and not (spec.database_url or "").startswith("postgresql"):
        raise ConfigurationError(
            f"--workers {spec.workers} needs a PostgreSQL database; SQLite serves one process",
            f"give the database (--database-file PATH or ${DATABASE_ENV}), or drop --workers",
        )
    if not spec.data_dir.is_absolute():
        raise ConfigurationError(f"the data dir {spec.data_dir} is not an absolute path")
    _check_unit_values(spec)


def _check_unit_values(spec: ServiceSpec) -> None:
    """Every value the unit holds reads back as given: no line break or other control
    character (one would start a directive of its own), an address or host name for
    ``--host``, an account name for ``--service-user``."""
    if not HOST_PATTERN.fullmatch(spec.host):
        raise ConfigurationError(
            f"--host {spec.host!r} is not an IP address or host name; {NOTHING_WRITTEN}",
            "give the address to bind, e.g. 127.0.0.1 (this machine only) or 0.0.0.0",
        )
    if spec.service_user is not None and not USER_PATTERN.fullmatch(spec.service_user):
        raise ConfigurationError(
            f"--service-user {spec.service_user!r} is not an account name; {NOTHING_WRITTEN}",
            "give a system account's name, e.g. ftdcc",
        )
    for what, value in (("the data dir", str(spec.data_dir)),
                        *(("ft-dcc's path", word) for word in spec.command)):  # fmt: skip
        bad = control_characters(value)
        if bad:
            raise ConfigurationError(
                f"{what} {value!r} holds control characters ({', '.join(bad)}), which a "
                f"systemd unit cannot hold; {NOTHING_WRITTEN}",
                "give a path without line breaks or other control characters",
            )


def check_files(files: ServiceFiles) -> None:
    """The unit's own paths read back as given (``EnvironmentFile=`` holds one unquoted)."""
    for path in (files.unit, files.environment):
        text = str(path)
        if control_characters(text) or text != text.strip() or text.endswith("\\"):
            raise ConfigurationError(
                f"the path {text!r} cannot be written into a systemd unit as it is (control "
                f"characters, or spaces or a backslash at its end); {NOTHING_WRITTEN}",
                "give --output (or --name) without them",
            )


def default_files(name: str, user_mode: bool, output: Optional[Path]) -> ServiceFiles:
    """Where systemd looks for the unit (or ``output``), and the environment file's place."""
    if output is not None:
        output = output.expanduser().absolute()  # EnvironmentFile= takes an absolute path
        return ServiceFiles(output / f"{name}.service", output / f"{name}.env")
    if user_mode:
        config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        return ServiceFiles(
            config / "systemd" / "user" / f"{name}.service", config / "ft_dcc" / f"{name}.env"
        )
    return ServiceFiles(SYSTEM_UNIT_DIR / f"{name}.service", SYSTEM_ENV_DIR / f"{name}.env")


def exec_word(word: str) -> str:
    """One word of ``ExecStart=`` as systemd reads it back: quoted when needed, ``%``/``$``
    doubled (systemd's specifiers and variables)."""
    word = word.replace("%", "%%").replace("$", "$$")
    if word and not re.search(r"[\s\"'\\;]", word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def server_arguments(spec: ServiceSpec) -> List[str]:
    """``ft-dcc server``'s arguments in the unit (never the database: that is the env file's)."""
    words = [*spec.command, "server", "--data", str(spec.data_dir), "--host", spec.host,
             "--port", str(spec.port)]  # fmt: skip
    if spec.workers != 1:
        words += ["--workers", str(spec.workers)]
    return words


def unit_text(spec: ServiceSpec, files: ServiceFiles) -> str:
    """The ``.service`` file."""
    service = [
        "Type=exec",
        *([f"User={spec.service_user}", f"Group={spec.service_user}"] if spec.service_user
          else []),
        f"EnvironmentFile={str(files.environment).replace('%', '%%')}",  # a path, unquoted
        "ExecStart=" + " ".join(exec_word(w) for w in server_arguments(spec)),
        "Restart=on-failure",
        "RestartSec=5",
        "TimeoutStopSec=60",
        "UMask=0077",
    ]  # fmt: skip
    if not spec.user_mode:  # sandboxing a user manager cannot always set up
        service += ["NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=full",
                    "ProtectKernelTunables=yes", "ProtectControlGroups=yes"]  # fmt: skip
    after = "network-online.target" + ("" if spec.user_mode else " postgresql.service")
    wanted = "default.target" if spec.user_mode else "multi-user.target"
    return "\n".join([
        "# Written by ft-dcc server install-service; the database URL is in the EnvironmentFile.",
        "[Unit]",
        f"Description=ft_dcc embedded ftrack-compatible server on port {spec.port}",
        "Wants=network-online.target",
        f"After={after}",
        "",
        "[Service]",
        *service,
        "",
        "[Install]",
        f"WantedBy={wanted}",
        "",
    ])  # fmt: skip


def environment_text(spec: ServiceSpec, mask: bool = False) -> str:
    """The environment file: the database URL (``mask``: its password hidden, for printing)."""
    head = "# ft_dcc server secrets: read by systemd for the service; keep mode 0600.\n"
    if not spec.database_url:
        return head + f"# {DATABASE_ENV}=postgresql://USER:PASSWORD@HOST:5432/DATABASE\n"
    url = _masked(spec.database_url) if mask else spec.database_url
    return head + environment_line(url) + "\n"


def _masked(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def install(spec: ServiceSpec, files: ServiceFiles) -> None:
    """Write both files (the environment file 0600 and owned by the service user)."""
    check_spec(spec)
    check_files(files)
    owner = _owner(spec)
    files.environment.parent.mkdir(parents=True, exist_ok=True)
    _write_private(files.environment, environment_text(spec), owner)
    files.unit.parent.mkdir(parents=True, exist_ok=True)
    _write(files.unit, unit_text(spec, files), 0o644)


def _owner(spec: ServiceSpec) -> Optional[Tuple[int, int]]:
    """(uid, gid) of the system unit's service user when this process may give it files."""
    if spec.user_mode or not spec.service_user or os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(spec.service_user)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def _write_private(path: Path, text: str, owner: Optional[Tuple[int, int]]) -> None:
    _write(path, text, 0o600, owner)


def _write(path: Path, text: str, mode: int, owner: Optional[Tuple[int, int]] = None) -> None:
    """Write atomically; the file never exists with looser rights than ``mode``."""
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(partial, mode)  # the umask may have narrowed it; never widened
        if owner is not None:
            os.chown(partial, *owner)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def private_folder(program: Path) -> Optional[Path]:
    """The nearest folder above ``program`` that other users cannot enter (a venv in root's
    home: a system service's user could not start it); None when they can enter all."""
    for folder in program.parents:
        try:
            mode = folder.stat().st_mode
        except OSError:
            return folder
        if not mode & stat.S_IXOTH:
            return folder
    return None


def next_steps(spec: ServiceSpec, files: ServiceFiles) -> Sequence[str]:
    """What to run after installing, in order."""
    if spec.user_mode:
        return (
            "systemctl --user daemon-reload",
            f"systemctl --user enable --now {spec.name}",
            f"loginctl enable-linger {pwd.getpwuid(os.getuid()).pw_name}   # run while "
            "you are logged out too",
        )
    user = spec.service_user or DEFAULT_SERVICE_USER
    steps = []
    if _owner(spec) is None:
        steps += [
            f"useradd --system --create-home --home-dir {SYSTEM_DATA_DIR.parent} "
            f"--shell /usr/sbin/nologin {user}   # if the user does not exist yet",
            f"chown {user}: {files.environment} && chmod 600 {files.environment}",
        ]
    steps += [
        f"install -d -o {user} -g {user} -m 0700 {spec.data_dir}",
        "systemctl daemon-reload",
        f"systemctl enable --now {spec.name}",
        f"journalctl -u {spec.name} -f   # its log",
    ]
    return steps
