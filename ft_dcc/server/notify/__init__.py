"""Who hears of what happens in review: per-person mail digests and the studio's webhooks.

A committed write leaves *notices* (``notices``: one cheap row per note created, verdict given,
note completed or reopened, version published, written after the batch commits, never waiting
for anything else). Each server process runs one :class:`~ft_dcc.server.notify.worker.Notifier`
thread that expands them (``facts``: what each notice is about and who may hear of it), gathers
a person's items into one digest per window (``digests``, queued on the server's mail queue
``ft_dcc.server.mail``) and hands each event to the webhooks that asked for it (``hooks``,
``deliveries``: signed, retried with backoff). Every step is claimed by one conditional write,
so with several workers on PostgreSQL each notice is expanded once and each digest sent once;
the rows survive a restart.
"""
