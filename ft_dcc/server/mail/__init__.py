"""The server's outgoing mail: a durable queue in its database and a sender thread per process.

Use it through ``EmbeddedServer.mail`` (a :class:`~ft_dcc.server.mail.mailer.Mailer`)::

    message_id = server.mail.queue("invitee:<id>", "cleo@agency.example", "invitation", values)
    server.mail.latest(["invitee:<id>"])   # {topic: Message(state, attempts, last_error, ...)}

``queue`` renders the letter's Jinja2 templates (``templates/NAME.subject.txt``, ``NAME.txt``,
``NAME.html``; ``studio`` is filled in), writes one row of ``ft_dcc_mail`` and returns at once;
``None`` when the server has no SMTP server (``--smtp-url``), and the caller then says the mail
must be sent by hand. Modules: ``smtp_url`` (settings, standard library only), ``outbox`` (the
table), ``sender`` (the thread, retries with backoff), ``transport`` (``smtplib``), ``letters``
(templates), ``mailer`` (the facade).
"""
