"""Where the server's mail goes: ``--smtp-url`` / ``FT_DCC_SMTP_URL`` and the sender's address.

The URL names the studio's SMTP server and how to speak to it:

* ``smtp://HOST[:PORT]`` (port 25): plain SMTP, as a relay on the studio's network takes it;
* ``smtp+starttls://[USER@]HOST[:PORT]`` (port 587): STARTTLS, then a login when a user is named;
* ``smtps://[USER@]HOST[:PORT]`` (port 465): TLS from the first byte, then the login.

The password never travels on a command line (``ps`` shows it to every user of the machine): a
``--smtp-url`` holding one is refused. It comes from ``FT_DCC_SMTP_PASSWORD``, or a file given
with ``--smtp-password-file`` (its first line), or a URL in ``FT_DCC_SMTP_URL`` (the service's
0600 environment file). ``--mail-from`` / ``FT_DCC_MAIL_FROM`` is the sender, e.g.
``"Pixel Farm dailies <dailies@pixelfarm.example>"``: its display name is the studio's name the
mails say.

Standard library only: the command module reads it while it builds the server's settings.
"""

from __future__ import annotations

import socket
import stat
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Mapping, NamedTuple, Optional
from urllib.parse import unquote, urlsplit

from ft_dcc.exceptions import ConfigurationError

SMTP_URL_ENV = "FT_DCC_SMTP_URL"
SMTP_PASSWORD_ENV = "FT_DCC_SMTP_PASSWORD"
MAIL_FROM_ENV = "FT_DCC_MAIL_FROM"
#: scheme -> (security, default port)
SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class SmtpSettings(NamedTuple):
    """How to reach the studio's SMTP server, and who the mail is from."""

    host: str
    port: int
    #: "plain", "starttls" or "tls"
    security: str
    username: str
    password: str
    #: the ``From`` header, e.g. ``Pixel Farm <dailies@pixelfarm.example>``
    sender: str
    #: the studio's name the mails say (``sender``'s display name, else its domain)
    studio: str

    def __repr__(self) -> str:  # never the password (a config's repr may be logged)
        return f"SmtpSettings({self.describe()})"

    def describe(self) -> str:
        """The settings without the password, for the server's start line."""
        who = f"{self.username}@" if self.username else ""
        return f"{self.security} SMTP {who}{self.host}:{self.port}, from {self.sender}"


def parse_smtp_url(url: str, password: str = "") -> SmtpSettings:
    """The settings of ``url`` (the sender filled in later); ``ConfigurationError`` saying what
    to write instead."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ConfigurationError(
            "the SMTP URL is not a URL", "write it as smtp+starttls://USER@HOST:587"
        ) from None
    if parts.scheme not in SCHEMES:
        raise ConfigurationError(
            f"the SMTP URL's scheme {parts.scheme!r} is not one of {', '.join(SCHEMES)}",
            "write smtp://HOST:25, smtp+starttls://USER@HOST:587 or smtps://USER@HOST:465",
        )
    if not parts.hostname:
        raise ConfigurationError("the SMTP URL names no host", "write smtp://HOST:PORT")
    security, default_port = SCHEMES[parts.scheme]
    username = unquote(parts.username or "")
    secret = unquote(parts.password or "") or password
    if secret and not username:
        raise ConfigurationError(
            "an SMTP password was given without a user", "name the user: smtp+starttls://USER@HOST"
        )
    return SmtpSettings(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        username=username,
        password=secret,
        sender="",
        studio="",
    )


def sender_of(given: str, host: str) -> tuple[str, str]:
    """(the ``From`` header, the studio's name) of ``--mail-from`` (default ``ft-dcc@`` this
    machine's name)."""
    text = " ".join(given.split())
    if not text:
        return f"ft-dcc@{socket.getfqdn() or host}", socket.getfqdn() or host
    name, address = parseaddr(text)
    if "@" not in address or any(c in text for c in "\r\n"):
        raise ConfigurationError(
            f"--mail-from {text[:100]!r} is not an e-mail address",
            'give one such as "Pixel Farm dailies <dailies@pixelfarm.example>"',
        )
    try:
        header = str(Address(display_name=name, addr_spec=address))
    except (ValueError, IndexError):
        raise ConfigurationError(
            f"--mail-from {text[:100]!r} is not an e-mail address",
            'give one such as "Pixel Farm dailies <dailies@pixelfarm.example>"',
        ) from None
    return header, name or address.rsplit("@", 1)[1]


def _password_file(path: Path) -> str:
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
        mode = Path(path).expanduser().stat().st_mode
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(
            f"cannot read the SMTP password file {path} ({error})",
            "give --smtp-password-file the path of a file holding the password on its first line",
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            f"other users may read the SMTP password file {path} (mode {stat.S_IMODE(mode):04o})",
            f"chmod 600 {path}",
        )
    return text.splitlines()[0].strip() if text.strip() else ""


def choose_smtp(
    given: Optional[str],
    password_file: Optional[Path],
    mail_from: Optional[str],
    environ: Mapping[str, str],
) -> Optional[SmtpSettings]:
    """``--smtp-url`` (never with a password), else ``$FT_DCC_SMTP_URL``; the password from the
    URL in the environment, ``--smtp-password-file`` or ``$FT_DCC_SMTP_PASSWORD``. ``None``: no
    mail (the desk says links are sent by hand)."""
    url = (given or "").strip()
    if url and urlsplit(url).password:
        raise ConfigurationError(
            "the SMTP password is on the command line (--smtp-url), where every user of this "
            "machine can read it",
            f"give the URL without it and put the password in {SMTP_PASSWORD_ENV} or a file "
            "given with --smtp-password-file (or the whole URL in " + SMTP_URL_ENV + ")",
        )
    url = url or environ.get(SMTP_URL_ENV, "").strip()
    if not url:
        if password_file is not None or (mail_from or "").strip():
            raise ConfigurationError(
                "mail settings were given but no SMTP server",
                f"give --smtp-url smtp+starttls://USER@HOST:587 (or {SMTP_URL_ENV})",
            )
        return None
    password = _password_file(password_file) if password_file is not None else ""
    settings = parse_smtp_url(url, password or environ.get(SMTP_PASSWORD_ENV, ""))
    sender, studio = sender_of(mail_from or environ.get(MAIL_FROM_ENV, ""), settings.host)
    return settings._replace(sender=sender, studio=studio)


def plain_login_warning(settings: SmtpSettings) -> Optional[str]:
    """A warning when a password would cross the network unencrypted."""
    if settings.security == "plain" and settings.username and settings.host not in LOOPBACK:
        return (
            f"the SMTP login to {settings.host} is sent unencrypted (smtp://); use "
            "smtp+starttls:// or smtps:// when the server offers it"
        )
    return None
