"""The notifier of one server process, made with its app (``app.create_app``): it records the
notices of every committed write (``ApiContext.on_committed``) from then on, its thread starts
when the app starts serving (its lifespan) and stops with the server."""

from __future__ import annotations

from ft_dcc.server.notify.worker import Notifier
from ft_dcc.server.review.access.identity import SYSTEM
from ft_dcc.server.review.reads.data import asker
from ft_dcc.server.runtime.embedded import EmbeddedServer


def start_notifier(server: EmbeddedServer) -> Notifier:
    """This process's notifier (``server.notifier``), recording; ``start()`` its thread."""
    config = server.config
    notifier = Notifier(server.store, asker(server.ctx.execute, SYSTEM), server.mail,
                        config.public_url or config.url, config.mail_digest_seconds,
                        config.webhook_retry_seconds, start=False)  # fmt: skip
    server.ctx.on_committed = notifier.record
    server.on_close(notifier.close)
    server.notifier = notifier
    return notifier
