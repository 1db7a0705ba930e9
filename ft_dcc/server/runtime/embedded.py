"""One embedded server process: its store, keys, files, encoder and event hub.

``EmbeddedServer`` is what every route area (``api_routes``, ``component_routes``,
``widget_page``, ``review_page``, ``events``) is handed.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
from typing import Any, Callable, Dict, List, Optional, Sequence

from ft_dcc.server import audit
from ft_dcc.server.events.fanout import share_event_hub
from ft_dcc.server.files.disk import check_writable, remove_orphan_parts
from ft_dcc.server.files.encode import MediaEncoder
from ft_dcc.server.files.filestore import FileStore, load_or_create_secret
from ft_dcc.server.files.retire import remove_orphan_files
from ft_dcc.server.grants.bus import make_bus
from ft_dcc.server.http import update_tokens
from ft_dcc.server.http.auth import KeyRing
from ft_dcc.server.mail.mailer import Mailer
from ft_dcc.server.rules import permissions
from ft_dcc.server.rules.registry import Change
from ft_dcc.server.runtime.config import ServerConfig
from ft_dcc.server.runtime.context import ApiContext
from ft_dcc.server.runtime.seed import ensure_credentials

log = logging.getLogger(__name__)


class EmbeddedServer:
    """The parts of one server process, shared by the route handlers."""

    def __init__(self, config: ServerConfig, environ: Optional[Dict[str, str]] = None) -> None:
        from ft_dcc.server.store.store import Store

        self.config = config
        #: what to stop with the server (route areas' threads, e.g. the presenter lead sweep)
        self._closers: List[Callable[[], None]] = []
        check_writable(config.data_dir)  # one clear line (DataDirError) instead of a traceback
        config.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(config.data_dir, 0o700)
        self.store = Store(config.resolved_database_url)
        #: writes the audit counts this process holds back; stopped last, writing them all
        self._stop_audit_counts = audit.write_held_counts(self.store)
        #: revocations to and from every server process (``grants.bus``); one per process
        self.revocations = make_bus(self.store.engine)
        self.keys = KeyRing(
            self.store.engine, self.store.metadata, self.revocations,
            users=permissions.user_table(self.store),
        )  # fmt: skip
        self.seed = ensure_credentials(
            self.store,
            self.keys,
            config.url,
            config.credentials_file,
            os.environ if environ is None else environ,
        )
        self.files = FileStore(
            config.files_dir,
            load_or_create_secret(config.secret_file),
            ttl=config.upload_url_ttl,
            max_size=config.max_upload_size,
        )
        if not config.worker_process:
            self.files.cleanup_expired()
            remove_orphan_parts(self.files.incoming)
            self._remove_orphan_files()
        self.events = _make_event_broker(self)
        self.relay = share_event_hub(self.events, self.store.engine, self.store.metadata)
        if not config.worker_process and self.relay is not None:
            self.events.shared_open.forget_all()  # the counts of processes that died
        self.ctx = ApiContext(
            config=config,
            store=self.store,
            files=self.files,
            keys=self.keys,
            on_changes=self._emit_update if self.events is not None else None,
            revocations=self.revocations,
        )
        self.ctx.encoder = MediaEncoder(self.files, self.ctx.execute, self.ctx.execute)
        #: outgoing mail: a durable queue and this process's sender thread (``mail``)
        self.mail = Mailer(
            self.store.engine, self.store.metadata, config.smtp, config.mail_retry_seconds
        )
        self.ctx.mail = self.mail
        #: who hears of what (``ft_dcc.server.notify``, started by ``app.create_app``)
        self.notifier: Any = None
        if not config.worker_process:
            try:
                self.ctx.encoder.fail_interrupted(self.seed.user_id)
            except Exception:
                log.exception("could not check for interrupted encode jobs")

    def _remove_orphan_files(self) -> None:
        """The cleanup pass over stored files (see ``files.retire``)."""
        try:
            remove_orphan_files(
                self.store, self.files, self.seed.user_id, self.config.orphan_file_age
            )
        except Exception:
            log.exception("could not clean up orphan uploads")

    def _emit_update(self, changes: Sequence[Change], user_id: str) -> None:
        if self.events is None:
            return
        kwargs: Dict[str, Any] = {"user": self.keys.username_for(user_id)}
        parameters = inspect.signature(self.events.emit_update).parameters
        if "user_id" in parameters:
            kwargs["user_id"] = user_id
        if "client_token" in parameters:  # the request's ftrack-Clienttoken / ftrack-pushtoken
            kwargs["client_token"], kwargs["push_token"] = update_tokens.current()
        self.events.emit_update(changes, **kwargs)

    def authenticate(self, username: Optional[str], api_key: Optional[str]) -> Optional[str]:
        """The user id for valid credentials, else ``None``."""
        return self.keys.verify(username, api_key)

    def on_close(self, stop: Callable[[], None]) -> None:
        """Call ``stop`` when the server closes (before its store is disposed)."""
        self._closers.append(stop)

    def close(self) -> None:
        for stop in self._closers:
            with contextlib.suppress(Exception):
                stop()
        if self.ctx.encoder is not None:
            self.ctx.encoder.shutdown()
        with contextlib.suppress(Exception):
            self.mail.close()
        if self.events is not None:
            with contextlib.suppress(Exception):
                self.events.close()
        if self.relay is not None:
            with contextlib.suppress(Exception):
                self.relay.close()
        with contextlib.suppress(Exception):
            self.revocations.close()
        try:
            self._stop_audit_counts()
        except Exception:
            log.exception("could not write the audit counts held back")
        with contextlib.suppress(Exception):
            self.store.engine.dispose()


def _make_event_broker(server: EmbeddedServer) -> Any:
    try:
        from ft_dcc.server.events.hub import EventBroker
    except ImportError:
        return None
    try:
        broker = EventBroker()
    except Exception:
        log.exception("the event hub could not start; the API works without it")
        return None
    # a socket lives on its key: re-checked when its User is revoked
    broker.grants.watch(server.revocations, server.keys.holds)
    return broker
