"""A real SMTP server on 127.0.0.1 for the tests (``aiosmtpd``): it keeps every message it took,
and can be told to answer as a studio's server may (a temporary failure, a refusal, a slow
answer held until the test lets it go), to ask for STARTTLS and a login, or to be down.

``SmtpServer.url`` is what ``ft-dcc server --smtp-url`` takes; ``messages`` are
``email.message.EmailMessage`` objects as the recipient's mail program reads them.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import subprocess
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Any, List, Optional

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from support.waiting import wait_until


class _Handler:
    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        owner = self.owner
        owner.attempts += 1
        if owner.delay:  # a slow server: every message takes this long
            await asyncio.sleep(owner.delay)
        if owner.hold is not None:  # a slow server: answer once the test lets go
            while not owner.hold.is_set():
                await asyncio.sleep(0.02)
        if owner.answers:
            answer = owner.answers.pop(0)
            if not answer.startswith("250"):
                return answer
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with owner.lock:
            owner.messages.append(message)
            owner.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


class _SharedPortController(Controller):
    """aiosmtpd's controller, listening with ``SO_REUSEPORT`` beside the port's placeholder."""

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, host=self.hostname, port=self.port,
                                       ssl=self.ssl_context, reuse_port=True)  # fmt: skip


def _placeholder() -> socket.socket:
    """A loopback socket bound with ``SO_REUSEPORT`` and never listening: it keeps its port out
    of everyone else's hands (no other bind, no outgoing connection's local port) while a
    connection to it is refused, as a down mail server's is."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class SmtpServer:
    """One aiosmtpd server on a loopback port (``start``/``stop``; the port stays the same and
    stays this server's while it is down: ``close`` gives it back)."""

    def __init__(
        self,
        port: Optional[int] = None,
        *,
        tls_dir: Optional[Path] = None,
        login: Optional[tuple] = None,
    ) -> None:
        self._holder: Optional[socket.socket] = None
        if port is None:
            self._holder = _placeholder()
            port = int(self._holder.getsockname()[1])
        self.port = port
        self.messages: List[EmailMessage] = []
        self.envelopes: List[tuple] = []
        #: replies to give the next DATA commands instead of taking the message ("451 …")
        self.answers: List[str] = []
        #: while set to an unset Event, every DATA waits for it (a slow server)
        self.hold: Optional[threading.Event] = None
        #: seconds every DATA command takes before its answer
        self.delay = 0.0
        self.attempts = 0
        self.lock = threading.Lock()
        self.login = login
        self.logins: List[str] = []
        self.cert: Optional[Path] = None
        self._tls: Optional[ssl.SSLContext] = None
        if tls_dir is not None:
            self.cert, key = self_signed(tls_dir)
            self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._tls.load_cert_chain(self.cert, key)
        self._controller: Optional[Controller] = None

    @property
    def url(self) -> str:
        if self._tls is not None:
            user = f"{self.login[0]}@" if self.login else ""
            return f"smtp+starttls://{user}127.0.0.1:{self.port}"
        return f"smtp://127.0.0.1:{self.port}"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      data: Any) -> AuthResult:  # fmt: skip
        if isinstance(data, LoginPassword) and self.login is not None:
            given = (data.login.decode(), data.password.decode())
            if given == tuple(self.login):
                self.logins.append(given[0])
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def start(self) -> SmtpServer:
        options: dict = {}
        if self._tls is not None:
            options.update(tls_context=self._tls, require_starttls=True)
        if self.login is not None:
            options.update(authenticator=self._authenticate, auth_required=True,
                           auth_require_tls=self._tls is not None)  # fmt: skip
        self._controller = _SharedPortController(
            _Handler(self), hostname="127.0.0.1", port=self.port, server_hostname="127.0.0.1",
            ready_timeout=30, **options,
        )  # fmt: skip
        self._controller.start()
        return self

    @property
    def running(self) -> bool:
        return self._controller is not None

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def close(self) -> None:
        """Stop, and give the port back."""
        self.stop()
        if self._holder is not None:
            self._holder.close()
            self._holder = None

    def wait_for(self, count: int, timeout: float = 60.0) -> List[EmailMessage]:
        """The first ``count`` messages, once they arrived."""
        wait_until(lambda: len(self.messages) >= count,
                   lambda: f"{len(self.messages)} of {count} mails arrived", timeout)  # fmt: skip
        with self.lock:
            return list(self.messages[:count])


def self_signed(folder: Path) -> tuple:
    """A self-signed certificate for 127.0.0.1 (and its key), made with ``openssl``; a client
    trusts it with ``SSL_CERT_FILE`` pointing at it."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    if not cert.exists():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True,
        )  # fmt: skip
    return cert, key


def body_text(message: EmailMessage, subtype: str) -> str:
    """The ``text/<subtype>`` part of ``message``."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part in {message.get_content_type()}"
    return str(part.get_content())
