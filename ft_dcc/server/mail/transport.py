"""One message to the studio's SMTP server with the standard library's ``smtplib``."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ft_dcc.server.mail.outbox import Message
from ft_dcc.server.mail.smtp_url import SmtpSettings

#: seconds an SMTP conversation may stall before the attempt fails (and is retried later)
TIMEOUT = 30.0


class PermanentFailure(Exception):
    """The SMTP server refused the message for good (a 5xx reply): sending it again as it is
    would be refused again."""


def email_of(settings: SmtpSettings, message: Message) -> EmailMessage:
    """``message`` as a MIME message: its plain-text part and, when it has one, its HTML part."""
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=settings.sender.rsplit("@", 1)[-1].strip(">") or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    return mail


def send(settings: SmtpSettings, message: Message, timeout: float = TIMEOUT) -> None:
    """Hand ``message`` to the SMTP server; :class:`PermanentFailure` when it refuses it for
    good, any other ``OSError``/``smtplib.SMTPException`` for a failure worth another try."""
    mail = email_of(settings, message)
    client: smtplib.SMTP
    if settings.security == "tls":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout,
                                  context=ssl.create_default_context())  # fmt: skip
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    with client:
        client.ehlo()
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password)
        try:
            client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as refused:
            codes = [code for code, _ in refused.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):
                raise PermanentFailure(_refusal(refused.recipients)) from None
            raise
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as refused:
            if 500 <= refused.smtp_code < 600:
                raise PermanentFailure(f"{refused.smtp_code} {_text(refused.smtp_error)}") from None
            raise


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _refusal(recipients: dict) -> str:
    return "; ".join(f"{who}: {code} {_text(why)}" for who, (code, why) in recipients.items())


def describe(error: BaseException) -> str:
    """An attempt's failure in one line, as the desk shows it."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the SMTP server answered {error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"the SMTP server refused the recipient: {_refusal(error.recipients)}"
    if isinstance(error, PermanentFailure):
        return f"the SMTP server refused the message: {error}"
    if isinstance(error, (TimeoutError, ConnectionError, OSError)):
        return f"could not reach the SMTP server ({error.__class__.__name__}: {error})"
    return f"{error.__class__.__name__}: {error}"
