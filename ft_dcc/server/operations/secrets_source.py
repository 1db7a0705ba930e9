"""Where the embedded server's database URL comes from, so its password need not be typed where
every user of the machine can read it.

A command line is public on a shared machine: ``ps`` shows every process's arguments to every
user. So besides ``--database URL`` (kept for a password-less URL, and warned about when it holds
a password) the URL comes from a file, ``--database-file PATH``, or the environment variable
``FT_DCC_DATABASE`` (what ``ft-dcc server install-service`` puts in the service's 0600
environment file). The file holds the URL on its first line that is not blank or a ``#``
comment, either bare or as that environment file writes it (``FT_DCC_DATABASE="URL"``), so the
service's file serves ``ft-dcc user add --database-file`` too.

Standard library only: the command modules import it while the parser is built.
"""

from __future__ import annotations

import stat
import unicodedata
from pathlib import Path
from typing import List, Mapping, NamedTuple, Optional
from urllib.parse import parse_qs, urlsplit

from ft_dcc.exceptions import ConfigurationError

DATABASE_ENV = "FT_DCC_DATABASE"
ENV_PREFIX = f"{DATABASE_ENV}="


class DatabaseChoice(NamedTuple):
    """The database URL (None: SQLite in the data dir) and warnings to print before using it."""

    url: Optional[str]
    warnings: List[str]


def choose_database(
    given: Optional[str], file: Optional[Path], environ: Mapping[str, str]
) -> DatabaseChoice:
    """``--database`` first, then ``--database-file``, then ``$FT_DCC_DATABASE``."""
    if given:
        warning = command_line_warning(given, "--database")
        return DatabaseChoice(given, [warning] if warning else [])
    if file is not None:
        return read_database_file(file)
    from_env = environ.get(DATABASE_ENV, "").strip()
    return DatabaseChoice(from_env or None, [])


def has_password(url: str) -> bool:
    """Whether a database URL carries a password (``user:PASSWORD@`` or ``?password=``)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # not a URL urllib reads (e.g. a broken IPv6 host): assume the worst
        return "@" in url
    return bool(parts.password) or bool(parse_qs(parts.query).get("password"))


def command_line_warning(url: str, option: str) -> Optional[str]:
    """The warning for a password given on the command line (None when there is none)."""
    if not has_password(url):
        return None
    return (
        f"the database password is on the command line ({option}), where every user of this "
        f"machine can read it (ps, /proc); put the URL in the environment variable "
        f"{DATABASE_ENV} or in a file only you can read, given with --database-file PATH"
    )


def read_database_file(path: Path) -> DatabaseChoice:
    """The URL a ``--database-file`` holds; a warning when others may read the file."""
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
        mode = Path(path).expanduser().stat().st_mode
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(
            f"cannot read the database file {path} ({error})",
            "give --database-file the path of a file holding the database URL on one line",
        ) from None
    url = _url_line(text)
    if not url:
        raise ConfigurationError(
            f"the database file {path} holds no database URL",
            f"write the URL on its first line (or as {DATABASE_ENV}=URL)",
        )
    warnings = []
    if has_password(url) and mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.append(
            f"the database file {path} holds a password and other users may read it "
            f"(mode {stat.S_IMODE(mode):04o}); chmod 600 {path}"
        )
    return DatabaseChoice(url, warnings)


def _url_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(ENV_PREFIX):
            return environment_value(line[len(ENV_PREFIX) :])
        return line
    return ""


def control_characters(value: str, allowed: str = "") -> List[str]:
    """The control characters and line or paragraph separators in ``value`` (but ``allowed``),
    as Python writes them: what would end or break a line of a unit or environment file."""
    return sorted({repr(c)[1:-1] for c in value
                   if unicodedata.category(c) in ("Cc", "Zl", "Zp") and c not in allowed})


def environment_line(url: str) -> str:
    """``FT_DCC_DATABASE="URL"`` quoted so that systemd's EnvironmentFile and a POSIX shell both
    read back exactly ``url`` (:func:`environment_value` reads it back)."""
    bad = control_characters(url, allowed="\t")
    if bad:
        raise ConfigurationError(
            f"the database URL holds control characters ({', '.join(bad)}), "
            "which an environment file cannot hold safely; nothing was written",
            "give the URL on one line, with its password percent-encoded if it must hold them",
        )
    escaped = "".join(f"\\{c}" if c in DOUBLE_QUOTE_ESCAPES else c for c in url)
    return f'{ENV_PREFIX}"{escaped}"'


#: the characters a backslash escapes inside double quotes (a POSIX shell's, and so systemd's
#: EnvironmentFile's: systemd.exec(5))
DOUBLE_QUOTE_ESCAPES = '\\"$`'


def environment_value(value: str) -> str:
    """One line's value as systemd's ``EnvironmentFile=`` reads it (a POSIX shell's quoting):
    ``"…"`` with ``\\`` escaping only ``\\ " $ `` ` ``, ``'…'`` verbatim, or unquoted, where a
    backslash keeps the character after it."""
    value = value.strip()
    if value[:1] == "'":
        end = value.find("'", 1)
        if end < 0:
            raise ConfigurationError(f"{DATABASE_ENV}'s value has no closing quote (')",
                                     "end the value with '")  # fmt: skip
        return value[1:end]
    quoted = value[:1] == '"'
    found: List[str] = []
    index = 1 if quoted else 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            following = value[index + 1]
            if not quoted or following in DOUBLE_QUOTE_ESCAPES:
                found.append(following)
                index += 2
                continue
        elif quoted and char == '"':
            return "".join(found)
        found.append(char)
        index += 1
    if quoted:
        raise ConfigurationError(f'{DATABASE_ENV}\'s value has no closing quote (")',
                                 'end the value with "')  # fmt: skip
    return "".join(found)
