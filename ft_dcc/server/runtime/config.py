"""Settings of one embedded server process (paths, limits, network)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, List, Optional

from ft_dcc.server.mail.smtp_url import SmtpSettings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
SERVER_VERSION = "4.13.8"


def default_data_dir() -> Path:
    """``server/`` in ft_dcc's app-data folder, beside the offline queue, e.g.
    ``~/.local/share/ft_dcc/server``."""
    from ft_dcc.protocol.app_data import user_data_dir

    return user_data_dir() / "server"


def forwarded_allow_ips(values: Optional[Iterable[str]]) -> List[str]:
    """The trusted proxies of ``--forwarded-allow-ips`` (each value may be comma separated):
    IP addresses, networks (``10.0.0.0/8``) or ``*``; ``ValueError`` saying which is neither."""
    found: List[str] = []
    for value in values or ():
        for part in (piece.strip() for piece in str(value).split(",")):
            if not part:
                continue
            if part != "*":
                try:
                    ipaddress.ip_network(part, strict=False)
                except ValueError:
                    raise ValueError(
                        f"--forwarded-allow-ips: {part[:100]!r} is not an IP address or network; "
                        "give the address of the proxy in front of the server (e.g. 127.0.0.1 or "
                        "10.0.0.0/8), or * to trust every peer"
                    ) from None
            found.append(part)
    return found


@dataclass
class ServerConfig:
    """Everything ``create_app`` needs; paths are derived from ``data_dir`` unless given."""

    data_dir: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    database_url: Optional[str] = None
    request_log: Optional[Path] = None
    #: Largest accepted ``/api`` request body, in bytes.
    max_api_body: int = 32 * 1024 * 1024
    #: Most create/update/delete operations in one ``/api`` batch, a sane upper bound (a larger
    #: one is refused with 413 naming it; the client splits it). A big batch is written in
    #: chunks that give other callers' writes their turn (``ft_dcc.server.store.chunks``).
    #: Reads are not counted here: their replies are bounded by ``max_reply_bytes``.
    max_batch_operations: int = 50_000
    #: Largest accepted upload, in bytes.
    max_upload_size: int = 64 * 1024**3
    #: How long a signed upload URL stays valid, in seconds.
    upload_url_ttl: int = 3600
    #: How long a widget URL stays valid, in seconds (ftrack: 6 minutes).
    widget_url_ttl: int = 360
    #: Uploaded files no component refers to are deleted at start once this old, in seconds.
    orphan_file_age: int = 24 * 3600
    version: str = SERVER_VERSION
    #: How many server processes serve the port (``--workers``; more than one needs PostgreSQL).
    workers: int = 1
    #: True in a process started by ``--workers``: the supervisor did the one-time start work
    #: (schema, seed, failing interrupted jobs, removing stale uploads) before starting it.
    worker_process: bool = False
    #: Browser origins that may call the server (``--cors-origin``, ``FT_DCC_CORS_ORIGINS``;
    #: ``ft_dcc.server.http.cors``); none by default.
    cors_origins: List[str] = field(default_factory=list)
    #: The proxies whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` the server believes
    #: (``--forwarded-allow-ips``: addresses or networks, ``*`` for every peer); none by default:
    #: a request's source (rate limits, the audit trail) is the address that connected.
    forwarded_allow_ips: List[str] = field(default_factory=list)
    #: The studio's SMTP server and sender (``--smtp-url``, ``--mail-from``: ``mail.smtp_url``);
    #: ``None``: no mail, the desk says links are sent by hand.
    smtp: Optional[SmtpSettings] = None
    #: Seconds before a failed mail's first retry (doubling after each, ``mail.outbox``).
    mail_retry_seconds: float = 30.0
    #: Seconds a person's mail digest gathers notes and verdicts before it is sent
    #: (``--mail-digest-seconds``, ``FT_DCC_MAIL_DIGEST_SECONDS``; ``ft_dcc.server.notify``).
    mail_digest_seconds: float = 300.0
    #: Seconds before a failed webhook delivery's first retry (doubling after each;
    #: ``FT_DCC_WEBHOOK_RETRY_SECONDS``; ``ft_dcc.server.notify.deliveries``).
    webhook_retry_seconds: float = 30.0
    #: The address people reach this server at, for the links mails carry (``--public-url``,
    #: ``FT_DCC_PUBLIC_URL``); "" : :attr:`url`.
    public_url: str = ""

    def __post_init__(self) -> None:
        if self.smtp is not None and not isinstance(self.smtp, SmtpSettings):
            self.smtp = SmtpSettings(*self.smtp)  # as a worker process reads it back (JSON)
        self.data_dir = Path(self.data_dir).expanduser().resolve()
        if self.request_log is not None:
            self.request_log = Path(self.request_log).expanduser().resolve()

    @property
    def files_dir(self) -> Path:
        """Where uploaded and encoded files live."""
        return self.data_dir / "files"

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "credentials.env"

    @property
    def secret_file(self) -> Path:
        """The key that signs upload and widget URLs (created on first start, mode 0600)."""
        return self.data_dir / "url-signing.key"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'ft_dcc.sqlite'}"

    @property
    def url(self) -> str:
        """The URL clients use to reach this server."""
        host = self.host
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "[::1]"
        elif ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"
